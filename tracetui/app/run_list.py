"""The runs list: one row per trace when a file holds several (CFN tables, Victor histories)."""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from textual.message import Message

from tracetui.app.line_list import LineList
from tracetui.display import GLYPH, WORD, seconds, timestamp
from tracetui.model import Status, Trace
from tracetui.text import safe_line, shorten


def failing_node(trace: Trace) -> tuple[str, str]:
    """The first failing node's name and first error line (or the run's error)."""
    for span in trace.spans:
        if span.status.is_failure:
            return span.name, span.first_error_line or ""
    if trace.error:
        return "", trace.error.splitlines()[0] if trace.error.strip() else ""
    return "", ""


class RunList(LineList):
    """Runs as rows: status, name, start, duration, nodes, failing node and its error."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        *LineList.COMPONENT_CLASSES,
        *(f"run-list--{status.value}" for status in Status),
        "run-list--muted",
        "run-list--header",
    }

    DEFAULT_CSS = """
    RunList > .run-list--ok { color: $success; }
    RunList > .run-list--failed { color: $error; text-style: bold; }
    RunList > .run-list--timed_out { color: $error; }
    RunList > .run-list--cancelled { color: $warning; }
    RunList > .run-list--skipped { color: $text-muted; }
    RunList > .run-list--cached { color: $secondary; }
    RunList > .run-list--running { color: $accent; }
    RunList > .run-list--unknown { color: $text-muted; }
    RunList > .run-list--muted { color: $text-muted; }
    """

    class Opened(Message):
        """A run was chosen."""

        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    BINDINGS: ClassVar = [("enter", "open_run", "Open run")]

    def __init__(self, traces: list[Trace], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.traces = traces
        self.row_count = len(traces)

    def on_mount(self) -> None:
        self.set_row_count(len(self.traces))

    @staticmethod
    def header(width: int) -> str:
        """The column titles, aligned with the rows."""
        name_width = max(12, min(32, width // 4))
        text = (
            f"  {'status':<12}{'name':<{name_width}} {'started':<23} {'duration':>9} "
            f"{'nodes':>6}  failing node: error"
        )
        return text[:width]

    def render_row(self, row: int, width: int, selected: bool) -> list[Segment]:
        trace = self.traces[row]
        name_width = max(12, min(32, width // 4))
        style = self.get_component_rich_style(f"run-list--{trace.status.value}")
        muted = self.get_component_rich_style("run-list--muted")
        name = shorten(safe_line(trace.name or trace.id or "-"), name_width - 1)
        nodes = sum(1 for _ in trace.nodes())
        node, error = failing_node(trace)
        failure = safe_line(f"{node}: {error}" if node else error)
        return [
            Segment("\u203a " if selected else "  ", muted),
            Segment(f"{GLYPH[trace.status]} {WORD[trace.status]:<10}", style),
            Segment(f"{name:<{name_width}} "),
            Segment(f"{timestamp(trace.started_at):<23} ", muted),
            Segment(f"{seconds(trace.duration):>9} ", muted),
            Segment(f"{nodes:>6}  ", muted),
            Segment(failure, style if failure else muted),
        ]

    def action_open_run(self) -> None:
        """Open the run under the cursor."""
        if self.traces:
            self.post_message(self.Opened(self.cursor))
