"""The one way the CLI and the app turn what a user named into loaded traces: a file, ``-``,
several files, folders, globs or a database URL. Returns values; never prints."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from tracetui.errors import TraceError
from tracetui.inputs.database_url import is_database_url, redact
from tracetui.inputs.paths import expand
from tracetui.loaders import load_path, otlp
from tracetui.model import TraceSet
from tracetui.runfilter import RunFilter
from tracetui.source import Progress

# Files loaded before the runs list hears of them (a folder of thousands shows as it loads).
BATCH = 50


class SourceError(Exception):
    """A source the user named could not be loaded; ``source`` is safe to print (a database
    URL has its password redacted)."""

    def __init__(self, source: str, error: TraceError) -> None:
        super().__init__(f"{source}: {error}")
        self.source = source
        self.error = error


@dataclass(slots=True)
class Loaded:
    """What several sources gave: the trace sets, and the found files that were skipped."""

    sets: list[TraceSet] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)


def label(path: str) -> str:
    """How a source is named in messages: ``<stdin>``, a URL without its password, a path."""
    if path == "-":
        return "<stdin>"
    return redact(path) if is_database_url(path) else path


def load_source(
    path: str,
    dialect: str | None = None,
    wanted: RunFilter | None = None,
    progress: Progress | None = None,
) -> TraceSet:
    """One file, ``-`` or database URL; raises SourceError naming it."""
    try:
        if is_database_url(path):
            from tracetui.inputs.database import load_database  # the driver, when needed

            return load_database(path, wanted)
        return load_path(path, dialect, progress)
    except TraceError as exc:
        raise SourceError(label(path), exc) from None


def load_sources(
    paths: list[str], dialect: str | None = None, wanted: RunFilter | None = None
) -> Loaded:
    """Every source: files, folders, globs and database URLs. A source the user named that
    fails raises SourceError; a file found in a folder that fails is listed as skipped. An
    OpenTelemetry trace spread over several files is joined into one run."""
    loaded = Loaded()
    for batch in load_in_batches(paths, dialect, wanted):
        loaded.sets.extend(batch.sets)
        loaded.skipped.extend(batch.skipped)
    loaded.sets = otlp.merge(loaded.sets)
    if not loaded.sets:
        raise SourceError(" ".join(paths), TraceError("no trace files found"))
    return loaded


@dataclass(slots=True)
class Batch:
    """Some of what ``load_in_batches`` read: sets, skipped files, and how far it has got."""

    sets: list[TraceSet]
    skipped: list[tuple[str, str]]
    done: int
    total: int


def load_in_batches(
    paths: list[str],
    dialect: str | None = None,
    wanted: RunFilter | None = None,
    *,
    strict: bool = True,
) -> Iterator[Batch]:
    """Load sources a few at a time, so a list can grow while a folder loads. A source the
    user named that fails raises SourceError (or, not ``strict``, is listed as skipped like
    a found one); sets are as loaded (not yet OTLP-merged)."""
    urls = [p for p in paths if is_database_url(p)]
    files = expand([p for p in paths if not is_database_url(p)])
    total = len(urls) + len(files)
    for done, url in enumerate(urls, 1):
        try:
            yield Batch([load_source(url, dialect, wanted)], [], done, total)
        except SourceError as exc:
            if strict:
                raise
            yield Batch([], [(exc.source, str(exc.error))], done, total)
    yield from load_files_in_batches(files, dialect, strict=strict, counted=len(urls))


def load_files_in_batches(
    files: list[tuple[str, bool]],
    dialect: str | None = None,
    *,
    strict: bool = True,
    counted: int = 0,
) -> Iterator[Batch]:
    """Load ``expand``'s (file, named) pairs a few at a time; ``counted`` sources were read
    before them (they count towards ``done`` and ``total``)."""
    total = counted + len(files)
    done = counted
    sets: list[TraceSet] = []
    skipped: list[tuple[str, str]] = []
    for path, named in files:
        done += 1
        try:
            sets.append(load_path(path, dialect))
        except TraceError as exc:
            if named and strict:
                raise SourceError(label(path), exc) from None
            skipped.append((path, str(exc)))
        if len(sets) + len(skipped) >= BATCH or done == total:
            yield Batch(sets, skipped, done, total)
            sets, skipped = [], []
    if total == 0:
        yield Batch([], [], 0, 0)
