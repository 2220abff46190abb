"""The time ruler above the span list, aligned with its bar column."""

from __future__ import annotations

from rich.segment import Segment
from textual.strip import Strip
from textual.widget import Widget

from tracetui.app.span_list import SpanList, columns
from tracetui.display import seconds
from tracetui.view.timeaxis import ruler


class Ruler(Widget):
    """One line: the visible window on the left, ticks over the list's bar column."""

    DEFAULT_CSS = """
    Ruler {
        height: 1;
        background: $panel;
        color: $text-muted;
    }
    """

    def __init__(self, spans: SpanList, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.spans = spans

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        # The list's scrollbar takes columns: align with its content, not with our width.
        content = min(width, self.spans.row_width or width)
        style = self.rich_style
        axis = self.spans.axis
        _, bar_width = columns(content)
        label = f" {seconds(axis.start)} \u2192 {seconds(axis.end)}"
        if bar_width == 0:
            return Strip([Segment(label[:width].ljust(width), style)])
        left_width = content - bar_width
        left = label[: left_width - 1].ljust(left_width - 1) + "\u2502"
        tail = " " * (width - content)
        return Strip(
            [Segment(left, style), Segment(ruler(axis, bar_width), style), Segment(tail, style)]
        )
