"""What ``tracetui open`` (or ``diff``) starts the app on: a value the app is handed, never a
path for it to read itself. Small inputs are read here; big ones, folders and files still
being written are read by the app in the background through the functions here."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from tracetui.analysis.diff import Diff
from tracetui.errors import TraceError
from tracetui.inputs.database import CfnDatabase
from tracetui.inputs.database_url import is_database_url
from tracetui.inputs.failing import open_database
from tracetui.inputs.load import SourceError, label, load_source, load_sources
from tracetui.inputs.paths import expand
from tracetui.inputs.run_pages import RunPages, first_page
from tracetui.loaders import load_bytes
from tracetui.model import TraceSet
from tracetui.runfilter import RunFilter
from tracetui.source import Progress

# Files larger than this load behind a progress display instead of before the UI starts.
BACKGROUND_BYTES = 8 * 1024 * 1024
# How much of a large file the first screen is painted from while the rest loads.
PREVIEW_BYTES = 512 * 1024


@dataclass(frozen=True, slots=True)
class Explore:
    """Loaded traces: one run opens in the explorer, several in the runs list. ``follow``
    names the file to keep watching."""

    traces: TraceSet
    follow: str | None = None


@dataclass(frozen=True, slots=True)
class ListRuns:
    """Runs already loaded (a database listing, say)."""

    sets: list[TraceSet]


@dataclass(frozen=True, slots=True)
class BrowseDatabase:
    """A connected database, whose runs are read a page at a time as the list is looked at.
    ``first`` is the newest runs' first page, already being read while the app starts."""

    database: CfnDatabase
    first: Future[RunPages] | None = None


@dataclass(frozen=True, slots=True)
class LoadRuns:
    """Files found in the folders and globs named, as ``expand`` gives them, to load in the
    background while the runs list grows."""

    files: list[tuple[str, bool]]
    dialect: str | None = None


@dataclass(frozen=True, slots=True)
class LoadLarge:
    """A big file: ``preview`` gives its first few hundred kilobytes to show at once, ``load``
    all of it (telling ``progress`` how far it has got). Both run off the UI thread."""

    label: str
    load: Callable[[Progress], TraceSet]
    preview: Callable[[], TraceSet | None]
    follow: str | None = None
    dialect: str | None = None


def large_file(path: str, size: int, dialect: str | None, follow: bool = False) -> LoadLarge:
    """How a big file is loaded: a preview of its head, then the whole of it."""
    return LoadLarge(
        label=f"{path} ({size >> 20} MiB)",
        load=lambda progress: load_source(path, dialect, progress=progress),
        preview=lambda: load_preview(path, dialect),
        follow=path if follow else None,
        dialect=dialect,
    )


@dataclass(frozen=True, slots=True)
class WaitForRecord:
    """A file to follow that holds no complete record yet (a producer that just started)."""

    path: str
    dialect: str | None = None


@dataclass(frozen=True, slots=True)
class ShowDiff:
    """A computed diff."""

    diff: Diff


Start = Explore | ListRuns | BrowseDatabase | LoadRuns | LoadLarge | WaitForRecord | ShowDiff


def _file_size(path: str) -> int:
    """The size of a regular file, or 0 for anything else (a pipe, say)."""
    try:
        info = os.stat(path)
    except OSError:
        return 0
    return info.st_size if stat.S_ISREG(info.st_mode) else 0


def _one_file(path: str) -> bool:
    """A file, pipe, FIFO or process substitution (``<(cmd)``): anything but a folder."""
    return path == "-" or (Path(path).exists() and not Path(path).is_dir())


def start_for(paths: list[str], dialect: str | None = None, follow: bool = False) -> Start:
    """What to show for the paths a user named; raises SourceError when it cannot be shown."""
    if len(paths) == 1 and is_database_url(paths[0]):
        database = open_database(paths[0])
        # The count and the first page travel while the interface is still being imported.
        reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tracetui-first-page")
        first = reader.submit(first_page, database, RunFilter())
        reader.shutdown(wait=False)
        return BrowseDatabase(database, first)
    if any(is_database_url(p) for p in paths):
        return ListRuns(load_sources(paths, dialect).sets)
    if follow:
        if len(paths) != 1 or paths[0] == "-" or Path(paths[0]).is_dir():
            raise SourceError(" ".join(paths), TraceError("--follow takes one trace file"))
        return _follow(paths[0], dialect)
    if len(paths) == 1 and _one_file(paths[0]):
        path = paths[0]
        size = _file_size(path) if path != "-" else 0
        if size > BACKGROUND_BYTES:
            return large_file(path, size, dialect)
        return Explore(load_source(path, dialect))
    if len(paths) == 1 and not Path(paths[0]).exists() and not any(c in paths[0] for c in "*?["):
        raise SourceError(label(paths[0]), TraceError("no such file"))
    files = expand(paths)
    if not files:
        raise SourceError(" ".join(paths), TraceError("no trace files found"))
    return LoadRuns(files, dialect)


def _follow(path: str, dialect: str | None) -> Start:
    size = _file_size(path)
    if size > BACKGROUND_BYTES:
        return large_file(path, size, dialect, follow=True)
    try:
        return Explore(load_source(path, dialect), follow=path)
    except SourceError:
        return WaitForRecord(path, dialect)


def load_preview(path: str, dialect: str | None = None) -> TraceSet | None:
    """What the first few hundred kilobytes of a large file hold, loaded as if the file ended
    there; None when they hold nothing readable (or the file is compressed)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(PREVIEW_BYTES)
    except OSError:
        return None
    if head.startswith(b"\x1f\x8b"):
        return None  # compressed: no cheap prefix
    try:
        return load_bytes(head, path, dialect)
    except TraceError:
        return None
