"""``tracetui open``: load a trace (in the background when large) and run the explorer."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from tracetui.analysis.diff import Diff
from tracetui.errors import TraceError
from tracetui.loaders import load_bytes, load_path
from tracetui.model import TraceSet
from tracetui.text import safe_line

if TYPE_CHECKING:
    from tracetui.app.app import TraceApp

# Files larger than this load behind a progress screen instead of before the UI starts.
BACKGROUND_BYTES = 8 * 1024 * 1024
# How much of a large file the first screen is painted from while the rest loads.
PREVIEW_BYTES = 512 * 1024


def finish(app: TraceApp, source: str) -> int:
    """Run the app; its exit code, with one line on stderr when it ended on an error."""
    code = app.run()
    if app.internal_error is not None:
        from tracetui.cli import internal_error_line

        print(internal_error_line(app.internal_error), file=sys.stderr)
        return 70
    if app.error is not None:
        print(f"tracetui: {safe_line(source)}: {safe_line(app.error)}", file=sys.stderr)
        return 2
    return code or 0


def open_sets(sets: list[TraceSet]) -> int:
    """The runs view over sources already loaded (a database listing, say)."""
    from tracetui.app.app import TraceApp

    return finish(TraceApp(sets=sets), " ".join(s.source for s in sets))


def open_many(paths: list[str], dialect: str | None = None) -> int:
    """Open the runs view over several files, folders or globs (they load in the background)."""
    from tracetui.app.app import TraceApp
    from tracetui.sources import expand

    if not expand(paths):
        print(f"tracetui: {safe_line(' '.join(paths))}: no trace files found", file=sys.stderr)
        return 2
    return finish(TraceApp(paths=paths, dialect=dialect), " ".join(paths))


def load_preview(path: str, dialect: str | None = None) -> TraceSet | None:
    """What the first few megabytes of a large file hold, loaded as if the file ended there."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(PREVIEW_BYTES)
    except OSError:
        return None
    if head.startswith(b"\x1f\x8b"):
        return None  # compressed: no cheap prefix
    try:
        return load_bytes(head, path, dialect)
    except TraceError:
        return None


def open_explorer(path: str, dialect: str | None = None, follow: bool = False) -> int:
    """Run the explorer on a file; returns the exit code."""
    from tracetui.app.app import TraceApp

    source = "<stdin>" if path == "-" else path
    size = 0
    if path != "-":
        try:
            size = Path(path).stat().st_size
        except OSError:
            size = 0
    if size > BACKGROUND_BYTES:
        app = TraceApp(
            loader=lambda progress: load_path(path, dialect, progress),
            preview=lambda: load_preview(path, dialect),
            label=f"{path} ({size >> 20} MiB)",
            dialect=dialect,
            follow=path if follow else None,
        )
    else:
        try:
            traces = load_path(path, dialect)
        except TraceError as exc:
            if follow:
                # A producer that has just started: wait for its first complete record.
                return finish(TraceApp(dialect=dialect, follow=path), source)
            print(f"tracetui: {safe_line(source)}: {safe_line(str(exc))}", file=sys.stderr)
            return 2
        if path == "-":
            _reattach_terminal()
        app = TraceApp(traces, dialect=dialect, follow=path if follow else None)
    return finish(app, source)


def _reattach_terminal() -> None:
    """After reading a trace from a pipe, read keys from the terminal instead."""
    try:
        tty = os.open("/dev/tty", os.O_RDONLY)
    except OSError:
        return
    os.dup2(tty, sys.stdin.fileno())
    os.close(tty)


def open_diff(result: Diff) -> int:
    """Run the diff screen on a computed diff; returns the exit code."""
    from tracetui.app.app import TraceApp

    return finish(TraceApp(diff=result), "diff")
