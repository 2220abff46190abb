"""What screens ask of the app: where to go next. Screens post these; only the app pushes and
pops screens, so every way into a screen has its way back."""

from __future__ import annotations

from collections.abc import Callable

from textual.message import Message

from tracetui.analysis.diff import Diff, Pair
from tracetui.model import Status, Trace, TraceSet


class OpenRun(Message):
    """Show a run in the explorer, on one of its spans when given."""

    def __init__(self, trace: Trace, span: int | None = None) -> None:
        super().__init__()
        self.trace = trace
        self.span = span


class ShowFailures(Message):
    """Show every failure in what is open (or in ``sources``, when the screen asking has read
    them itself), ranked against ``query`` when it is not empty."""

    def __init__(self, query: str = "", sources: list[TraceSet] | None = None) -> None:
        super().__init__()
        self.query = query
        self.sources = sources


class ShowDiff(Message):
    """Show a diff of two runs (or of a run against several)."""

    def __init__(self, diff: Diff) -> None:
        super().__init__()
        self.diff = diff


class ShowPair(Message):
    """Show both sides of one node of a diff."""

    def __init__(self, pair: Pair, baseline: list[Trace], current: Trace) -> None:
        super().__init__()
        self.pair = pair
        self.baseline = baseline
        self.current = current


class ShowTimelines(Message):
    """Show two runs' timelines on one axis."""

    def __init__(self, baseline: Trace, current: Trace) -> None:
        super().__init__()
        self.baseline = baseline
        self.current = current


class ChooseStatuses(Message):
    """Ask which statuses to show; ``chosen`` hears the answer (None: show every status;
    False: the question was dismissed)."""

    def __init__(
        self, trace: Trace, chosen: Callable[[frozenset[Status] | bool | None], None]
    ) -> None:
        super().__init__()
        self.trace = trace
        self.chosen = chosen


class Back(Message):
    """Leave the current screen for the one it was reached from (the app quits when there is
    none)."""
