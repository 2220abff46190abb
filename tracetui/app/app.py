"""The Textual application: handed finished traces, never a path."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import ClassVar

from textual import work
from textual.actions import ActionParseResult
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.dom import DOMNode
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widgets import Footer, LoadingIndicator, Static

from tracetui.analysis.diff import Diff
from tracetui.app.commands import ExplorerCommands
from tracetui.app.diff_view import DiffList, DiffScreen, PairScreen, TimelinesScreen
from tracetui.app.explorer import ExplorerScreen
from tracetui.app.failure_view import FailureList, FailuresScreen
from tracetui.app.help import HelpScreen
from tracetui.app.keys import KeyGroup, bindings_of
from tracetui.app.line_list import LineList
from tracetui.app.outline_view import OutlineView
from tracetui.app.run_list import RunList
from tracetui.app.runs import RunsScreen
from tracetui.app.span_list import SpanList
from tracetui.app.untrusted import plain
from tracetui.errors import TraceError
from tracetui.loaders import load_path
from tracetui.model import Trace, TraceSet
from tracetui.source import Progress, settle
from tracetui.text import safe, safe_line

# How often a followed file that holds no complete record yet is looked at again.
FIRST_RECORD_SECONDS = 0.5

CSS = """
LineList > .line-list--cursor { background: $primary 55%; text-style: bold; }
LineList > .line-list--cursor-blurred { background: $panel-lighten-2; }
"""


class LoadingScreen(Screen[None]):
    """Shown while a large file loads in the background."""

    def __init__(self, label: str) -> None:
        super().__init__()
        self.label = label

    def compose(self) -> ComposeResult:
        yield Static(plain(self.label), id="loading-label")
        yield LoadingIndicator()
        yield Footer()

    def on_mount(self) -> None:
        self.set_interval(0.5, self._show_progress)

    def _show_progress(self) -> None:
        fraction = getattr(self.app, "loaded_fraction", None)
        if fraction is not None:
            label = f"{self.label}  {fraction:.0%}"
            self.query_one("#loading-label", Static).update(plain(label))


class TraceApp(App[int]):
    """tracetui's explorer over a loaded trace set (or one being loaded)."""

    TITLE = "tracetui"
    CSS = CSS
    COMMANDS: ClassVar = App.COMMANDS | {ExplorerCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Help", key_display="?", id="app.help"),
        Binding("ctrl+p", "command_palette", "Commands", show=False, id="app.palette"),
    ]

    def __init__(
        self,
        traces: TraceSet | None = None,
        *,
        loader: Callable[[Progress], TraceSet] | None = None,
        preview: Callable[[], TraceSet | None] | None = None,
        label: str = "",
        diff: Diff | None = None,
        paths: list[str] | None = None,
        dialect: str | None = None,
        follow: str | None = None,
        sets: list[TraceSet] | None = None,
    ) -> None:
        super().__init__()
        self.traces = traces
        self.diff = diff
        self.paths = paths
        self.dialect = dialect
        self.follow = follow
        self.sets = sets
        self.loader = loader
        self.preview = preview
        self.label = label
        self.error: str | None = None
        self.internal_error: BaseException | None = None
        self.loaded_fraction: float | None = None
        self.theme = "textual-dark"

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notification, whoever raises it, as plain text: messages quote trace text
        (names, errors, paths, what the user typed), which must never be read as markup."""
        del markup
        super().notify(
            safe(message), title=safe_line(title), severity=severity, timeout=timeout, markup=False
        )

    def on_mount(self) -> None:
        settle()
        if self.diff is not None:
            self.push_screen(DiffScreen(self.diff))
        elif self.paths is not None:
            self.push_screen(RunsScreen(paths=self.paths, dialect=self.dialect))
        elif self.sets is not None:
            self.push_screen(RunsScreen(self.sets))
        elif self.traces is not None:
            self.show(self.traces)
        elif self.loader is not None:
            preview = self.preview() if self.preview is not None else None
            # Paint what the first megabytes hold now; the whole file replaces it later.
            if preview is not None and len(preview.traces) == 1:
                self.push_screen(ExplorerScreen(preview.traces[0], loading=self.label))
            elif preview is not None and preview.traces and self.follow is None:
                self.push_screen(RunsScreen([preview], loading=self.label))
            else:
                self.push_screen(LoadingScreen(f"Loading {safe_line(self.label)} \u2026"))
            # Start reading only once the first frame is out: the reader holds the GIL a lot.
            self.call_after_refresh(self.load_in_background)
        elif self.follow is not None:
            # A producer that has just started: nothing complete to show yet.
            self.push_screen(
                LoadingScreen(f"Waiting for the first record in {safe_line(self.follow)} \u2026")
            )
            self._waiting = self.set_interval(FIRST_RECORD_SECONDS, self._look_for_first_record)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def load_in_background(self) -> None:
        """Load off the UI thread; the loading screen keeps moving."""
        assert self.loader is not None
        try:
            traces = self.loader(self.report_progress)
        except TraceError as exc:
            self.call_from_thread(self._failed, str(exc))
            return
        except Exception as exc:
            self.call_from_thread(self._crashed, exc)
            return
        self.call_from_thread(self._loaded, traces)

    def _look_for_first_record(self) -> None:
        if self.follow is not None and self.traces is None:
            self._read_first_record(self.follow)

    @work(thread=True, exclusive=True, group="first-record", exit_on_error=False)
    def _read_first_record(self, path: str) -> None:
        """Try the followed file again; it shows once a whole record is in it."""
        try:
            traces = load_path(path, self.dialect)
        except TraceError:
            return  # empty, or mid-way through its first record: keep waiting
        except Exception as exc:
            self.call_from_thread(self._crashed, exc)
            return
        self.call_from_thread(self._first_record, traces)

    def _first_record(self, traces: TraceSet) -> None:
        if self.traces is not None:
            return
        self.traces = traces
        self._waiting.stop()
        self.pop_screen()
        self.show(traces)

    def report_progress(self, fraction: float) -> None:
        """From the loading thread: how much of the file is read (shown on the next tick)."""
        self.loaded_fraction = fraction

    def _failed(self, message: str) -> None:
        self.error = message
        self.exit(2)

    def _crashed(self, error: BaseException) -> None:
        """An error of ours (not of the input): one line on stderr, exit code 70."""
        self.internal_error = error
        self.exit(70)

    async def run_action(
        self,
        action: str | ActionParseResult,
        default_namespace: DOMNode | None = None,
        namespaces: Mapping[str, DOMNode] | None = None,
    ) -> bool:
        """Run a key's or the palette's action; an error in it is a notification and the
        app goes on with what it shows."""
        try:
            return await super().run_action(action, default_namespace, namespaces)
        except Exception as exc:
            if os.environ.get("TRACETUI_DEBUG"):
                raise
            self.notify(f"That did not work: {type(exc).__name__}: {exc}", severity="error")
            return True

    def _handle_exception(self, error: Exception) -> None:
        """Any other unexpected error ends the app with one line and exit code 70, not a
        screen of traceback (``TRACETUI_DEBUG=1`` shows Textual's own report)."""
        if os.environ.get("TRACETUI_DEBUG"):
            super()._handle_exception(error)
            return
        self.internal_error = error
        self._return_code = 70
        self.exit(70)

    def _loaded(self, traces: TraceSet) -> None:
        self.traces = traces
        settle()
        previewing: ExplorerScreen | RunsScreen | None = next(
            (
                s
                for s in self.screen_stack
                if isinstance(s, ExplorerScreen | RunsScreen) and s.loading_label
            ),
            None,
        )
        if (
            isinstance(previewing, ExplorerScreen)
            and len(traces.traces) == 1
            and self.follow is None
        ):
            previewing.finish_loading(traces.traces[0])
            return
        if previewing is not None:
            # What was opened from a runs preview may have been cut short: back to the list.
            while self.screen is not previewing:
                self.pop_screen()
        if isinstance(previewing, RunsScreen) and len(traces.traces) > 1:
            previewing.finish_loading(traces)
            return
        self.pop_screen()
        self.show(traces)

    def show(self, traces: TraceSet) -> None:
        """Open the runs list for several traces, or the explorer for one."""
        if self.follow is not None:
            # A file being written: follow its last (newest) run.
            self.push_screen(
                ExplorerScreen(traces.traces[-1], follow=self.follow, dialect=self.dialect)
            )
        elif len(traces.traces) == 1:
            self.push_screen(ExplorerScreen(traces.traces[0]))
        else:
            self.push_screen(RunsScreen([traces]))
        for warning in traces.warnings[:3]:
            self.notify(safe_line(warning), title="Partly loaded", severity="warning", timeout=8)

    def sources(self) -> list[TraceSet]:
        """Everything that is open, for views across runs."""
        for screen in self.screen_stack:
            if isinstance(screen, RunsScreen):
                return screen.sources
        return [self.traces] if self.traces is not None else []

    def open_span(self, trace: Trace, span: int, *, from_screen: Screen[None]) -> None:
        """Show a span in its run's explorer, reusing the one underneath when it is that run."""
        from_screen.dismiss(None)
        below = self.screen_stack[-2] if len(self.screen_stack) >= 2 else None
        if isinstance(below, ExplorerScreen) and below.trace is trace:
            below.spans.select_span(span)
            return
        self.push_screen(ExplorerScreen(trace, can_go_back=True, select=span))

    def key_groups(self) -> list[KeyGroup]:
        """Bindings grouped by where they work, for the help screen."""
        return [
            ("Span list and timeline", bindings_of(SpanList.BINDINGS, LineList.BINDINGS)),
            ("Explorer", bindings_of(ExplorerScreen.BINDINGS)),
            ("Detail and summary panes", bindings_of(OutlineView.BINDINGS)),
            ("Runs list", bindings_of(RunList.BINDINGS, RunsScreen.BINDINGS)),
            ("Failures view", bindings_of(FailureList.BINDINGS, FailuresScreen.BINDINGS)),
            (
                "Diff",
                bindings_of(
                    DiffList.BINDINGS,
                    DiffScreen.BINDINGS,
                    PairScreen.BINDINGS,
                    TimelinesScreen.BINDINGS,
                ),
            ),
            ("Everywhere", bindings_of(self.BINDINGS)),
        ]

    def action_help(self) -> None:
        """Show every key."""
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.key_groups()))
