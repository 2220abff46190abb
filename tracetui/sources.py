"""Turning command-line paths (files, folders, globs) into loaded trace sets."""

from __future__ import annotations

import glob
from dataclasses import dataclass, field
from pathlib import Path

from tracetui.errors import TraceError
from tracetui.loaders import load_path, otlp
from tracetui.model import TraceSet

# What a folder walk picks up; files named on the command line are read whatever they are called.
TRACE_SUFFIXES = (".json", ".jsonl", ".ndjson", ".csv", ".gz", ".trace")
# Reference files that sit beside traces and are not traces themselves.
NOT_TRACES = ("find_similar_failures.json", "PROVENANCE.json", "package.json")


@dataclass(slots=True)
class Loaded:
    """What a set of paths gave: the trace sets, and what was skipped in folders."""

    sets: list[TraceSet] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)


class PathError(Exception):
    """A path named on the command line could not be read."""

    def __init__(self, path: str, error: TraceError) -> None:
        super().__init__(f"{path}: {error}")
        self.path = path
        self.error = error


def _walk(folder: Path) -> list[str]:
    found = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.name in NOT_TRACES or path.name.startswith("."):
            continue
        if path.name.endswith(TRACE_SUFFIXES) and ".analysis." not in path.name:
            found.append(str(path))
    return found


def expand(paths: list[str]) -> list[tuple[str, bool]]:
    """(file, named) pairs: ``named`` files were given by the user, the others found in folders."""
    result: list[tuple[str, bool]] = []
    for item in paths:
        if item == "-":
            result.append((item, True))
            continue
        path = Path(item)
        if path.is_dir():
            result.extend((found, False) for found in _walk(path))
        elif not path.exists() and any(c in item for c in "*?["):
            for match in sorted(glob.glob(item, recursive=True)):
                if Path(match).is_dir():
                    result.extend((found, False) for found in _walk(Path(match)))
                else:
                    result.append((match, False))
        else:
            result.append((item, True))
    return list(dict.fromkeys(result))


def load_many(paths: list[str], dialect: str | None = None) -> Loaded:
    """Load every path; a named file that fails raises PathError, a found one is skipped."""
    loaded = Loaded()
    for path, named in expand(paths):
        try:
            loaded.sets.append(load_path(path, dialect))
        except TraceError as exc:
            if named:
                raise PathError("<stdin>" if path == "-" else path, exc) from None
            loaded.skipped.append((path, str(exc)))
    # An OpenTelemetry trace can be spread over several files: join it by trace id.
    loaded.sets = otlp.merge(loaded.sets)
    return loaded
