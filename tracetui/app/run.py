"""Running the app on a start value: the exit code, and one line on stderr when it ended on
an error."""

from __future__ import annotations

import os
import sys

from tracetui.errors import internal_error_line
from tracetui.inputs.start import Start
from tracetui.text import safe_line


def run_app(start: Start, source: str) -> int:
    """Run the app on what it should show; returns the exit code."""
    from tracetui.app.app import TraceApp
    from tracetui.app.settings import load_settings

    if not sys.stdin.isatty():
        _reattach_terminal()  # a trace read from a pipe: keys come from the terminal
    app = TraceApp(start, load_settings())
    code = app.run()
    if app.internal_error is not None:
        print(internal_error_line(app.internal_error), file=sys.stderr)
        return 70
    if app.error is not None:
        print(f"tracetui: {safe_line(source)}: {safe_line(app.error)}", file=sys.stderr)
        return 2
    return code or 0


def _reattach_terminal() -> None:
    """After reading a trace from a pipe, read keys from the terminal instead."""
    try:
        tty = os.open("/dev/tty", os.O_RDONLY)
    except OSError:
        return
    os.dup2(tty, sys.stdin.fileno())
    os.close(tty)
