"""A cursor list that renders only the visible lines (Line API), the base of every long pane."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import ClassVar, Generic, TypeVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tracetui.text import shorten

# One look per status, whatever pane shows it; the glyph and word carry it without colour.
STATUS_STYLES = {
    # The text-* shades: readable on the surface and under the cursor at 4.5:1 or more in the
    # default theme (failures the most marked: bold, and the glyph and word say it too).
    "ok": "color: $text-success;",
    "failed": "color: $text-error; text-style: bold;",
    "timed_out": "color: $text-error;",
    "cancelled": "color: $text-warning;",
    "skipped": "color: $text-muted;",
    "cached": "color: $text-primary;",
    "running": "color: $text-accent;",
    "unknown": "color: $text-muted;",
}


def status_css(widget: str, prefix: str) -> str:
    """CSS rules giving the component classes ``{prefix}{status}`` of a widget their look."""
    return "\n".join(
        f"{widget} > .{prefix}{status} {{ {style} }}" for status, style in STATUS_STYLES.items()
    )


RowT = TypeVar("RowT")
# https://no-color.org: any non-empty value.
NO_COLOR = bool(os.environ.get("NO_COLOR"))


class LineList(ScrollView, Generic[RowT], can_focus=True):
    """Rows of type ``RowT`` drawn by ``render_row``; a cursor moves over them. The cursor
    plumbing lives here once: ``set_rows`` keeps the cursor on the same row, ``current`` is the
    row under it, and ``row_changed`` hears every move."""

    BINDING_GROUP_TITLE = "Moving in a list"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "cursor_down", "Down", show=False, id="cursor.down"),
        Binding("up,k", "cursor_up", "Up", show=False, id="cursor.up"),
        Binding("home,g", "cursor_first", "First", show=False, id="cursor.first"),
        Binding("end,G", "cursor_last", "Last", show=False, id="cursor.last"),
        Binding("pagedown,ctrl+f", "page_down", "Page down", show=False, id="cursor.page_down"),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False, id="cursor.page_up"),
    ]

    DEFAULT_CSS = """
    LineList {
        background: $surface;
        overflow-x: hidden;
        overflow-y: auto;
        /* The scrollbar's room is kept whether it shows or not: rows are laid out to the width
           left of it, and nothing is drawn under it. */
        scrollbar-gutter: stable;
    }
    LineList > .line-list--cursor { background: $primary 20%; text-style: bold; }
    LineList > .line-list--cursor-blurred { background: $panel; }
    """

    cursor: reactive[int] = reactive(0, always_update=True, repaint=False)

    class CursorMoved(Message):
        """The cursor moved to a row (merged when many arrive at once)."""

        def __init__(self, sender_id: str | None, row: int) -> None:
            super().__init__()
            self.sender_id = sender_id
            self.row = row

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, LineList.CursorMoved) and message.sender_id == self.sender_id

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.row_count = 0
        self._rows: Sequence[RowT] = ()
        self._version = 0  # bumped whenever the rows change: cached lines are stale
        self._strips: LRUCache[tuple[object, ...], Strip] = LRUCache(2048)

    # --- rows ----------------------------------------------------------------------------

    @property
    def rows(self) -> Sequence[RowT]:
        """The rows shown, in order."""
        return self._rows

    def set_rows(
        self, rows: Sequence[RowT], keep: RowT | None = None, *, cursor: int | None = None
    ) -> None:
        """Show ``rows``; the cursor stays on ``keep`` when it is still listed, else goes to
        ``cursor`` (or stays where it was)."""
        self._rows = rows
        self._version += 1
        self.set_row_count(len(rows))
        target = _position(rows, keep) if keep is not None else None
        if target is not None:
            self.cursor = target
        elif cursor is not None:
            self.cursor = cursor
        self.row_changed(self.current())

    def current(self) -> RowT | None:
        """The row under the cursor."""
        rows = self.rows
        return rows[self.cursor] if 0 <= self.cursor < len(rows) else None

    def row_changed(self, row: RowT | None) -> None:
        """The cursor is on a new row (or the rows changed): subclasses post their message."""

    # --- what subclasses provide ---------------------------------------------------------

    def render_row(self, row: int, width: int, selected: bool) -> list[Segment]:
        """Segments for one row (subclasses override)."""
        raise NotImplementedError

    def row_cache_key(self, row: int) -> object:
        """What a row's look depends on besides position, width and selection."""
        return None

    # --- state ---------------------------------------------------------------------------

    def set_row_count(self, count: int, *, keep_cursor: bool = True) -> None:
        """Change the number of rows and redraw."""
        self.row_count = count
        self.virtual_size = Size(self.size.width, count)
        self._strips.clear()
        cursor = min(self.cursor, max(0, count - 1)) if keep_cursor else 0
        self.cursor = cursor
        self.refresh()

    def redraw(self) -> None:
        """Forget cached lines and repaint."""
        self._strips.clear()
        self.refresh()

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, self.row_count - 1)) if self.row_count else 0

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh_line_at(old)
        self.refresh_line_at(new)
        self.scroll_to_cursor()
        self.post_message(self.CursorMoved(self.id, new))
        if old != new:
            self.row_changed(self.current())

    def refresh_line_at(self, row: int) -> None:
        """Repaint one row if it is on screen."""
        y = row - self.scroll_offset.y
        if 0 <= y < self.size.height:
            self.refresh(Region(0, y, self.size.width, 1))

    def scroll_to_cursor(self) -> None:
        """Keep the cursor row on screen."""
        self.scroll_to_region(
            Region(0, self.cursor, 1, 1), animate=False, immediate=True, force=True
        )

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(event.size.width, self.row_count)
        self._strips.clear()
        # A smaller terminal must not leave the cursor row out of sight.
        self.call_after_refresh(self.scroll_to_cursor)

    # --- drawing -------------------------------------------------------------------------

    @property
    def row_width(self) -> int:
        """Cells a row may use: the width less the scrollbar's, so no text hides under it."""
        return self.scrollable_content_region.width

    def empty_text(self) -> str:
        """What an empty list says instead of showing nothing (subclasses say why)."""
        return "nothing to show"

    def render_line(self, y: int) -> Strip:
        row = self.scroll_offset.y + y
        width = self.row_width
        if self.row_count == 0 and y == 0 and width > 0:
            text = shorten(f"  {self.empty_text()}", width)
            return Strip([Segment(text, self.rich_style + Style(italic=True))]).crop_extend(
                0, width, self.rich_style
            )
        if row >= self.row_count or width <= 0:
            return Strip.blank(width, self.rich_style)
        selected = row == self.cursor
        key = (row, width, selected, self.has_focus, self._version, self.row_cache_key(row))
        strip = self._strips.get(key)
        if strip is None:
            base = self.rich_style
            # Every segment carries a style: Textual's NO_COLOR filter cannot take None.
            segments = [
                segment if segment.style is not None else Segment(segment.text, base)
                for segment in self.render_row(row, width, selected)
            ]
            strip = Strip(segments)
            if strip.cell_length > width > 1:
                # Longer than the room: end in an ellipsis, never a value cut off silently.
                last = strip.crop(width - 2, width - 1)
                style = next((seg.style for seg in last if seg.style), base)
                strip = Strip.join([strip.crop(0, width - 1), Strip([Segment("\u2026", style)])])
            strip = strip.crop_extend(0, width, base)
            if selected:
                # Over the row's own colours: the cursor's background wins, the text keeps its hue.
                cursor = self.cursor_style()
                over = Style(bgcolor=cursor.bgcolor, bold=cursor.bold, reverse=cursor.reverse)
                strip = Strip(
                    [Segment(s.text, (s.style or base) + over, s.control) for s in strip],
                    strip.cell_length,
                )
            self._strips[key] = strip
        return strip

    def cursor_style(self) -> Style:
        """The style laid over the cursor row. Without colour (``NO_COLOR``) greys of one row
        and the next are hard to tell apart: the cursor is reversed, at full contrast
        whatever the row's status."""
        if NO_COLOR:
            return Style(reverse=True, bold=self.has_focus)
        if self.has_focus:
            return self.get_component_rich_style("line-list--cursor")
        return self.get_component_rich_style("line-list--cursor-blurred")

    COMPONENT_CLASSES: ClassVar[set[str]] = {"line-list--cursor", "line-list--cursor-blurred"}

    def notify_style_update(self) -> None:
        """Styles changed (a new theme, say): every cached line is drawn again."""
        super().notify_style_update()
        self._strips.clear()

    def on_focus(self) -> None:
        self.redraw()

    def on_blur(self) -> None:
        self.redraw()

    # --- actions -------------------------------------------------------------------------

    def action_cursor_down(self) -> None:
        """Move down one row."""
        self.cursor += 1

    def action_cursor_up(self) -> None:
        """Move up one row."""
        self.cursor -= 1

    def action_cursor_first(self) -> None:
        """Go to the first row."""
        self.cursor = 0

    def action_cursor_last(self) -> None:
        """Go to the last row."""
        self.cursor = self.row_count - 1

    def action_page_down(self) -> None:
        """Move down one screen."""
        self.cursor += max(1, self.size.height - 1)

    def action_page_up(self) -> None:
        """Move up one screen."""
        self.cursor -= max(1, self.size.height - 1)

    def on_click(self, event: events.Click) -> None:
        row = self.scroll_offset.y + event.y
        if 0 <= row < self.row_count:
            self.cursor = row


def _position(rows: Sequence[RowT], row: RowT) -> int | None:
    """Where ``row`` is listed (the same object, else an equal one), or None."""
    for position, candidate in enumerate(rows):
        if candidate is row:
            return position
    for position, candidate in enumerate(rows):
        if candidate == row:
            return position
    return None
