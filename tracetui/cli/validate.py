"""``tracetui validate``: consistency checks, exit 1 when something is found."""

from __future__ import annotations

import argparse

from tracetui.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    emit,
    emit_json,
    input_options,
    load,
    one_path,
)

HELP = "check a trace for inconsistencies"


def arguments(sub: argparse.ArgumentParser) -> None:
    """The command's arguments."""
    one_path(sub)
    sub.add_argument("--json", action="store_true", help="machine-readable JSON")
    input_options(sub)


def run(args: argparse.Namespace) -> int:
    """Check a trace for inconsistencies; exit 1 when there are findings."""
    from tracetui.analysis.validate import validate
    from tracetui.reports.validate import validate_json, validate_text

    traces = load(args.path, args.dialect)
    findings = validate(traces)
    if args.json:
        emit_json(validate_json(traces.source, findings))
    else:
        emit(validate_text(traces.source, findings))
    return EXIT_FINDINGS if findings else EXIT_OK
