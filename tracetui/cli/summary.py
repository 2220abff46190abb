"""``tracetui summary``: what happened in a run."""

from __future__ import annotations

import argparse

from tracetui.cli.common import (
    EXIT_OK,
    emit,
    emit_json,
    input_options,
    load,
    one_path,
    warn_loaded,
)

HELP = "print what happened in a run"


def arguments(sub: argparse.ArgumentParser) -> None:
    """The command's arguments."""
    one_path(sub)
    sub.add_argument("--json", action="store_true", help="machine-readable JSON")
    input_options(sub)


def run(args: argparse.Namespace) -> int:
    """Print the summary of a trace file."""
    from tracetui.reports.summary import summary_json, summary_text

    traces = load(args.path, args.dialect)
    warn_loaded(traces)
    if args.json:
        emit_json(summary_json(traces))
    else:
        emit(summary_text(traces))
    return EXIT_OK
