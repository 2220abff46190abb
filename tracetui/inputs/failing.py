"""Runs that hold a failure, from files, folders and databases. A database is asked for its
failing rows only, a page at a time, filtered (and, for a ``--similar`` search with pg_trgm
installed, pre-filtered by likeness) in SQL; files are loaded whole and filtered the same way."""

from __future__ import annotations

from dataclasses import dataclass, replace

from tracetui.analysis.runs import filter_runs, run_rows
from tracetui.analysis.signature import DEFAULT_MIN_SCORE
from tracetui.errors import TraceError
from tracetui.inputs import run_queries
from tracetui.inputs.database import CfnDatabase, is_database_url
from tracetui.inputs.load import Loaded, SourceError, label, load_in_batches
from tracetui.loaders import otlp
from tracetui.model import TraceSet
from tracetui.runfilter import RunFilter


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


def _database_failures(
    url: str, wanted: RunFilter, similar: SimilarSearch | None, cfn: bool, window: int | None
) -> list[TraceSet]:
    database = open_database(url)
    try:
        if cfn:
            traces, warnings = database.traces(run_queries.cfn_failed(database.table, window))
            return [TraceSet(database.label, traces, warnings, complete=database.complete)]
        sets = []
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
            sets.append(kept)
            read += len(kept.traces)
            if wanted.limit is not None and read >= wanted.limit:
                total = database.counts(wanted, failing=True).runs
                if total > read:
                    sets[0].warnings.insert(
                        0,
                        f"read the newest {read:,} of {total:,} runs with a failure "
                        "(--max-runs N reads more)",
                    )
                break
        return sets or [TraceSet(database.label, [], [], complete=database.complete)]
    except TraceError as exc:
        raise SourceError(label(url), exc) from None


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
        loaded.sets.extend(_database_failures(url, wanted, similar, cfn, window))
    files = [p for p in paths if not is_database_url(p)]
    if files:
        for batch in load_in_batches(files, dialect):
            loaded.sets.extend(_filtered(traces, wanted) for traces in batch.sets)
            loaded.skipped.extend(batch.skipped)
        loaded.sets = otlp.merge(loaded.sets)
    if not loaded.sets:
        raise SourceError(" ".join(paths), TraceError("no trace files found"))
    return loaded
