"""Turning command-line paths (files, folders, globs) into the files they name."""

from __future__ import annotations

import os
from collections.abc import Iterator
from fnmatch import fnmatchcase
from pathlib import Path

# What a folder walk picks up; files named on the command line are read whatever they are called.
TRACE_SUFFIXES = (".json", ".jsonl", ".ndjson", ".csv", ".gz", ".trace")
# Reference files that sit beside traces and are not traces themselves.
NOT_TRACES = ("find_similar_failures.json", "PROVENANCE.json", "package.json")


def _is_trace_name(name: str) -> bool:
    """A file a folder walk picks up."""
    return (
        name.endswith(TRACE_SUFFIXES)
        and name not in NOT_TRACES
        and not name.startswith(".")
        and ".analysis." not in name
    )


def _walk(top: str, depth: int | None = None) -> Iterator[tuple[str, tuple[str, ...]]]:
    """(path, parts below ``top``) of every file under ``top``, sorted, following links to
    folders but entering each real folder once: a link loop ends, and nothing comes twice.
    ``depth`` bounds how many folders deep it goes."""
    seen: set[tuple[int, int]] = set()
    # A stack of folders still to read, not recursion: a tree may be deeper than Python's
    # recursion limit. Files come in sorted order, each folder's before its subfolders'.
    pending: list[tuple[str, tuple[str, ...]]] = [(top, ())]
    while pending:
        folder, parts = pending.pop()
        try:
            info = os.stat(folder)
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        if (info.st_dev, info.st_ino) in seen:
            continue
        seen.add((info.st_dev, info.st_ino))
        folders = []
        for entry in entries:
            below = (*parts, entry.name)
            try:
                is_dir = entry.is_dir()
            except OSError:
                continue
            if is_dir:
                if depth is None or len(below) < depth:
                    folders.append((entry.path, below))
            else:
                yield entry.path, below
        pending.extend(reversed(folders))


def _folder(folder: str) -> list[str]:
    """The trace files under a folder."""
    return [path for path, parts in _walk(folder) if _is_trace_name(parts[-1])]


def _matches(parts: tuple[str, ...], pattern: tuple[str, ...]) -> bool:
    """Whether path parts match glob pattern parts (``**`` is any number of folders)."""
    if not pattern:
        return not parts
    head, rest = pattern[0], pattern[1:]
    if head == "**":
        return any(_matches(parts[skip:], rest) for skip in range(len(parts) + 1))
    return bool(parts) and fnmatchcase(parts[0], head) and _matches(parts[1:], rest)


def _glob(pattern: str) -> list[str]:
    """The files a shell-style pattern names (``**`` for any depth), each once, without
    looping through links; a folder that matches gives the trace files under it."""
    pieces = pattern.split("/")
    fixed = next(i for i, piece in enumerate(pieces) if any(c in piece for c in "*?["))
    top = "/".join(pieces[:fixed]) or ("/" if pattern.startswith("/") else ".")
    wild = tuple(pieces[fixed:])
    depth = None if "**" in wild else len(wild)
    found: list[str] = []
    for path, parts in _walk(top, depth):
        # A file matches itself; a file under a matching folder is found through it.
        for cut in range(len(parts), 0, -1):
            if _matches(parts[:cut], wild):
                if cut == len(parts) or _is_trace_name(parts[-1]):
                    found.append(path if top != "." or pattern.startswith("./") else path[2:])
                break
    return found


def expand(paths: list[str]) -> list[tuple[str, bool]]:
    """(file, named) pairs: ``named`` files were given by the user, the others found in
    folders or by patterns. Each real file comes once, however many ways it was reached."""
    result: list[tuple[str, bool]] = []
    for item in paths:
        path = Path(item)
        if item == "-":
            result.append((item, True))
        elif path.is_dir():
            result.extend((found, False) for found in _folder(item))
        elif not path.exists() and any(c in item for c in "*?["):
            result.extend((found, False) for found in _glob(item))
        else:
            result.append((item, True))
    unique: dict[str, tuple[str, bool]] = {}
    for found, named in result:
        real = found if found == "-" else os.path.realpath(found)
        if real not in unique:
            unique[real] = (found, named)
    return list(unique.values())
