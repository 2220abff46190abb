"""``tracetui export``: a trace in another format, written atomically."""

from __future__ import annotations

import argparse

from tracetui.atomic import write_atomic
from tracetui.cli.common import (
    EXIT_OK,
    emit,
    input_options,
    load,
    one_path,
    usage_error,
    warn_loaded,
)
from tracetui.reports.exports import EXPORTS, render_export

HELP = "write a trace as Chrome/Perfetto, JSON, CSV, HTML, markdown or OTLP"


def arguments(sub: argparse.ArgumentParser) -> None:
    """The command's arguments."""
    one_path(sub)
    sub.add_argument(
        "--to",
        required=True,
        choices=tuple(EXPORTS),
        help="; ".join(f"{e.name}: {e.description}" for e in EXPORTS.values()),
    )
    sub.add_argument("-o", "--output", metavar="OUT", help="output file (default: stdout)")
    sub.add_argument(
        "--no-raw",
        action="store_true",
        help="json: leave out the source records (smaller, not lossless)",
    )
    input_options(sub)


def run(args: argparse.Namespace) -> int:
    """Write a trace in another format."""
    traces = load(args.path, args.dialect)
    warn_loaded(traces)
    text = render_export(traces, args.to, raw=not args.no_raw)
    if args.output in (None, "-"):
        emit(text)
        return EXIT_OK
    try:
        write_atomic(args.output, text)
    except OSError as exc:
        raise usage_error(args.output, f"cannot write: {exc.strerror}") from None
    return EXIT_OK
