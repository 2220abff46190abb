"""What the diff list shows of each pair: which pairs a filter keeps, the orders, the marker
that says what changed without colour, and the before/after bar."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from tracetui.analysis.diff import Change, Pair


class DiffFilter(StrEnum):
    """Which pairs the diff list shows."""

    ALL = "all"
    REGRESSIONS = "regressions"
    STATUS = "status changes"
    ADDED_REMOVED = "added/removed"
    SIGNIFICANT = "significant"


class DiffSort(StrEnum):
    """How the diff list is ordered."""

    TREE = "tree"
    SECONDS = "change (s)"
    PERCENT = "change (%)"


FILTERS: dict[DiffFilter, Callable[[Pair], bool]] = {
    DiffFilter.ALL: lambda p: True,
    DiffFilter.REGRESSIONS: lambda p: p.regression,
    DiffFilter.STATUS: lambda p: p.status_changed or p.newly_failing,
    DiffFilter.ADDED_REMOVED: lambda p: p.change in (Change.ADDED, Change.REMOVED),
    DiffFilter.SIGNIFICANT: lambda p: (
        p.significant or p.status_changed or p.change in (Change.ADDED, Change.REMOVED)
    ),
}


def marker(pair: Pair) -> tuple[str, str]:
    """A glyph and word for what changed, readable without colour."""
    if pair.change is Change.ADDED:
        return "+", "added"
    if pair.change is Change.REMOVED:
        return "\u2212", "removed"
    if pair.newly_failing:
        return "\u2717", "failing"
    if pair.fixed:
        return "\u2713", "fixed"
    if pair.status_changed:
        return "\u2260", "status"
    if pair.significant and pair.change is Change.SLOWER:
        return "\u25b2", "slower"
    if pair.significant and pair.change is Change.FASTER:
        return "\u25bc", "faster"
    return " ", ""


def compare_bar(before: float | None, after: float | None, scale: float, width: int) -> str:
    """After as a solid bar, before as a tick (or shade where the run got shorter)."""
    if width <= 0 or scale <= 0:
        return " " * max(0, width)
    cells = [" "] * width

    def column(value: float) -> int:
        return min(width - 1, max(0, round(value / scale * (width - 1))))

    if after is not None:
        for x in range(column(after) + (1 if after > 0 else 0)):
            cells[x] = "\u2588"
    if before is not None:
        at = column(before)
        if after is not None and before > after:
            for x in range(column(after) + 1, at + 1):
                cells[x] = "\u2591"
        elif cells[at] == " ":
            cells[at] = "\u2502"
        else:
            cells[at] = "\u254b" if after is not None and after > 0 else "\u2502"
    return "".join(cells)
