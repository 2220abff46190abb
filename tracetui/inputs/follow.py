"""Watching a trace file that a producer is still writing (no UI here)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import StrEnum


class FileChange(StrEnum):
    """How a watched file changed since the last look."""

    GROWN = "grown"
    REWRITTEN = "rewritten"  # same size or larger but modified in place
    TRUNCATED = "truncated"
    REPLACED = "replaced"  # a new file under the same name
    GONE = "gone"


@dataclass
class FileWatcher:
    """Remembers a file's identity, size and modification time; ``check`` says what changed."""

    path: str
    inode: int = -1
    size: int = -1
    mtime_ns: int = -1

    def __post_init__(self) -> None:
        self.mark()

    def mark(self) -> None:
        """Take the file as it is now as seen."""
        try:
            stat = os.stat(self.path)
        except OSError:
            self.inode, self.size, self.mtime_ns = -1, -1, -1
            return
        self.inode, self.size, self.mtime_ns = stat.st_ino, stat.st_size, stat.st_mtime_ns

    def check(self) -> FileChange | None:
        """What changed since the last look (and remember the new state), or None."""
        try:
            stat = os.stat(self.path)
        except OSError:
            if self.inode == -1:
                return None
            self.inode, self.size, self.mtime_ns = -1, -1, -1
            return FileChange.GONE
        before = (self.inode, self.size, self.mtime_ns)
        self.inode, self.size, self.mtime_ns = stat.st_ino, stat.st_size, stat.st_mtime_ns
        if before == (stat.st_ino, stat.st_size, stat.st_mtime_ns):
            return None
        if before[0] != -1 and before[0] != stat.st_ino:
            return FileChange.REPLACED
        if stat.st_size < before[1]:
            return FileChange.TRUNCATED
        if stat.st_size > before[1]:
            return FileChange.GROWN
        return FileChange.REWRITTEN
