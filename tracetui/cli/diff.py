"""``tracetui diff``: what changed between a baseline run (or several) and a current one."""

from __future__ import annotations

import argparse
import sys

from tracetui.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    emit,
    emit_json,
    input_options,
    load,
    load_all,
    many_paths,
    usage_error,
)
from tracetui.model import Trace, TraceSet

HELP = "what changed between a baseline run and a current one"


def arguments(sub: argparse.ArgumentParser) -> None:
    """The command's arguments."""
    many_paths(sub, "*", "BASELINE CURRENT, or just CURRENT with --baseline")
    sub.add_argument(
        "--baseline",
        action="append",
        metavar="PATH",
        help="baseline runs: files, folders or globs (repeatable); several runs give medians",
    )
    sub.add_argument("--run", metavar="ID", help="the current run, when its file holds several")
    sub.add_argument(
        "--format", choices=("text", "json", "markdown"), help="print a report instead of the UI"
    )
    sub.add_argument(
        "--fail-on",
        choices=("regression", "status", "any"),
        help="exit 1 when such a change is found (0 when not, 2 on unreadable input)",
    )
    sub.add_argument(
        "--min-seconds",
        type=float,
        default=0.05,
        metavar="S",
        help="a duration change counts past S seconds (default 0.05)",
    )
    sub.add_argument(
        "--min-percent",
        type=float,
        default=20.0,
        metavar="P",
        help="... and past P percent (default 20)",
    )
    input_options(sub)


def pick_run(traces: TraceSet, run: str | None) -> Trace:
    """The one run to diff: the only one, or the one ``--run`` names (id, name or index)."""
    if run is None:
        if len(traces.traces) == 1:
            return traces.traces[0]
        raise usage_error(
            traces.source,
            f"holds {len(traces.traces)} runs; choose one with --run ID or --run N",
        )
    for trace in traces.traces:
        if run in (trace.id, trace.name):
            return trace
    if run.lstrip("-").isdigit() and -len(traces.traces) <= int(run) < len(traces.traces):
        return traces.traces[int(run)]
    raise usage_error(traces.source, f"no run with id, name or index {run!r}")


def run(args: argparse.Namespace) -> int:
    """Compare a current run with a baseline run (or several)."""
    from tracetui.analysis.diff import Thresholds, diff

    positional: list[str] = args.paths
    baseline_paths: list[str] = list(args.baseline or [])
    if baseline_paths:
        if not positional:
            raise usage_error("diff", "name the current run after the baseline")
        baseline_paths += positional[:-1]
        current_path = positional[-1]
    else:
        if len(positional) != 2:
            raise usage_error("diff", "give BASELINE and CURRENT (or --baseline PATH... CURRENT)")
        baseline_paths, current_path = [positional[0]], positional[1]
    baseline_sets = load_all(baseline_paths, args.dialect)
    current = pick_run(load(current_path, args.dialect), args.run)
    baseline = [t for s in baseline_sets for t in s.traces if t is not current]
    if not baseline:
        raise usage_error(" ".join(baseline_paths), "no baseline runs")
    result = diff(baseline, current, Thresholds(args.min_seconds, args.min_percent))
    headless = args.format is not None or args.fail_on is not None or not sys.stdout.isatty()
    if not headless:
        from tracetui.app.run import run_app
        from tracetui.inputs.start import ShowDiff

        return run_app(ShowDiff(result), "diff")
    fmt = args.format or "text"
    if fmt == "json":
        from tracetui.reports.diff import diff_json

        emit_json(diff_json(result, [s.source for s in baseline_sets], current_path))
    elif fmt == "markdown":
        from tracetui.reports.diff import diff_markdown

        emit(diff_markdown(result))
    else:
        from tracetui.reports.diff import diff_text

        emit(diff_text(result))
    tripped = {
        None: False,
        "regression": bool(result.regressions()),
        "status": bool(result.status_changes()),
        "any": bool(result.changes()),
    }[args.fail_on]
    return EXIT_FINDINGS if tripped else EXIT_OK
