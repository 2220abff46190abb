"""``tracetui summary``: what happened in a run (or in each of several)."""

from __future__ import annotations

import argparse

from tracetui.cli.common import (
    EXIT_OK,
    emit,
    emit_documents,
    input_options,
    json_option,
    load_all,
    many_paths,
)

HELP = "print what happened in a run"
PATHS_HELP = "trace files (- for stdin; .gz is fine), folders, globs or database URLs"


def arguments(sub: argparse.ArgumentParser) -> None:
    """The command's arguments."""
    many_paths(sub, "+", PATHS_HELP)
    json_option(sub)
    input_options(sub)


def run(args: argparse.Namespace) -> int:
    """Print the summary of each source."""
    from tracetui.reports.summary import summary_json, summary_text

    sets = load_all(args.paths, args.dialect)
    if args.json:
        documents = [summary_json(traces) for traces in sets]
        emit_documents(documents)
    else:
        emit("\n".join(summary_text(traces) for traces in sets))
    return EXIT_OK
