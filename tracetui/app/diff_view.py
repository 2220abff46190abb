"""The diff screen: aligned rows, sortable and filterable, with before/after bars."""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static

from tracetui.analysis.diff import Change, Diff, Pair
from tracetui.app.keys import QUIT_AND_HELP
from tracetui.app.line_list import LineList
from tracetui.app.navigation import Back, ShowPair, ShowTimelines
from tracetui.app.outline_view import OutlineView
from tracetui.app.ruler import Ruler
from tracetui.app.span_list import SpanList
from tracetui.display import GLYPH, WORD, counted, seconds
from tracetui.model import Status, Trace
from tracetui.text import pad, safe_line, shorten
from tracetui.view.content import span_detail
from tracetui.view.diff_rows import FILTERS, DiffFilter, DiffSort, compare_bar, marker
from tracetui.view.outline import Node
from tracetui.view.timeaxis import TimeAxis


def _statuses(pair: Pair, after: Status | None) -> str:
    """The status column: both sides where the status changed (``✓→✗``), else the one."""
    if pair.status_changed and pair.status_before is not None and after is not None:
        text = f"{GLYPH[pair.status_before]}\u2192{GLYPH[after]} {WORD[after]}"
        return f"{text:<12}"
    return f"{GLYPH[after]} {WORD[after]:<9} " if after else " " * 12


class DiffList(LineList[Pair]):
    """Aligned pairs: what changed, name, before, after, delta, percent, and a bar."""

    BINDING_GROUP_TITLE = "Diff list"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open_pair", "Both sides", id="diff.open"),
        Binding("o", "cycle_sort", "Sort", id="diff.sort"),
        Binding("f", "cycle_filter", "Filter", id="diff.filter"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        *LineList.COMPONENT_CLASSES,
        "diff-list--slower",
        "diff-list--faster",
        "diff-list--failing",
        "diff-list--muted",
        "diff-list--name",
    }

    DEFAULT_CSS = """
    DiffList > .diff-list--slower { color: $error; }
    DiffList > .diff-list--faster { color: $success; }
    DiffList > .diff-list--failing { color: $error; text-style: bold; }
    DiffList > .diff-list--muted { color: $text-muted; }
    DiffList > .diff-list--name { color: $foreground; }
    """

    class Opened(Message):
        """A pair was chosen for the side-by-side view."""

        def __init__(self, pair: Pair) -> None:
            super().__init__()
            self.pair = pair

    class ViewChanged(Message):
        """Sort or filter changed."""

    def __init__(self, result: Diff, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.result = result
        self.filter = DiffFilter.ALL
        self.sort = DiffSort.TREE
        values = [
            v for p in result.pairs for v in (p.seconds_before, p.seconds_after) if v is not None
        ]
        self.scale = max(values, default=0.0)

    def on_mount(self) -> None:
        self.set_rows(list(self.result.pairs))

    def refilter(self) -> None:
        """Apply the filter and sort."""
        keep = FILTERS[self.filter]
        pairs = [p for p in self.result.pairs if keep(p)]
        if self.sort is DiffSort.SECONDS:
            pairs.sort(key=lambda p: (-abs(p.delta or 0.0), p.path))
        elif self.sort is DiffSort.PERCENT:
            pairs.sort(key=lambda p: (-abs(p.percent or 0.0), p.path))
        self.set_rows(pairs, cursor=0)
        self.post_message(self.ViewChanged())

    def empty_text(self) -> str:
        return f"no node is {self.filter.value} (f shows the next filter)"

    def action_cycle_sort(self) -> None:
        """Order by tree, change in seconds, change in percent."""
        order = list(DiffSort)
        self.sort = order[(order.index(self.sort) + 1) % len(order)]
        self.refilter()

    def action_cycle_filter(self) -> None:
        """Show all, regressions, status changes, added/removed, significant."""
        order = list(DiffFilter)
        self.filter = order[(order.index(self.filter) + 1) % len(order)]
        self.refilter()

    def action_open_pair(self) -> None:
        """Show the pair's two sides."""
        pair = self.current()
        if pair is not None:
            self.post_message(self.Opened(pair))

    def render_row(self, row: int, width: int, selected: bool) -> list[Segment]:
        pair = self.rows[row]
        glyph, word = marker(pair)
        muted = self.get_component_rich_style("diff-list--muted")
        if pair.newly_failing:
            style = self.get_component_rich_style("diff-list--failing")
        elif pair.change is Change.SLOWER and pair.significant:
            style = self.get_component_rich_style("diff-list--slower")
        elif pair.change is Change.FASTER and pair.significant:
            style = self.get_component_rich_style("diff-list--faster")
        else:
            style = muted
        name_width = max(12, min(40, (width - 56) // 2))
        indent = "  " * pair.depth if self.sort is DiffSort.TREE else ""
        label = pad(indent + safe_line(pair.name if indent else pair.path), name_width, cell_len)
        delta = pair.delta
        delta_text = "" if delta is None else ("+" if delta > 0 else "") + seconds(delta)
        percent = pair.percent
        percent_text = f"{percent:+.0f}%" if percent is not None else ""
        after_status = pair.status_after or pair.status_before
        bar_width = max(0, width - name_width - 60)
        return [
            Segment("\u203a" if selected else " ", muted),
            Segment(f"{glyph} {word:<8}", style),
            Segment(f"{label} ", self.get_component_rich_style("diff-list--name")),
            Segment(
                f"{seconds(pair.seconds_before):>9} \u2192 {seconds(pair.seconds_after):>9}", muted
            ),
            Segment(f"{delta_text:>10} {percent_text:>6} ", style),
            Segment(_statuses(pair, after_status), muted),
            Segment(
                compare_bar(pair.seconds_before, pair.seconds_after, self.scale, bar_width), style
            ),
        ]


class PairScreen(Screen[None]):
    """One unit of work from both runs, side by side."""

    BINDING_GROUP_TITLE = "Both sides"

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "back", "Back", id="pair.back")]

    DEFAULT_CSS = """
    PairScreen Horizontal > Vertical { width: 1fr; }
    .pair-title { height: 1; background: $panel; padding: 0 1; }
    """

    def __init__(self, pair: Pair, baseline: list[Trace], current: Trace) -> None:
        super().__init__()
        self.pair = pair
        self.baseline = baseline
        self.current = current

    def compose(self) -> ComposeResult:
        with Horizontal():
            with Vertical():
                runs = len(self.pair.before)
                yield Static(
                    Text(f"Baseline ({runs} run{'s' if runs != 1 else ''})"), classes="pair-title"
                )
                yield OutlineView(id="pair-before")
            with Vertical():
                yield Static(Text("Current"), classes="pair-title")
                yield OutlineView(id="pair-after")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        before = self.pair.before[-1] if self.pair.before else None
        self.query_one("#pair-before", OutlineView).show(self._detail(before, self.baseline))
        self.query_one("#pair-after", OutlineView).show(
            self._detail(self.pair.after, [self.current])
        )
        self.query_one("#pair-after", OutlineView).focus()

    def _detail(self, span: object, traces: list[Trace]) -> list[Node]:
        from tracetui.model import Span

        if not isinstance(span, Span):
            return [Node([("not in this run", "muted")])]
        trace = next((t for t in traces if span in t.spans), None)
        if trace is None:
            return [Node([("not in this run", "muted")])]
        nodes = span_detail(trace, span.index)
        if len(self.pair.before) > 1 and traces is self.baseline and self.pair.spread:
            low, high = self.pair.spread
            nodes.insert(
                1,
                Node(
                    [
                        ("baseline median ", "muted"),
                        (seconds(self.pair.seconds_before), "number"),
                        ("  spread ", "muted"),
                        (f"{seconds(low)} \u2013 {seconds(high)}", "number"),
                    ]
                ),
            )
        return nodes

    def action_back(self) -> None:
        """Back to the diff."""
        self.post_message(Back())


class TimelinesScreen(Screen[None]):
    """Baseline above current, on one time axis: zooming one zooms both."""

    BINDING_GROUP_TITLE = "Timelines"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab", "switch", "Other run", id="timelines.switch"),
        Binding("escape", "back", "Back", id="timelines.back"),
    ]

    DEFAULT_CSS = """
    TimelinesScreen Vertical { height: 1fr; }
    .timeline-title { height: 1; background: $panel; padding: 0 1; }
    """

    def __init__(self, baseline: Trace, current: Trace) -> None:
        super().__init__()
        self.before = SpanList(baseline, id="timeline-before")
        self.after = SpanList(current, id="timeline-after")
        shared = TimeAxis(
            min(self.before.axis.full_start, self.after.axis.full_start),
            max(self.before.axis.full_end, self.after.axis.full_end),
        )
        self.before.axis = shared
        self.after.axis = shared

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text("Baseline"), classes="timeline-title")
            yield Ruler(self.before, id="ruler-before")
            yield self.before
        with Vertical():
            yield Static(Text("Current"), classes="timeline-title")
            yield Ruler(self.after, id="ruler-after")
            yield self.after
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.after.focus()

    @on(SpanList.AxisChanged)
    def redraw_both(self) -> None:
        """One axis changed, so both lists and rulers redraw."""
        for widget in (self.before, self.after):
            widget.redraw()
        for ruler in self.query(Ruler):
            ruler.refresh()

    def action_switch(self) -> None:
        """Move between the two runs."""
        (self.before if self.focused is self.after else self.after).focus()

    def action_back(self) -> None:
        """Back to the diff."""
        self.post_message(Back())


class DiffScreen(Screen[None]):
    """What changed between the baseline and the current run."""

    BINDING_GROUP_TITLE = "Diff"

    AUTO_FOCUS = "#diff-list"

    BINDINGS: ClassVar[list[BindingType]] = [
        *QUIT_AND_HELP,
        Binding("t", "timelines", "Timelines", id="diff.timelines"),
        Binding("escape", "back", "Back", id="diff.back"),
    ]

    DEFAULT_CSS = """
    #diff-title { height: 1; background: $primary-background; padding: 0 1; text-wrap: nowrap; }
    #diff-header { height: 1; background: $panel; color: $text-muted; text-wrap: nowrap; }
    """

    def __init__(self, result: Diff) -> None:
        super().__init__()
        self.result = result

    def compose(self) -> ComposeResult:
        yield Static(id="diff-title")
        yield Static(id="diff-header")
        yield DiffList(self.result, id="diff-list")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self._update_title()

    @on(DiffList.ViewChanged)
    def _update_title(self) -> None:
        result = self.result
        before, after = result.before, result.after
        view = self.query_one(DiffList)
        title = Text(no_wrap=True, overflow="ellipsis")
        title.append(counted(len(result.regressions()), "regression"), style="bold")
        title.append(f", {counted(len(result.status_changes()), 'status change')}, ")
        title.append(f"{sum(1 for p in result.pairs if p.change is Change.ADDED)} added, ")
        title.append(f"{sum(1 for p in result.pairs if p.change is Change.REMOVED)} removed")
        title.append(f"   run {seconds(before.duration_s)} \u2192 {seconds(after.duration_s)}")
        title.append(
            f"   [filter: {view.filter.value} \u00b7 sort: {view.sort.value}]", style="italic"
        )
        self.query_one("#diff-title", Static).update(title)
        runs = len(result.baseline)
        width = view.row_width or self.size.width
        header = (
            f"  change    {'node':<{max(12, min(40, (width - 56) // 2))}} "
            f"{'baseline' + (' (median)' if runs > 1 else ''):>9} \u2192 {'current':>9}"
            f"{'change':>11} {'%':>6} {'status':<12}"
            "\u2588 current \u2502 baseline \u2591 baseline longer"
        )
        self.query_one("#diff-header", Static).update(
            Text(shorten(header, width), no_wrap=True, overflow="ellipsis")
        )

    @on(DiffList.Opened)
    def open_pair(self, message: DiffList.Opened) -> None:
        """Both sides of one pair."""
        self.post_message(ShowPair(message.pair, self.result.baseline, self.result.current))

    def action_back(self) -> None:
        """Back to where the diff was opened from."""
        self.post_message(Back())

    def action_timelines(self) -> None:
        """The two runs one above the other on one time axis."""
        self.post_message(ShowTimelines(self.result.baseline[-1], self.result.current))
