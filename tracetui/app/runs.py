"""The runs screen: pick one run of a file that holds several."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Static

from tracetui.app.explorer import ExplorerScreen
from tracetui.app.run_list import RunList
from tracetui.model import Status, TraceSet
from tracetui.text import safe_line


class RunHeader(Widget):
    """Column titles drawn at whatever width the header has when it paints."""

    def render(self) -> Text:
        return Text(RunList.header(self.size.width), no_wrap=True)


class RunsScreen(Screen[None]):
    """Every run in the source; Enter opens one."""

    AUTO_FOCUS = "#runs"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("F", "failures", "Failures", id="runs.failures"),
        Binding("escape", "app.quit", "Quit", show=False, id="runs.quit"),
    ]

    DEFAULT_CSS = """
    #runs-title { height: 1; background: $primary-background; padding: 0 1; }
    #runs-header { height: 1; background: $panel; color: $text-muted; }
    """

    def __init__(self, traces: TraceSet) -> None:
        super().__init__()
        self.traces = traces

    def compose(self) -> ComposeResult:
        yield Static(id="runs-title")
        yield RunHeader(id="runs-header")
        yield RunList(self.traces.traces, id="runs")
        yield Footer()

    def on_mount(self) -> None:
        traces = self.traces.traces
        failed = sum(1 for t in traces if t.status.is_failure)
        running = sum(1 for t in traces if t.status is Status.RUNNING)
        title = Text()
        title.append(safe_line(self.traces.source), style="bold")
        title.append(f"  {len(traces)} runs, {failed} failed, {running} running")
        self.query_one("#runs-title", Static).update(title)

    def action_failures(self) -> None:
        """Every failure across the runs, grouped into families."""
        from tracetui.app.failure_view import FailuresScreen

        self.app.push_screen(FailuresScreen([self.traces]))

    @on(RunList.Opened)
    def open_run(self, message: RunList.Opened) -> None:
        """Open the chosen run in the explorer."""
        trace = self.traces.traces[message.index]
        self.app.push_screen(ExplorerScreen(trace, can_go_back=True))
