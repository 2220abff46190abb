"""Watching a trace file that a producer is still writing, and reading what it appends (no UI
here)."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import orjson

from tracetui.errors import TraceError
from tracetui.loaders import dagron, load_document, modified_at
from tracetui.model import TraceSet
from tracetui.source import (
    GZIP_MAGIC,
    LIMITS,
    Document,
    collector_paused,
    incomplete_record,
    not_json,
    parse,
    read_bytes,
    size_text,
)


class FileChange(StrEnum):
    """How a watched file changed since the last look."""

    GROWN = "grown"
    REWRITTEN = "rewritten"  # same size or larger but modified in place
    TRUNCATED = "truncated"
    REPLACED = "replaced"  # a new file under the same name
    GONE = "gone"


class FollowedFile:
    """A trace file a producer is still writing, read again after each change. A JSON-lines
    or event-stream file that grew is parsed from where the last read ended: only the
    appended lines are decoded, the records read before are kept. Any other change (or a
    file of one JSON document, or gzip) is read whole."""

    def __init__(self, path: str, dialect: str | None = None) -> None:
        self.path = path
        self.dialect = dialect
        self.bytes_parsed = 0  # decoded so far, over every read: what a test can check
        self._values: list[Any] = []
        self._lines: list[int] = []
        self._skipped: list[str] = []  # lines that were not JSON: said on every read
        self._offset = -1  # where the next read starts; -1: read the file whole next time
        self._line_count = 0  # newlines before ``_offset``
        self._lock = threading.Lock()  # one read at a time: each starts where the last ended
        # How an appended line is decoded: typed events once the file is known to be a
        # dagron run (its loop builds those faster), plain JSON otherwise.
        self._decode: Callable[[bytes], Any] = orjson.loads

    def load(self, change: FileChange | None = FileChange.GROWN) -> TraceSet:
        """The traces the file holds now; raises TraceError when it holds none yet."""
        with self._lock:
            if change is FileChange.GROWN and self._offset >= 0:
                doc = self._read_appended()
                typed = self._decode is not orjson.loads
            else:
                doc = self._read_whole()
                typed = False
        # Typed events are a dagron run's (they are decoded so only once it is known to be
        # one): named, since detection reads plain records.
        traces = load_document(doc, (self.dialect or dagron.DIALECT) if typed else self.dialect)
        traces.modified_at = modified_at(self.path)
        self._decode = orjson.loads
        if doc.kind == "jsonl" and [t.dialect for t in traces.traces] == [dagron.DIALECT]:
            from tracetui.loaders.dagron_typed import decode_line  # msgspec, when it pays

            self._decode = decode_line
        return traces

    def _read_whole(self) -> Document:
        data = read_bytes(self.path)
        self.bytes_parsed += len(data)
        doc = parse(data, self.path)
        self._offset = -1
        raw = _plain_file(self.path)
        if doc.kind == "jsonl" and raw is not None and raw == len(data):
            # JSON lines, not compressed: later reads start after the last whole record.
            cut = incomplete_record(data.count(b"\n") + 1)  # said when the last line is cut
            ends_whole = data.endswith(b"\n") or cut not in doc.warnings
            self._offset = len(data) if ends_whole else data.rfind(b"\n") + 1
            self._line_count = data.count(b"\n", 0, self._offset)
            self._values = list(doc.value)
            self._lines = list(doc.lines or [])
            self._skipped = [w for w in doc.warnings if w != cut]
        return doc

    def _read_appended(self) -> Document:
        with open(self.path, "rb") as handle:
            handle.seek(self._offset)
            data = handle.read(LIMITS.input_bytes + 1)
        if self._offset + len(data) > LIMITS.input_bytes:
            raise TraceError(f"grew past the input limit ({size_text(LIMITS.input_bytes)})")
        self.bytes_parsed += len(data)
        size = self._offset + len(data)
        lines = data.split(b"\n")
        tail = lines.pop()  # after the last newline: a record still being written, or b""
        with collector_paused():
            for number, line in enumerate(lines, self._line_count + 1):
                if line.strip():
                    self._add(line, number)
            warnings = list(self._skipped)
            consumed = len(data) - len(tail)
            self._line_count += len(lines)
            if tail.strip():
                try:
                    value = orjson.loads(tail)
                except orjson.JSONDecodeError:
                    value = None
                if isinstance(value, dict | list):  # whole, only its newline is missing
                    self._values.append(value)
                    self._lines.append(self._line_count + 1)
                    consumed = len(data)
                else:
                    warnings.append(incomplete_record(self._line_count + 1))
        self._offset += consumed
        return Document(
            self.path,
            "jsonl",
            list(self._values),
            lines=list(self._lines),
            warnings=warnings,
            size=size,
        )

    def _add(self, line: bytes, number: int) -> None:
        try:
            self._values.append(self._decode(line))
            self._lines.append(number)
        except orjson.JSONDecodeError as exc:
            self._skipped.append(not_json(number, exc))


def _plain_file(path: str) -> int | None:
    """The size of a regular file that is not gzip, else None."""
    try:
        with open(path, "rb") as handle:
            if handle.read(2) == GZIP_MAGIC:
                return None
            return os.fstat(handle.fileno()).st_size
    except OSError:
        return None


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
