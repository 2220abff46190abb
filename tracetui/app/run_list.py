"""The runs list: one row per run, from one multi-run file or a whole folder of traces."""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from textual.binding import Binding, BindingType
from textual.message import Message

from tracetui.analysis.runs import RunRow
from tracetui.app.line_list import LineList, status_css
from tracetui.display import GLYPH, WORD, seconds
from tracetui.inputs.run_pages import is_pending
from tracetui.model import Status
from tracetui.reports.runs import started
from tracetui.text import pad, safe_line, shorten
from tracetui.view.runs_table import RunColumns, run_columns


class RunList(LineList[RunRow]):
    """Runs as rows: mark, status, name, dialect, start, duration, nodes, failure."""

    BINDING_GROUP_TITLE = "Runs list"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open_run", "Open run", id="runs.open"),
        Binding("m,space", "mark", "Mark", id="runs.mark"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        *LineList.COMPONENT_CLASSES,
        *(f"run-list--{status.value}" for status in Status),
        "run-list--muted",
        "run-list--mark",
    }

    DEFAULT_CSS = """
    RunList > .run-list--muted { color: $text-muted; }
    RunList > .run-list--mark { color: $warning; text-style: bold; }
    """ + status_css("RunList", "run-list--")

    class Opened(Message):
        """A run was chosen."""

        def __init__(self, row: RunRow) -> None:
            super().__init__()
            self.row = row

    class Highlighted(Message):
        """The cursor is on a run."""

        def __init__(self, row: RunRow | None) -> None:
            super().__init__()
            self.row = row

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, RunList.Highlighted)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.marked: list[RunRow] = []
        # Set when every run is of one dialect (a database): the rows need not be read to
        # know the dialect column says nothing.
        self.one_dialect = False

    def show(self, rows: list[RunRow], keep: RunRow | None = None) -> None:
        """Replace the rows, keeping the cursor on ``keep`` when it is still listed."""
        self.set_rows(rows, keep)

    def row_changed(self, row: RunRow | None) -> None:
        self.post_message(self.Highlighted(row))

    def row_cache_key(self, row: int) -> object:
        return len(self.marked)

    def empty_text(self) -> str:
        return "no run matches (/ changes the filter, f the status; Esc clears them)"

    def columns(self, width: int) -> RunColumns:
        """The columns that fit ``width`` for the runs listed now."""
        if self.one_dialect:
            return run_columns(width, 1)
        dialects = len({row.trace.dialect for row in self.rows[:2000]})
        return run_columns(width, dialects)

    def header(self, width: int) -> str:
        """The column titles, aligned with the rows."""
        layout = self.columns(width)
        parts = ["    ", f"{'status':<12}", pad("name", layout.name) + " "]
        if layout.has("dialect"):
            parts.append(f"{'dialect':<14}")
        if layout.has("started"):
            parts.append(f"{'started':<25}")
        if layout.has("started_short"):
            parts.append(f"{'started':<15}")
        if layout.has("duration"):
            parts.append(f"{'duration':>9} ")
        if layout.has("nodes"):
            parts.append(f"{'nodes':>6} ")
        parts.append("failing node: error")
        return shorten("".join(parts), width)

    def render_row(self, row: int, width: int, selected: bool) -> list[Segment]:
        run = self.rows[row]
        trace = run.trace
        if is_pending(run):
            muted = self.get_component_rich_style("run-list--muted")
            return [Segment(("\u203a" if selected else " ") + "   \u2026 reading", muted)]
        layout = self.columns(width)
        style = self.get_component_rich_style(f"run-list--{trace.status.value}")
        muted = self.get_component_rich_style("run-list--muted")
        mark = ""
        if run in self.marked:
            mark = "AB"[self.marked.index(run)]
        segments = [
            Segment("\u203a" if selected else " ", muted),
            Segment(f"{mark:<2} ", self.get_component_rich_style("run-list--mark")),
            Segment(f"{GLYPH[trace.status]} {WORD[trace.status]:<10}", style),
            Segment(pad(safe_line(run.name), layout.name, cell_len) + " "),
        ]
        if layout.has("dialect"):
            segments.append(Segment(pad(safe_line(trace.dialect), 13, cell_len) + " ", muted))
        if layout.has("started"):
            segments.append(Segment(f"{started(run):<25}", muted))
        if layout.has("started_short"):
            # Month-day and time to the second: the year and milliseconds give way.
            segments.append(Segment(f"{started(run, short=True):<15}", muted))
        if layout.has("duration"):
            segments.append(Segment(f"{seconds(trace.duration):>9} ", muted))
        if layout.has("nodes"):
            # A run listed without its steps (read when opened) has no node count yet.
            nodes = "-" if "partial" in trace.attributes else sum(1 for _ in trace.nodes())
            segments.append(Segment(f"{nodes:>6} ", muted))
        if run.failing_node or run.error_line:
            failure = safe_line(f"{run.failing_node or ''}: {run.error_line or ''}".strip(": "))
            used = sum(cell_len(s.text) for s in segments)
            segments.append(Segment(shorten(failure, max(0, width - used), cell_len), style))
        return segments

    def action_open_run(self) -> None:
        """Open the run under the cursor."""
        run = self.current()
        if run is not None and not is_pending(run):
            self.post_message(self.Opened(run))

    def action_mark(self) -> None:
        """Mark the run for a diff (two at most: the older is the baseline)."""
        run = self.current()
        if run is None or is_pending(run):
            return
        if run in self.marked:
            self.marked.remove(run)
        else:
            self.marked.append(run)
            del self.marked[:-2]
        self.redraw()
