"""The ``tracetui`` command line: one module per command (its arguments beside its handler),
exit codes, one-line errors."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from contextlib import nullcontext
from types import ModuleType

from tracetui import __version__
from tracetui.cli import (
    completion,
    diff,
    export,
    failures,
    open,
    report,
    runs,
    summary,
    validate,
)
from tracetui.cli.common import EXIT_BAD_INPUT, EXIT_INTERNAL
from tracetui.errors import internal_error_line
from tracetui.inputs.database_url import is_database_url, scrub, set_statement_timeout
from tracetui.inputs.load import SourceError
from tracetui.source import collector_relaxed, set_input_limit
from tracetui.text import safe_line

# In the order ``--help`` lists them.
COMMANDS: dict[str, ModuleType] = {
    "open": open,
    "summary": summary,
    "failures": failures,
    "diff": diff,
    "runs": runs,
    "export": export,
    "report": report,
    "completion": completion,
    "validate": validate,
}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every command."""
    parser = argparse.ArgumentParser(
        prog="tracetui",
        description="Understand a workflow run from its execution trace.",
        epilog="Exit codes: 0 success, 1 findings or a gate tripped, 2 unreadable input or "
        "usage, 70 a bug in tracetui.",
    )
    parser.add_argument("--version", action="version", version=f"tracetui {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module in COMMANDS.items():
        sub = commands.add_parser(name, help=module.HELP, description=module.HELP)
        sub.set_defaults(handler=module.run)
        module.arguments(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "handler", None) is None:
        parser.print_help(sys.stderr)
        return EXIT_BAD_INPUT
    if getattr(args, "max_size", None):
        set_input_limit(args.max_size)
    if getattr(args, "statement_timeout", None):
        set_statement_timeout(args.statement_timeout)
    try:
        # A headless command runs to its end: the collector at a relaxed pace. The explorer
        # keeps the default pace, whose pauses are short enough between two key presses.
        with nullcontext() if args.command == "open" else collector_relaxed():
            code: int = args.handler(args)
        return code
    except SourceError as exc:
        line = f"tracetui: {safe_line(exc.source)}: {safe_line(str(exc.error))}"
        print(_without_secrets(line, argv), file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a user must never see a traceback
        if os.environ.get("TRACETUI_DEBUG"):
            raise
        print(_without_secrets(internal_error_line(exc), argv), file=sys.stderr)
        return EXIT_INTERNAL


def _without_secrets(line: str, argv: Sequence[str] | None) -> str:
    """A line for stderr with the password of any database URL on the command line taken
    out, whatever produced the text (a driver's message may quote the URL)."""
    for argument in sys.argv[1:] if argv is None else argv:
        if is_database_url(argument):
            line = scrub(line, argument)
    return line
