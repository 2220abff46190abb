"""The explorer's time axis: the visible window, zoom and pan, ruler ticks and bar cells."""

from __future__ import annotations

import math
from dataclasses import dataclass

from tracetui.display import nice_step, seconds
from tracetui.model import Span, Status, Trace

RUN = "\u2588"  # █ the span did work
WAIT = "\u2591"  # ░ inside the span but waiting (queued, gated, collected late)
MARK = "\u25c6"  # ◆ a zero-time event: a cache hit, a skip, a cancellation
OPEN = "\u25b6"  # ▶ still running at the end of the trace
TICK = "\u2502"  # │ ruler tick


@dataclass
class TimeAxis:
    """The visible window [start, end] in seconds from the trace origin."""

    full_start: float
    full_end: float
    start: float = 0.0
    end: float = 0.0

    def __post_init__(self) -> None:
        if self.full_end <= self.full_start:
            self.full_end = self.full_start + 1e-6
        self.fit()

    @classmethod
    def for_trace(cls, trace: Trace) -> TimeAxis:
        """An axis covering the whole trace."""
        extent = trace.extent() or (0.0, 0.0)
        start = min(extent[0], 0.0)
        end = max(extent[1], start + (trace.duration or 0.0))
        return cls(start, end)

    @property
    def span(self) -> float:
        """Width of the visible window in seconds."""
        return self.end - self.start

    def fit(self) -> None:
        """Show the whole run."""
        self.start, self.end = self.full_start, self.full_end

    def zoom(self, factor: float, centre: float | None = None) -> None:
        """Zoom in (factor < 1) or out (factor > 1) around a time (default: the middle)."""
        centre = (self.start + self.end) / 2 if centre is None else centre
        width = max(self.span * factor, (self.full_end - self.full_start) * 1e-9, 1e-9)
        if width >= self.full_end - self.full_start:
            self.fit()
            return
        self.start = centre - width * (centre - self.start) / max(self.span, 1e-12)
        self.end = self.start + width
        self._clamp()

    def pan(self, fraction: float) -> None:
        """Move the window by a fraction of its width (negative: earlier)."""
        shift = self.span * fraction
        self.start += shift
        self.end += shift
        self._clamp()

    def focus(self, start: float, end: float) -> None:
        """Show an interval with a little margin either side."""
        width = max(end - start, (self.full_end - self.full_start) * 1e-6, 1e-9)
        margin = width * 0.05
        self.start, self.end = start - margin, end + margin
        self._clamp()

    def _clamp(self) -> None:
        width = self.span
        total = self.full_end - self.full_start
        if width >= total:
            self.fit()
            return
        if self.start < self.full_start:
            self.start, self.end = self.full_start, self.full_start + width
        if self.end > self.full_end:
            self.start, self.end = self.full_end - width, self.full_end

    def column(self, time: float, width: int) -> float:
        """Fractional column of a time in a bar of ``width`` cells."""
        return (time - self.start) / self.span * width

    def key(self) -> tuple[float, float]:
        """Identity of the current window, for render caches."""
        return (self.start, self.end)


def ruler(axis: TimeAxis, width: int) -> str:
    """A one-line ruler: ticks at round times with their labels."""
    if width <= 0:
        return ""
    cells = [" "] * width
    step = nice_step(axis.span / max(2, width // 10))
    first = math.ceil(axis.start / step) * step
    time = first
    while time <= axis.end + step * 1e-9:
        column = int(axis.column(time, width))
        label = seconds(round(time / step) * step if abs(time) > step * 1e-6 else 0.0)
        if 0 <= column < width:
            cells[column] = TICK
            _label(cells, column, label)
        time += step
    return "".join(cells)


def _label(cells: list[str], column: int, label: str) -> None:
    """Write a tick's label whole, right of it, or left of it at the right edge; never cut
    short or over another label (then the tick stands alone)."""
    for first in (column + 1, column - len(label)):
        room = range(first, first + len(label))
        if first >= 0 and room.stop <= len(cells) and all(cells[x] == " " for x in room):
            # Keep a space between this label and a neighbour's on either side.
            before = cells[first - 1] if first > 0 else " "
            after = cells[room.stop] if room.stop < len(cells) else " "
            if before in (" ", TICK) and after in (" ", TICK):
                cells[first : room.stop] = list(label)
                return


def bar(span: Span, axis: TimeAxis, width: int, children: list[Span] | None = None) -> str:
    """The span's bar as ``width`` cells: run, wait, marks; spaces elsewhere."""
    if width <= 0:
        return ""
    cells = [" "] * width
    start, end = span.start, span.end
    if start is None and end is None:
        return "".join(cells)
    if start is None or end is None or end - start <= 0:
        at = start if start is not None else end
        assert at is not None
        column = int(axis.column(at, width))
        if column == width and at <= axis.end:
            column = width - 1  # an instant at the very end of the window
        if 0 <= column < width:
            cells[column] = MARK
        if span.status is Status.RUNNING and end is None and start is not None:
            _fill(cells, axis, start, axis.full_end, width, RUN)
            _mark_open(cells, axis, width)
        return "".join(cells)
    _fill(cells, axis, start, end, width, RUN)
    # dagron-style: the reported run time is shorter than the span; the rest was waiting.
    if span.duration is not None and 0 <= span.duration < (end - start) * 0.98:
        # The bar's first cell stays "run" so that even a tiny run time shows.
        _fill(
            cells,
            axis,
            start + span.duration,
            end,
            width,
            WAIT,
            keep=int(axis.column(start, width)),
        )
    for child in children or []:
        if child.kind == "gate" and child.start is not None:
            _fill(
                cells, axis, child.start, child.end if child.end is not None else end, width, WAIT
            )
    return "".join(cells)


def _fill(
    cells: list[str],
    axis: TimeAxis,
    start: float,
    end: float,
    width: int,
    char: str,
    keep: int | None = None,
) -> None:
    left = axis.column(start, width)
    right = axis.column(end, width)
    if right < 0 or left >= width:
        return
    first = max(0, int(left))
    last = min(width - 1, max(first, math.ceil(right) - 1))
    for column in range(first, last + 1):
        if column != keep:
            cells[column] = char


def _mark_open(cells: list[str], axis: TimeAxis, width: int) -> None:
    column = min(width - 1, int(axis.column(axis.full_end, width)))
    if 0 <= column < width:
        cells[column] = OPEN
