"""The explorer's main pane: one row per span, a tree on the left and its bar on a shared axis."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingType
from textual.message import Message

from tracetui.app.line_list import LineList, status_css
from tracetui.display import GLYPH, WORD, seconds
from tracetui.model import Status, Trace
from tracetui.text import safe_line, shorten
from tracetui.view.rows import Row, RowModel, Rows, SearchIndex, SortKey, Targets, failures
from tracetui.view.timeaxis import MARK, OPEN, RUN, WAIT, TimeAxis, bar

FIXED = 1 + 2 + 10 + 10 + 1  # cursor mark, glyph, status word, duration, bar separator
STATUS_CLASSES = {status: f"span-list--{status.value}" for status in Status}
SORT_CYCLE = [SortKey.START, SortKey.DURATION, SortKey.NAME, SortKey.SOURCE]


@dataclass(slots=True)
class PreparedRun:
    """A newer version of the run made ready off the event loop: its rows laid out in the
    sort shown, its time axis, its failures and (while a search is shown) its search index,
    which ``replace_trace`` would otherwise compute while a key waits."""

    trace: Trace
    model: RowModel
    axis: TimeAxis
    failures: Targets
    search_index: SearchIndex | None

    @classmethod
    def of(cls, trace: Trace, sort: SortKey, searching: bool) -> PreparedRun:
        """Everything about ``trace`` that does not depend on what the user set up since."""
        model = RowModel(trace, sort=sort)
        model.layout()
        index = SearchIndex(trace) if searching else None
        return cls(trace, model, TimeAxis.for_trace(trace), failures(trace), index)


def columns(width: int) -> tuple[int, int]:
    """(name width, bar width) for a list of ``width`` cells; the bar may be 0 when narrow."""
    rest = max(0, width - FIXED)
    if rest < 24:
        return rest, 0
    name = max(14, min(48, int(rest * 0.45)))
    return name, rest - name


class SpanList(LineList[Row]):
    """Spans as rows: status, folding tree, duration and a bar on the shared time axis."""

    BINDING_GROUP_TITLE = "Span list and timeline"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,space", "toggle_fold", "Fold", id="spans.fold"),
        Binding("left,h", "fold_or_parent", "Fold/parent", show=False, id="spans.fold_parent"),
        Binding("right,l", "unfold", "Unfold", show=False, id="spans.unfold"),
        Binding(
            "right_square_bracket",
            "next_failure",
            "Next failure",
            key_display="]",
            id="spans.next_failure",
        ),
        Binding(
            "left_square_bracket",
            "previous_failure",
            "Prev failure",
            key_display="[",
            show=False,
            id="spans.previous_failure",
        ),
        Binding("n", "next_match", "Next match", show=False, id="spans.next_match"),
        Binding("N", "previous_match", "Prev match", show=False, id="spans.previous_match"),
        Binding("o", "cycle_sort", "Sort", show=False, id="spans.sort"),
        Binding(
            "plus,equals_sign", "zoom_in", "Zoom in", key_display="+", show=False, id="axis.zoom_in"
        ),
        Binding("minus", "zoom_out", "Zoom out", key_display="-", show=False, id="axis.zoom_out"),
        Binding(
            "less_than_sign,shift+left",
            "pan_left",
            "Pan earlier",
            key_display="<",
            show=False,
            id="axis.pan_left",
        ),
        Binding(
            "greater_than_sign,shift+right",
            "pan_right",
            "Pan later",
            key_display=">",
            show=False,
            id="axis.pan_right",
        ),
        Binding("0", "fit", "Fit run", show=False, id="axis.fit"),
        Binding("z", "zoom_to_selected", "Zoom to node", show=False, id="axis.zoom_selected"),
        Binding(
            "asterisk",
            "unfold_all",
            "Unfold all",
            key_display="*",
            show=False,
            id="spans.unfold_all",
        ),
        Binding(
            "underscore", "fold_all", "Fold all", key_display="_", show=False, id="spans.fold_all"
        ),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        *LineList.COMPONENT_CLASSES,
        *STATUS_CLASSES.values(),
        "span-list--name",
        "span-list--context",
        "span-list--match",
        "span-list--muted",
        "span-list--wait",
    }

    DEFAULT_CSS = """
    SpanList > .span-list--name { color: $foreground; }
    SpanList > .span-list--context { color: $text-muted; }
    SpanList > .span-list--match { background: $warning 30%; text-style: underline; }
    SpanList > .span-list--muted { color: $text-muted; }
    SpanList > .span-list--wait { color: $text-muted; }
    """ + status_css("SpanList", "span-list--")

    class SpanHighlighted(Message):
        """The cursor is on a span."""

        def __init__(self, span: int | None) -> None:
            super().__init__()
            self.span = span

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, SpanList.SpanHighlighted)

    class AxisChanged(Message):
        """The visible time window changed (the ruler redraws)."""

    class ViewChanged(Message):
        """Filter, sort or search changed (the header redraws)."""

    def __init__(self, trace: Trace, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.trace = trace
        self.model = RowModel(trace)
        self.axis = TimeAxis.for_trace(trace)
        self.matches = Targets()
        self.search_text = ""
        self._failures = failures(trace)
        self._search_index: SearchIndex | None = None
        self.row_count = len(self.model.rows())

    def on_mount(self) -> None:
        self.set_row_count(len(self.model.rows()))
        self.post_message(self.SpanHighlighted(self.selected_span))

    def replace_trace(self, trace: Trace, prepared: PreparedRun | None = None) -> None:
        """Show a newer version of the trace (follow mode), keeping what the user set up:
        the selected span, folds, filter, sort, search, zoom and scroll position.
        ``prepared`` is the trace already made ready off the event loop (its layout is used
        when its sort is still the one shown)."""
        old = self.trace
        selected = self.selected_span
        selected_key = old.spans[selected].key if selected is not None else None
        folded_keys = {old.spans[i].key for i in self.model.collapsed if i < len(old.spans)}
        scroll_y = self.scroll_offset.y
        zoomed = (self.axis.start, self.axis.end) != (self.axis.full_start, self.axis.full_end)
        window = (self.axis.start, self.axis.end)
        self.trace = trace
        if prepared is not None and prepared.trace is not trace:
            prepared = None
        if prepared is not None and prepared.model.sort == self.model.sort:
            model = prepared.model
            model.status_filter = self.model.status_filter
        else:
            model = RowModel(trace, sort=self.model.sort, status_filter=self.model.status_filter)
        if folded_keys:
            model.collapsed = {s.index for s in trace.spans if s.key in folded_keys}
        model.invalidate()
        self.model = model
        self.axis = prepared.axis if prepared is not None else TimeAxis.for_trace(trace)
        if zoomed:
            self.axis.start, self.axis.end = window
        self._failures = prepared.failures if prepared is not None else failures(trace)
        self._search_index = prepared.search_index if prepared is not None else None
        self.matches = self._find(self.search_text)
        # A followed run grows at its end: the selected span is usually where it was.
        if selected is not None and selected < len(trace.spans):
            keep = selected if trace.spans[selected].key == selected_key else None
        else:
            keep = None
        if keep is None and selected_key is not None:
            keep = next((s.index for s in trace.spans if s.key == selected_key), None)
        self._refresh_rows(keep=keep)
        self.scroll_to(y=scroll_y, animate=False, immediate=True)
        self.post_message(self.AxisChanged())
        self.post_message(self.SpanHighlighted(self.selected_span))

    def empty_text(self) -> str:
        if self.model.status_filter is not None:
            return "no span has the statuses the filter shows (f changes it, Esc clears it)"
        return "this run records no spans"

    # --- rows ------------------------------------------------------------------------------

    @property
    def rows(self) -> Rows:
        """The visible rows."""
        return self.model.rows()

    @property
    def selected_span(self) -> int | None:
        """The span under the cursor."""
        rows = self.rows
        return rows[self.cursor].span if 0 <= self.cursor < len(rows) else None

    def _refresh_rows(self, keep: int | None) -> None:
        """Recompute rows after a change; keep the cursor on ``keep`` when it is still shown."""
        self._version += 1
        rows = self.model.rows()
        target = self.model.row_of(keep) if keep is not None else None
        self.set_row_count(len(rows))
        if target is not None:
            self.cursor = target
        else:
            self.cursor = min(self.cursor, max(0, len(rows) - 1))

    def select_span(self, span: int) -> None:
        """Move the cursor to a span, unfolding (and clearing a filter that hides it)."""
        if not self.model.passes_filter(span):
            self.model.set_filter(None)
            self.post_message(self.ViewChanged())
        self.model.reveal(span)
        self._refresh_rows(keep=span)

    def tree_order(self) -> Sequence[int]:
        """Spans in display order, ignoring folds (laid out once per sort)."""
        return self.model.tree_order()

    def prepare(self) -> None:
        """Do ahead of time what sort and search would otherwise do on the first key press
        (meant for a background thread once the first screen is up)."""
        self.model.prepare()
        if self._search_index is None:
            self._search_index = SearchIndex(self.trace)

    def watch_cursor(self, old: int, new: int) -> None:
        super().watch_cursor(old, new)
        self.post_message(self.SpanHighlighted(self.selected_span))

    def row_cache_key(self, row: int) -> object:
        return (self._version, self.axis.key())

    # --- drawing ---------------------------------------------------------------------------

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(name)

    def render_row(self, row: int, width: int, selected: bool) -> list[Segment]:
        entry = self.rows[row]
        span = self.trace.spans[entry.span]
        name_width, bar_width = columns(width)
        status_style = self._style(STATUS_CLASSES[span.status])
        muted = self._style("span-list--muted")
        segments = [
            Segment("\u203a" if selected else " ", muted),
            Segment(GLYPH[span.status] + " ", status_style),
            Segment(f"{WORD[span.status]:<9} ", status_style),
        ]
        fold = ("\u25be " if entry.expanded else "\u25b8 ") if entry.has_children else "  "
        indent = "  " * entry.depth
        prefix = indent + fold
        label = shorten(safe_line(span.name), max(0, name_width - len(prefix)), cell_len)
        name_style = self._style("span-list--context" if entry.context else "span-list--name")
        if entry.span in self.matches:
            name_style += self._style("span-list--match")
        segments.append(Segment(prefix, muted))
        segments.append(Segment(label, name_style))
        segments.append(Segment(" " * max(0, name_width - len(prefix) - cell_len(label))))
        segments.append(Segment(f"{seconds(span.elapsed):>9} ", muted))
        if bar_width:
            segments.append(Segment("\u2502", muted))
            children = [self.trace.spans[c] for c in span.children]
            cells = bar(span, self.axis, bar_width, children)
            segments.extend(_bar_segments(cells, status_style, self._style("span-list--wait")))
        return segments

    # --- folding ---------------------------------------------------------------------------

    def action_toggle_fold(self) -> None:
        """Fold or unfold the span under the cursor."""
        entry = self._entry()
        if entry is not None and entry.has_children:
            self.model.toggle(entry.span)
            self._refresh_rows(keep=entry.span)

    def action_fold_or_parent(self) -> None:
        """Fold an open span; on a leaf or folded span, go to its parent."""
        entry = self._entry()
        if entry is None:
            return
        if entry.has_children and entry.expanded and self.model.status_filter is None:
            self.model.set_folded(entry.span, True)
            self._refresh_rows(keep=entry.span)
            return
        parent = self.trace.spans[entry.span].parent
        if parent is not None:
            self.select_span(parent)

    def action_unfold(self) -> None:
        """Unfold the span under the cursor."""
        entry = self._entry()
        if entry is not None and entry.has_children and not entry.expanded:
            self.model.set_folded(entry.span, False)
            self._refresh_rows(keep=entry.span)

    def action_fold_all(self) -> None:
        """Fold every span."""
        keep = self.selected_span
        self.model.fold_all(True)
        root = keep
        while root is not None and self.trace.spans[root].parent is not None:
            root = self.trace.spans[root].parent
        self._refresh_rows(keep=root)

    def action_unfold_all(self) -> None:
        """Unfold every span."""
        keep = self.selected_span
        self.model.fold_all(False)
        self._refresh_rows(keep=keep)

    def _entry(self) -> Row | None:
        rows = self.rows
        return rows[self.cursor] if 0 <= self.cursor < len(rows) else None

    # --- jumps -----------------------------------------------------------------------------

    def _jump(self, targets: Targets, step: int) -> bool:
        target = self.model.next_of(targets, self.selected_span, step)
        if target is None:
            return False
        self.select_span(target)
        return True

    def action_next_failure(self) -> None:
        """Go to the next failed, timed-out or cancelled span."""
        if not self._jump(self._failures, 1):
            self.notify("No failures in this run", timeout=2)

    def action_previous_failure(self) -> None:
        """Go to the previous failure."""
        if not self._jump(self._failures, -1):
            self.notify("No failures in this run", timeout=2)

    def search(self, query: str) -> int:
        """Highlight spans matching the query (name or error); returns how many."""
        self.search_text = query
        self.matches = self._find(query)
        self.redraw()
        self.post_message(self.ViewChanged())
        return len(self.matches)

    def _find(self, query: str) -> Targets:
        if not query.strip():
            return Targets()
        if self._search_index is None:
            self._search_index = SearchIndex(self.trace)
        return self._search_index.find(query)

    def action_next_match(self) -> None:
        """Go to the next search match."""
        if not self._jump(self.matches, 1) and self.search_text:
            self.notify(f"No match for {self.search_text!r}", timeout=2)

    def action_previous_match(self) -> None:
        """Go to the previous search match."""
        if not self._jump(self.matches, -1) and self.search_text:
            self.notify(f"No match for {self.search_text!r}", timeout=2)

    # --- filter and sort -------------------------------------------------------------------

    def set_filter(self, statuses: frozenset[Status] | None) -> None:
        """Show only spans in these statuses (with their parents)."""
        keep = self.selected_span
        self.model.set_filter(statuses)
        self._refresh_rows(keep=keep)
        if statuses is not None and keep is not None and not self.model.passes_filter(keep):
            first = next((row.span for row in self.rows if not row.context), None)
            if first is not None:
                self._refresh_rows(keep=first)
        self.post_message(self.ViewChanged())

    def set_sort(self, sort: SortKey) -> None:
        """Order siblings by start, duration, name or source order."""
        keep = self.selected_span
        self.model.set_sort(sort)
        self._refresh_rows(keep=keep)
        self.post_message(self.ViewChanged())

    def action_cycle_sort(self) -> None:
        """Sort by the next key: start, duration, name, source order."""
        position = SORT_CYCLE.index(self.model.sort)
        self.set_sort(SORT_CYCLE[(position + 1) % len(SORT_CYCLE)])

    # --- time axis -------------------------------------------------------------------------

    def _axis_changed(self) -> None:
        self.redraw()
        self.post_message(self.AxisChanged())

    def action_zoom_in(self) -> None:
        """Show half as much time, centred on the selected span."""
        span = self.selected_span
        centre = None
        if span is not None:
            s = self.trace.spans[span]
            if s.start is not None:
                centre = s.start if s.end is None else (s.start + s.end) / 2
        self.axis.zoom(0.5, centre)
        self._axis_changed()

    def action_zoom_out(self) -> None:
        """Show twice as much time."""
        self.axis.zoom(2.0)
        self._axis_changed()

    def action_pan_left(self) -> None:
        """Move the window earlier."""
        self.axis.pan(-0.25)
        self._axis_changed()

    def action_pan_right(self) -> None:
        """Move the window later."""
        self.axis.pan(0.25)
        self._axis_changed()

    def action_fit(self) -> None:
        """Show the whole run."""
        self.axis.fit()
        self._axis_changed()

    def action_zoom_to_selected(self) -> None:
        """Fit the window to the selected span."""
        span = self.selected_span
        if span is None:
            return
        s = self.trace.spans[span]
        start = s.start if s.start is not None else s.end
        end = s.end if s.end is not None else self.axis.full_end
        if start is None:
            return
        self.axis.focus(start, end)
        self._axis_changed()


def _bar_segments(cells: str, run_style: Style, wait_style: Style) -> list[Segment]:
    """Group bar cells into styled runs."""
    segments: list[Segment] = []
    current = ""
    current_style: Style | None = None
    for char in cells:
        style = run_style if char in (RUN, MARK, OPEN) else wait_style if char == WAIT else None
        if style is not current_style and current:
            segments.append(Segment(current, current_style))
            current = ""
        current_style = style
        current += char
    if current:
        segments.append(Segment(current, current_style))
    return segments
