"""``tracetui summary``: what happened in a run (or in each of several)."""

from __future__ import annotations

import argparse

from tracetui.cli.common import EXIT_OK, emit, emit_json, input_options, load_all, many_paths

HELP = "print what happened in a run"
PATHS_HELP = "trace files (- for stdin; .gz is fine), folders, globs or database URLs"


def arguments(sub: argparse.ArgumentParser) -> None:
    """The command's arguments."""
    many_paths(sub, "+", PATHS_HELP)
    sub.add_argument("--json", action="store_true", help="machine-readable JSON")
    input_options(sub)


def run(args: argparse.Namespace) -> int:
    """Print the summary of each source."""
    from tracetui.reports.summary import summary_json, summary_text

    sets = load_all(args.paths, args.dialect)
    if args.json:
        # One source: its object, as ever; several: a list of them.
        documents = [summary_json(traces) for traces in sets]
        emit_json(documents[0] if len(documents) == 1 else documents)
    else:
        emit("\n".join(summary_text(traces) for traces in sets))
    return EXIT_OK
