"""Plain-text vocabulary shared by reports and the app: status glyphs, words, durations."""

from __future__ import annotations

import math
from datetime import datetime

from tracetui.model import Status

GLYPH = {
    Status.OK: "\u2713",  # ✓
    Status.FAILED: "\u2717",  # ✗
    Status.SKIPPED: "\u2298",  # ⊘
    Status.TIMED_OUT: "\u29d6",  # ⧖
    Status.CANCELLED: "\u2297",  # ⊗
    Status.CACHED: "\u21bb",  # ↻
    Status.RUNNING: "\u25b6",  # ▶
    Status.UNKNOWN: "?",
}

WORD = {
    Status.OK: "ok",
    Status.FAILED: "failed",
    Status.SKIPPED: "skipped",
    Status.TIMED_OUT: "timed out",
    Status.CANCELLED: "cancelled",
    Status.CACHED: "cached",
    Status.RUNNING: "running",
    Status.UNKNOWN: "unknown",
}


def counted(number: int, noun: str, plural: str | None = None) -> str:
    """``1 node``, ``2 nodes``, ``1,204 failures``."""
    return f"{number:,} {noun if number == 1 else plural or noun + 's'}"


def status_label(status: Status) -> str:
    """Glyph and word, readable without colour: ``✗ failed``."""
    return f"{GLYPH[status]} {WORD[status]}"


def seconds(value: float | None) -> str:
    """A duration for people: ``420ns``, ``3.5µs``, ``850µs``, ``12.3ms``, ``4.21s``,
    ``3m07s``, ``2h05m``."""
    if value is None:
        return "-"
    if not math.isfinite(value):
        return "?"
    sign = "-" if value < 0 else ""
    value = abs(value)
    if value == 0:
        return "0s"
    if value < 1e-6:
        return f"{sign}{value * 1e9:.0f}ns"  # never "0µs" for a time that is not zero
    if value < 1e-5:
        return f"{sign}{value * 1e6:.1f}\u00b5s"
    if value < 1e-3:
        return f"{sign}{value * 1e6:.0f}\u00b5s"
    if value < 1:
        return f"{sign}{value * 1e3:.1f}ms"
    if value < 60:
        return f"{sign}{value:.2f}s"
    if value < 3600:
        minutes, rest = divmod(round(value), 60)
        return f"{sign}{minutes}m{rest:02d}s"
    hours, rest = divmod(round(value), 3600)
    return f"{sign}{hours}h{rest // 60:02d}m"


def timestamp(value: datetime | None) -> str:
    """An absolute time as ISO-8601 to the millisecond, or ``-``."""
    if value is None:
        return "-"
    text = value.isoformat(sep=" ", timespec="milliseconds")
    return text.replace("+00:00", "Z")


def nice_step(raw: float) -> float:
    """The round step (1, 2 or 5 times a power of ten) at or above ``raw``: axis ticks."""
    exponent = math.floor(math.log10(raw)) if raw > 0 else 0
    base = 10.0**exponent
    for multiple in (1, 2, 5, 10):
        if raw <= multiple * base:
            return multiple * base
    return 10 * base
