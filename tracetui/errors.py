"""Errors that name the input and what is wrong with it."""

from __future__ import annotations


class TraceError(Exception):
    """An input that cannot be read as a trace; printed as one line, exit code 2."""

    def __init__(self, message: str, *, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column

    def __str__(self) -> str:
        if self.line is not None and self.column is not None:
            return f"{self.message} (line {self.line}, column {self.column})"
        if self.line is not None:
            return f"{self.message} (line {self.line})"
        return self.message


class RecordError(ValueError):
    """One record of an otherwise readable trace is malformed; the loader skips it."""


def internal_error_line(exc: BaseException) -> str:
    """The one line an unexpected error (a bug of ours, not bad input) gets on stderr."""
    from tracetui.text import safe_line, shorten

    return (
        f"tracetui: internal error: {type(exc).__name__}: {shorten(safe_line(str(exc)), 200)} "
        "(a bug: set TRACETUI_DEBUG=1 for the traceback)"
    )
