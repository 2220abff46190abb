"""Runs that hold a failure, from files, folders and databases. A database is asked for its
failing rows only, a page at a time, filtered (and, for a ``--similar`` search with pg_trgm
installed, pre-filtered by likeness) in SQL; files are loaded whole and filtered the same way."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

from tracetui.analysis.failures import Failure, collect
from tracetui.analysis.runs import filter_runs, run_rows
from tracetui.analysis.signature import DEFAULT_MIN_SCORE
from tracetui.errors import TraceError
from tracetui.inputs import run_queries
from tracetui.inputs.database import CfnDatabase
from tracetui.inputs.database_url import is_database_url
from tracetui.inputs.load import Loaded, SourceError, label, load_in_batches
from tracetui.loaders import otlp
from tracetui.model import Trace, TraceSet
from tracetui.runfilter import RunFilter
from tracetui.source import collector_paused


def open_database(url: str) -> CfnDatabase:
    """A connection to the database a URL names; raises SourceError naming it (redacted)."""
    try:
        return CfnDatabase(url)
    except TraceError as exc:
        raise SourceError(label(url), exc) from None


@dataclass(frozen=True, slots=True)
class SimilarSearch:
    """A ``--similar`` search: only runs holding a failure it would list are read."""

    text: str
    min_score: float = DEFAULT_MIN_SCORE
    limit: int | None = None
    trigram: bool = False  # choose rows by pg_trgm word similarity instead


def _database_pages(
    url: str, wanted: RunFilter, similar: SimilarSearch | None, cfn: bool, window: int | None
) -> Iterator[TraceSet]:
    """A database's runs with a failure, a page at a time (the caller may drop each page
    before the next): claude-flow's own query with ``cfn``, else every failing row the filter
    selects, at most ``wanted.limit`` runs (a warning on the last page says what was left)."""
    database = open_database(url)
    try:
        if cfn:
            traces, warnings = database.traces(run_queries.cfn_failed(database.table, window))
            yield TraceSet(database.label, traces, warnings, complete=database.complete)
            return
        read = 0
        pages = (
            database.failing_pages(wanted)
            if similar is None
            else database.failing_pages(
                wanted,
                similar.text,
                min_score=similar.min_score,
                limit=similar.limit,
                trigram=similar.trigram,
            )
        )
        for page in pages:
            kept = page
            if wanted.limit is not None and read + len(page.traces) > wanted.limit:
                kept = replace(page, traces=page.traces[: wanted.limit - read])
            read += len(kept.traces)
            if wanted.limit is not None and read >= wanted.limit:
                total = database.counts(wanted, failing=True).runs
                if total > read:
                    kept.warnings.insert(
                        0,
                        f"read the newest {read:,} of {total:,} runs with a failure "
                        "(--max-runs N reads more)",
                    )
                yield kept
                return
            yield kept
    except TraceError as exc:
        raise SourceError(label(url), exc) from None


@dataclass(slots=True)
class Found:
    """Failures across sources, the number of sources, what was skipped and what the loaders
    could not place."""

    failures: list[Failure]
    sources: int
    skipped: list[tuple[str, str]]
    warnings: list[tuple[str, str]]  # (source, message)


def _listing(trace: Trace) -> Trace:
    """The run as a list names it, without its steps (read again when opened)."""
    stub = Trace(
        dialect=trace.dialect,
        source=trace.source,
        id=trace.id,
        name=trace.name,
        started_at=trace.started_at,
        status=trace.status,
        duration=trace.duration,
        error=trace.error,
    )
    stub.attributes["partial"] = "steps are read again when the run is opened"
    return stub


def failures_in(
    paths: list[str], dialect: str | None, wanted: RunFilter, similar: SimilarSearch | None
) -> Found:
    """Every failure in the runs the filter selects. A database's are collected a page at a
    time and each run is kept only as a listing, so memory holds the failures, not the runs."""
    failures: list[Failure] = []
    warnings: list[tuple[str, str]] = []
    signatures: dict[str, str] = {}  # each distinct message's signature, worked out once
    sources = 0
    for url in (p for p in paths if is_database_url(p)):
        sources += 1
        for page in _database_pages(url, wanted, similar, False, None):
            with collector_paused():  # pages hold no cycles: each is freed when dropped
                found = collect([page], signatures)
            listings: dict[int, Trace] = {}
            for failure in found:
                run = failure.trace
                listing = listings.get(id(run))
                if listing is None:
                    listing = listings[id(run)] = _listing(run)
                failure.trace = listing
            failures.extend(found)
            warnings.extend((page.source, message) for message in page.all_warnings())
    files = [p for p in paths if not is_database_url(p)]
    skipped: list[tuple[str, str]] = []
    if files:
        loaded = failing_sources(files, dialect, wanted)
        skipped = loaded.skipped
        sources += len({traces.source for traces in loaded.sets})
        failures.extend(collect(loaded.sets))
        for traces in loaded.sets:
            warnings.extend((traces.source, message) for message in traces.all_warnings())
    return Found(failures, sources, skipped, warnings)


def _filtered(traces: TraceSet, wanted: RunFilter) -> TraceSet:
    everything = RunFilter(wanted.name, wanted.since, wanted.until, wanted.statuses, wanted.text)
    if everything == RunFilter():
        return traces
    kept = {id(row.trace) for row in filter_runs(run_rows([traces]), everything)}
    return replace(traces, traces=[t for t in traces.traces if id(t) in kept])


def failing_sources(
    paths: list[str],
    dialect: str | None,
    wanted: RunFilter,
    *,
    similar: SimilarSearch | None = None,
    cfn: bool = False,
    window: int | None = None,
) -> Loaded:
    """The runs to look for failures in. With ``cfn``, a database gives what claude-flow's
    ``find_similar_failures`` reads: its newest ``window`` failed rows with an error (None:
    all of them)."""
    loaded = Loaded()
    for url in (p for p in paths if is_database_url(p)):
        sets = list(_database_pages(url, wanted, similar, cfn, window))
        loaded.sets.extend(sets or [TraceSet(label(url), [])])
    files = [p for p in paths if not is_database_url(p)]
    if files:
        for batch in load_in_batches(files, dialect):
            loaded.sets.extend(_filtered(traces, wanted) for traces in batch.sets)
            loaded.skipped.extend(batch.skipped)
        loaded.sets = otlp.merge(loaded.sets)
    if not loaded.sets:
        raise SourceError(" ".join(paths), TraceError("no trace files found"))
    return loaded
