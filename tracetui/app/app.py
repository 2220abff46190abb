"""The Textual application: handed one start value, never a path; the only code that pushes
and pops screens (screens post navigation messages)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import ClassVar

from textual import on, work
from textual.actions import ActionParseResult
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.dom import DOMNode
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widgets import Footer, LoadingIndicator, Static

from tracetui.app.db_runs import DatabaseRunsScreen
from tracetui.app.diff_view import DiffScreen, PairScreen, TimelinesScreen
from tracetui.app.explorer import ExplorerScreen
from tracetui.app.failure_view import FailuresScreen
from tracetui.app.filter import FilterScreen
from tracetui.app.help import EVERYWHERE, HelpScreen, key_groups
from tracetui.app.navigation import (
    Back,
    ChooseStatuses,
    OpenRun,
    ShowDiff,
    ShowFailures,
    ShowPair,
    ShowTimelines,
)
from tracetui.app.runs import RunsScreen
from tracetui.app.settings import Settings, save_settings
from tracetui.app.untrusted import plain
from tracetui.errors import TraceError
from tracetui.inputs import start as starts
from tracetui.inputs.load import SourceError, load_source
from tracetui.model import TraceSet
from tracetui.source import settle
from tracetui.text import safe, safe_line

# How often a followed file that holds no complete record yet is looked at again.
FIRST_RECORD_SECONDS = 0.5


class LoadingScreen(Screen[None]):
    """Shown while a large file loads, or while a followed file has no record yet."""

    def __init__(self, label: str) -> None:
        super().__init__()
        self.label = label

    def compose(self) -> ComposeResult:
        yield Static(plain(self.label), id="loading-label")
        yield LoadingIndicator()
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.set_interval(0.5, self._show_progress)

    def _show_progress(self) -> None:
        fraction = getattr(self.app, "loaded_fraction", None)
        if fraction is not None:
            self.query_one("#loading-label", Static).update(plain(f"{self.label}  {fraction:.0%}"))


class TraceApp(App[int]):
    """tracetui's screens over what it was started on."""

    TITLE = "tracetui"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", show=False, id="app.quit"),
        # Over SSH people press Ctrl+C first; it quits too (Ctrl+Q still does).
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True, id="app.quit_ctrl_c"),
        Binding("question_mark", "help", "Help", key_display="?", show=False, id="app.help"),
        Binding("ctrl+p", "command_palette", "Commands", show=False, id="app.palette"),
    ]
    BINDING_GROUP_TITLE = EVERYWHERE

    def __init__(self, start: starts.Start, settings: Settings | None = None) -> None:
        super().__init__()
        self.start = start
        self.traces: TraceSet | None = None  # what the explorer was started on, once loaded
        self.error: str | None = None
        self.internal_error: BaseException | None = None
        self.loaded_fraction: float | None = None
        # Tests and snapshots pass none: they draw with the default theme and keys.
        self.settings = settings or Settings()
        wanted = self.settings.theme
        if wanted is not None and wanted not in self.available_themes:
            self.settings.problems.append(f"no theme {wanted!r}; using textual-dark")
            wanted = None
        self.theme = wanted or "textual-dark"

    # --- text from traces reaches notifications as plain text ------------------------------

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

    # --- starting ----------------------------------------------------------------------------

    def on_mount(self) -> None:
        settle()
        for problem in self.settings.problems:
            self.notify(problem, title="Settings", severity="warning", timeout=8)
        if self.settings.keymap:
            self.set_keymap(self.settings.keymap)  # binding ids to keys, as Posting does
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        start = self.start
        if isinstance(start, starts.Explore):
            self.traces = start.traces
            self.show(start.traces, start.follow)
        elif isinstance(start, starts.ListRuns):
            self.push_screen(RunsScreen(start.sets))
        elif isinstance(start, starts.BrowseDatabase):
            self.push_screen(DatabaseRunsScreen(start.database, start.first))
        elif isinstance(start, starts.LoadRuns):
            self.push_screen(RunsScreen(files=start.files, dialect=start.dialect))
        elif isinstance(start, starts.ShowDiff):
            self.push_screen(DiffScreen(start.diff))
        elif isinstance(start, starts.LoadLarge):
            self.push_screen(LoadingScreen(f"Loading {safe_line(start.label)} \u2026"))
            # Start reading only once the first frame is out: the reader holds the GIL a lot.
            self.call_after_refresh(self._load_large, start)
        else:
            self.push_screen(
                LoadingScreen(f"Waiting for the first record in {safe_line(start.path)} \u2026")
            )
            self._waiting = self.set_interval(
                FIRST_RECORD_SECONDS, lambda: self._read_first_record(start)
            )

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _load_large(self, start: starts.LoadLarge) -> None:
        """Paint the file's first few hundred kilobytes, then read all of it, off the UI
        thread; the screen keeps moving meanwhile."""
        try:
            preview = start.preview()
            if preview is not None and preview.traces:
                self.call_from_thread(self._show_preview, start, preview)
            traces = start.load(self.report_progress)
        except SourceError as exc:
            self.call_from_thread(self._failed, str(exc.error))
            return
        except TraceError as exc:
            self.call_from_thread(self._failed, str(exc))
            return
        except Exception as exc:
            self.call_from_thread(self._crashed, exc)
            return
        self.call_from_thread(self._loaded, start, traces)

    def _show_preview(self, start: starts.LoadLarge, preview: TraceSet) -> None:
        if len(preview.traces) == 1:
            self.switch_screen(ExplorerScreen(preview.traces[0], loading=start.label))
        elif not start.follow:
            self.switch_screen(RunsScreen([preview], loading=start.label))

    @work(thread=True, exclusive=True, group="first-record", exit_on_error=False)
    def _read_first_record(self, start: starts.WaitForRecord) -> None:
        """Try the followed file again; it shows once a whole record is in it."""
        try:
            traces = load_source(start.path, start.dialect)
        except SourceError:
            return  # empty, or mid-way through its first record: keep waiting
        except Exception as exc:
            self.call_from_thread(self._crashed, exc)
            return
        self.call_from_thread(self._first_record, start, traces)

    def _first_record(self, start: starts.WaitForRecord, traces: TraceSet) -> None:
        if self.traces is not None:
            return
        self.traces = traces
        self._waiting.stop()
        self.pop_screen()
        self.show(traces, start.path)

    def report_progress(self, fraction: float) -> None:
        """From the loading thread: how much of the file is read (shown on the next tick)."""
        self.loaded_fraction = fraction

    def _loaded(self, start: starts.LoadLarge, traces: TraceSet) -> None:
        self.traces = traces
        settle()
        for screen in self.screen_stack:
            if isinstance(screen, FailuresScreen):
                # Opened on the preview: now over the whole file.
                screen.refresh_sources([traces])
        previewing: ExplorerScreen | RunsScreen | None = next(
            (
                s
                for s in self.screen_stack
                if isinstance(s, ExplorerScreen | RunsScreen) and s.loading_label
            ),
            None,
        )
        follow = start.follow
        if isinstance(previewing, ExplorerScreen) and len(traces.traces) == 1 and not follow:
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
        self.show(traces, follow)

    def show(self, traces: TraceSet, follow: str | None = None) -> None:
        """Open the runs list for several traces, or the explorer for one (a followed file:
        its newest run)."""
        dialect = getattr(self.start, "dialect", None)
        if follow is not None:
            self.push_screen(ExplorerScreen(traces.traces[-1], follow=follow, dialect=dialect))
        elif len(traces.traces) == 1:
            self.push_screen(ExplorerScreen(traces.traces[0]))
        else:
            self.push_screen(RunsScreen([traces]))
        for warning in traces.warnings[:3]:
            self.notify(warning, title="Partly loaded", severity="warning", timeout=8)

    def _remember_theme(self, theme: object) -> None:
        """A theme chosen (from the palette) is the theme next time too."""
        if not self.settings.persist or self.theme == self.settings.theme:
            return
        self.settings.theme = self.theme
        try:
            save_settings(self.settings)
        except OSError as exc:
            self.notify(f"Could not save the theme: {exc}", severity="warning")

    # --- errors ------------------------------------------------------------------------------

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

    # --- navigation: screens ask, the app goes -------------------------------------------------

    def sources(self) -> list[TraceSet]:
        """Everything that is open, for views across runs."""
        for screen in self.screen_stack:
            if isinstance(screen, RunsScreen):
                return screen.sources
        return [self.traces] if self.traces is not None else []

    @on(OpenRun)
    def _open_run(self, message: OpenRun) -> None:
        self.push_screen(ExplorerScreen(message.trace, can_go_back=True, select=message.span))

    @on(ShowFailures)
    def _show_failures(self, message: ShowFailures) -> None:
        sources = message.sources if message.sources is not None else self.sources()
        self.push_screen(FailuresScreen(sources, message.query))

    @on(ShowDiff)
    def _show_diff(self, message: ShowDiff) -> None:
        self.push_screen(DiffScreen(message.diff))

    @on(ShowPair)
    def _show_pair(self, message: ShowPair) -> None:
        self.push_screen(PairScreen(message.pair, message.baseline, message.current))

    @on(ShowTimelines)
    def _show_timelines(self, message: ShowTimelines) -> None:
        self.push_screen(TimelinesScreen(message.baseline, message.current))

    @on(ChooseStatuses)
    def _choose_statuses(self, message: ChooseStatuses) -> None:
        self.push_screen(FilterScreen(message.trace), message.chosen)

    @on(Back)
    def _back(self) -> None:
        # The first screen is Textual's own default screen; the one above it is where the
        # user started, which Esc does not leave (q quits).
        if len(self.screen_stack) > 2:
            self.pop_screen()

    def action_help(self) -> None:
        """Show the keys that work where the user is."""
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(key_groups(self.screen)))
