"""``tracetui runs``: runs newest first, with failure and timeout rates and percentiles over
every matching run, per workflow and per time bucket."""

from __future__ import annotations

import argparse
from dataclasses import replace
from typing import TYPE_CHECKING

from tracetui.cli.common import (
    EXIT_OK,
    emit,
    emit_json,
    input_options,
    json_option,
    load_all,
    many_paths,
    range_options,
    run_filter,
    warn_loaded,
)
from tracetui.runfilter import BUCKETS, RunFilter

if TYPE_CHECKING:
    from tracetui.analysis.runs import RunRow, RunStatistics

HELP = "list runs from files, folders or a database, with per-workflow stats"


def arguments(sub: argparse.ArgumentParser) -> None:
    """The command's arguments."""
    many_paths(sub)
    range_options(sub)
    sub.add_argument(
        "--status",
        metavar="S",
        help="only these statuses, comma-separated "
        "(ok, failed, timed_out, cancelled, running, ...; claude-flow's timeout and success too)",
    )
    sub.add_argument("--text", metavar="Q", help="name, id, failing node or error contains Q")
    sub.add_argument(
        "--limit",
        type=int,
        metavar="N",
        help="list the N newest runs (a database lists 1000 unless told); "
        "the statistics cover every matching run",
    )
    sub.add_argument(
        "--bucket",
        choices=BUCKETS,
        default="day",
        help="statistics per hour, day (the default), week or month of the start time (UTC)",
    )
    json_option(sub)
    input_options(sub)


def run(args: argparse.Namespace) -> int:
    """List runs with the figures over all that match."""
    from tracetui.analysis.runs import filter_runs, run_rows, run_statistics
    from tracetui.inputs.database_url import is_database_url
    from tracetui.reports.runs import runs_json, runs_text

    wanted = run_filter(args, "runs", statuses=args.status, text=args.text, limit=args.limit)
    if len(args.paths) == 1 and is_database_url(args.paths[0]):
        rows, stats = _from_database(args.paths[0], wanted, args.bucket)
    else:
        # Files are filtered after loading (the same rules as the SQL); the figures cover
        # every matching run, the listing the newest --limit of them.
        matching = filter_runs(run_rows(load_all(args.paths, args.dialect)), wanted)
        stats = run_statistics(matching, args.bucket)
        rows = matching[: wanted.limit] if wanted.limit is not None else matching
    if args.json:
        emit_json(runs_json(rows, stats))
    else:
        emit(runs_text(rows, stats))
    return EXIT_OK


def _from_database(url: str, wanted: RunFilter, bucket: str) -> tuple[list[RunRow], RunStatistics]:
    """The newest runs, and the figures PostgreSQL computes over all that match."""
    from tracetui.analysis.runs import run_rows
    from tracetui.errors import TraceError
    from tracetui.inputs.database import DEFAULT_LIMIT, RunCounts
    from tracetui.inputs.failing import open_database
    from tracetui.inputs.load import SourceError, label
    from tracetui.inputs.run_pages import RunPages, is_pending
    from tracetui.model import TraceSet

    database = open_database(url)
    try:
        limit = wanted.limit if wanted.limit is not None else DEFAULT_LIMIT
        stats = database.statistics(replace(wanted, limit=None), bucket)
        listed = TraceSet(database.label, [])
        if limit > 0 and stats.overall.runs:
            # The newest runs, read within the stretch of time they span (the table has no
            # index on started_at): the statistics already said when the first and last began.
            overall = stats.overall
            counts = RunCounts(  # running is not counted by the statistics (nor needed here)
                overall.runs, overall.failed, overall.timed_out, 0, stats.first_at, stats.last_at
            )
            pages = RunPages(
                database, replace(wanted, limit=None), "newest", counts, page_size=limit
            )
            pages.load(0)
            newest = pages[: min(limit, len(pages))]
            listed = TraceSet(database.label, [r.trace for r in newest if not is_pending(r)])
    except TraceError as exc:
        raise SourceError(label(url), exc) from None
    finally:
        database.close()
    warn_loaded(listed)
    return run_rows([listed]), stats
