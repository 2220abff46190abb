"""A Line-API pane that shows a foldable outline: the detail and summary panes."""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message

from tracetui.app.line_list import LineList, status_css
from tracetui.view.outline import Line, Node, flatten, plain, wrap_ranges

STYLE_NAMES = (
    "title",
    "heading",
    "heading-error",
    "key",
    "value",
    "number",
    "literal",
    "muted",
    "error",
    "status-ok",
    "status-failed",
    "status-skipped",
    "status-timed_out",
    "status-cancelled",
    "status-cached",
    "status-running",
    "status-unknown",
)


# Screen rows: (position of the outline line, first and end character of its piece).
class OutlineView(LineList[tuple[int, int, int]]):
    """Foldable sections of styled lines; Enter folds, or jumps to the span a line names."""

    BINDING_GROUP_TITLE = "Detail and summary panes"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "activate", "Open/fold", id="outline.activate"),
        Binding("space", "toggle_fold", "Fold", show=False, id="outline.toggle"),
        Binding("left,h", "fold", "Fold", show=False, id="outline.fold"),
        Binding("right,l", "unfold", "Unfold", show=False, id="outline.unfold"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        *LineList.COMPONENT_CLASSES,
        *(f"outline--{name}" for name in STYLE_NAMES),
    }

    DEFAULT_CSS = """
    OutlineView > .outline--title { text-style: bold; }
    OutlineView > .outline--heading { color: $accent; text-style: bold; }
    OutlineView > .outline--heading-error { color: $error; text-style: bold; }
    OutlineView > .outline--key { color: $primary; }
    OutlineView > .outline--value { color: $foreground; }
    OutlineView > .outline--number { color: $secondary; }
    OutlineView > .outline--literal { color: $warning; }
    OutlineView > .outline--muted { color: $text-muted; }
    OutlineView > .outline--error { color: $error; }
    """ + status_css("OutlineView", "outline--status-")

    class Jump(Message):
        """A line that names a span was activated."""

        def __init__(self, span: int) -> None:
            super().__init__()
            self.span = span

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.roots: list[Node] = []
        self.lines: list[Line] = []
        self._wrap_width = 0

    def show(self, roots: list[Node]) -> None:
        """Replace the content and go to the top."""
        self.roots = roots
        self._relayout()
        self.cursor = 0
        self.scroll_to(0, 0, animate=False, immediate=True)

    def _relayout(self, keep_line: int | None = None) -> None:
        """Flatten by fold state and wrap long lines to the current width."""
        self.lines = flatten(self.roots)
        width = max(10, self.row_width or self.size.width or 80)
        self._wrap_width = width
        rows: list[tuple[int, int, int]] = []
        for position, line in enumerate(self.lines):
            room = max(8, width - 2 * line.depth - 2)
            text = "".join(piece for piece, _ in line.node.segments)
            rows.extend((position, start, end) for start, end in wrap_ranges(text, room))
        cursor = None
        if keep_line is not None:
            cursor = next((r for r, (p, _, _) in enumerate(rows) if p == keep_line), 0)
        self.set_rows(rows, cursor=cursor)

    def on_resize(self, event: events.Resize) -> None:
        super().on_resize(event)
        if event.size.width != self._wrap_width and self.roots:
            self._relayout(self.current_line())

    def current_line(self) -> int | None:
        """Position in ``lines`` of the line under the cursor."""
        return self.rows[self.cursor][0] if 0 <= self.cursor < len(self.rows) else None

    def render_row(self, row: int, width: int, selected: bool) -> list[Segment]:
        position, start, end = self.rows[row]
        offset = start
        line = self.lines[position]
        muted = self.get_component_rich_style("outline--muted")
        indent = "  " * line.depth
        if offset:
            segments = [Segment(indent + "  ", muted)]
        else:
            marker = ("\u25be " if not line.node.folded else "\u25b8 ") if line.foldable else "  "
            segments = [Segment(indent + marker, muted)]
        cursor = 0
        for text, style in line.node.segments:
            piece_start, piece_end = max(start, cursor), min(end, cursor + len(text))
            if piece_start < piece_end:
                segments.append(
                    Segment(
                        text[piece_start - cursor : piece_end - cursor],
                        self.get_component_rich_style(f"outline--{style}"),
                    )
                )
            cursor += len(text)
        return segments

    def action_activate(self) -> None:
        """On a line that names a span, go to it; otherwise fold or unfold."""
        position = self.current_line()
        if position is None:
            return
        target = self.lines[position].node.target
        if target is not None:
            self.post_message(self.Jump(target))
        else:
            self.action_toggle_fold()

    def action_toggle_fold(self) -> None:
        """Fold or unfold the section under the cursor."""
        position = self.current_line()
        if position is None or not self.lines[position].foldable:
            return
        node = self.lines[position].node
        node.folded = not node.folded
        self._relayout(position)

    def action_fold(self) -> None:
        """Fold the section under the cursor, or go to the section above."""
        position = self.current_line()
        if position is None:
            return
        line = self.lines[position]
        if line.foldable and not line.node.folded:
            line.node.folded = True
            self._relayout(position)
            return
        for above in range(position - 1, -1, -1):
            if self.lines[above].depth < line.depth:
                self._relayout(above)
                return

    def action_unfold(self) -> None:
        """Unfold the section under the cursor."""
        position = self.current_line()
        if position is not None and self.lines[position].foldable:
            self.lines[position].node.folded = False
            self._relayout(position)

    def find(self, text: str) -> bool:
        """Move the cursor to the first line containing ``text``; False when none does."""
        for position, line in enumerate(self.lines):
            if text in "".join(t for t, _ in line.node.segments):
                self._relayout(position)
                return True
        return False

    def plain_lines(self) -> list[str]:
        """The visible text, for tests."""
        return plain(self.lines)
