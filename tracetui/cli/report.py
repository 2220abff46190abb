"""``tracetui report``: an incident report of one run, as HTML or markdown."""

from __future__ import annotations

import argparse
from pathlib import Path

from tracetui.atomic import write_atomic
from tracetui.cli.common import (
    EXIT_OK,
    files,
    input_options,
    load,
    load_all,
    usage_error,
    warn_loaded,
)
from tracetui.model import Trace

HELP = "write an incident report of a run (HTML, or markdown with SVG charts beside it)"


def arguments(sub: argparse.ArgumentParser) -> None:
    """The command's arguments."""
    files(sub.add_argument("path", help="the run: a trace file (- for stdin) or database URL"))
    sub.add_argument("--run", metavar="ID", help="the run, when the file holds several")
    files(
        sub.add_argument(
            "--baseline",
            action="append",
            metavar="PATH",
            help="runs to compare with: files, folders or globs (repeatable)",
        )
    )
    files(
        sub.add_argument(
            "--history",
            action="append",
            metavar="PATH",
            help="earlier runs of the workflow (files, folders, globs or a database URL): "
            "whether each failure was seen before, and the duration trend",
        )
    )
    files(
        sub.add_argument(
            "-o",
            "--output",
            required=True,
            metavar="OUT",
            help="report.html (one self-contained file) or report.md (SVGs written beside it)",
        )
    )
    input_options(sub)


def _runs(paths: list[str] | None, dialect: str | None) -> list[Trace]:
    """Every run the paths hold (none when none are named)."""
    if not paths:
        return []
    return [trace for traces in load_all(paths, dialect) for trace in traces.traces]


def run(args: argparse.Namespace) -> int:
    """Build the report and write it (atomically)."""
    from tracetui.analysis.report import build_report
    from tracetui.cli.diff import pick_run
    from tracetui.reports.incident import report_html, report_markdown

    output = Path(args.output)
    if output.suffix.lower() not in (".html", ".htm", ".md", ".markdown"):
        raise usage_error(args.output, "name a .html or .md file")
    traces = load(args.path, args.dialect)
    warn_loaded(traces)
    trace = pick_run(traces, args.run)
    baseline = _runs(args.baseline, args.dialect)
    history = _runs(args.history, args.dialect)
    report = build_report(traces, trace, baseline, history)
    try:
        if output.suffix.lower() in (".html", ".htm"):
            write_atomic(output, report_html(report))
        else:
            text, pictures = report_markdown(report, output.stem)
            for name, svg in pictures.items():
                write_atomic(output.with_name(name), svg)
            write_atomic(output, text)
    except OSError as exc:
        raise usage_error(args.output, f"cannot write: {exc.strerror}") from None
    return EXIT_OK
