"""``tracetui runs``: runs newest first, with per-workflow failure rate and percentiles."""

from __future__ import annotations

import argparse

from tracetui.cli.common import (
    EXIT_OK,
    emit,
    emit_json,
    input_options,
    json_option,
    load_all,
    many_paths,
    usage_error,
)

HELP = "list runs from files, folders or a database, with per-workflow stats"


def arguments(sub: argparse.ArgumentParser) -> None:
    """The command's arguments."""
    many_paths(sub)
    sub.add_argument("--name", metavar="N", help="only this workflow or skill (exact name)")
    sub.add_argument("--since", metavar="T", help="started at or after T (ISO time, or 24h, 7d)")
    sub.add_argument(
        "--until", metavar="T", help="started at or before T (a bare date keeps that day)"
    )
    sub.add_argument(
        "--status",
        metavar="S",
        help="only these statuses, comma-separated "
        "(ok, failed, timed_out, cancelled, running, ...; claude-flow's timeout and success too)",
    )
    sub.add_argument("--text", metavar="Q", help="name, id, failing node or error contains Q")
    sub.add_argument("--limit", type=int, metavar="N", help="the N newest runs")
    json_option(sub)
    input_options(sub)


def run(args: argparse.Namespace) -> int:
    """List runs across files and folders, with per-workflow failure rate and percentiles."""
    from tracetui.analysis.runs import filter_runs, run_rows, workflow_stats
    from tracetui.reports.runs import runs_json, runs_text
    from tracetui.runfilter import RunFilter, parse_statuses, parse_when

    try:
        wanted = RunFilter(
            name=args.name,
            since=parse_when(args.since) if args.since else None,
            until=parse_when(args.until, end_of_day=True) if args.until else None,
            statuses=parse_statuses(args.status) if args.status else None,
            text=args.text,
            limit=args.limit,
        )
    except ValueError as exc:
        raise usage_error("runs", str(exc)) from None
    # A database does the filtering in SQL; files are filtered after loading (same rules).
    rows = filter_runs(run_rows(load_all(args.paths, args.dialect, wanted)), wanted)
    stats = workflow_stats(rows)
    if args.json:
        emit_json(runs_json(rows, stats))
    else:
        emit(runs_text(rows, stats))
    return EXIT_OK
