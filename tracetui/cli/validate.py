"""``tracetui validate``: consistency checks, exit 1 when something is found."""

from __future__ import annotations

import argparse

from tracetui.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    emit,
    emit_documents,
    load_all,
)
from tracetui.cli.summary import arguments as summary_arguments

HELP = "check a trace for inconsistencies"


def arguments(sub: argparse.ArgumentParser) -> None:
    """The command's arguments: the same paths and options as ``summary``."""
    summary_arguments(sub)


def run(args: argparse.Namespace) -> int:
    """Check each source for inconsistencies; exit 1 when any has findings."""
    from tracetui.analysis.validate import validate
    from tracetui.reports.validate import validate_json, validate_text

    found = False
    documents = []
    for traces in load_all(args.paths, args.dialect, warn=False):
        findings = validate(traces)
        found = found or bool(findings)
        if args.json:
            documents.append(validate_json(traces.source, findings))
        else:
            emit(validate_text(traces.source, findings))
    if args.json:
        emit_documents(documents)
    return EXIT_FINDINGS if found else EXIT_OK
