"""The explorer screen: spans and timeline, the selected span's detail, the run summary."""

from __future__ import annotations

import contextlib
import re
import time
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from tracetui.analysis.summary import Summary, summarize
from tracetui.app.commands import ExplorerCommands
from tracetui.app.keys import QUIT_AND_HELP
from tracetui.app.loading import loading_note
from tracetui.app.navigation import Back, ChooseStatuses, ShowFailures
from tracetui.app.outline_view import OutlineView
from tracetui.app.ruler import Ruler
from tracetui.app.span_list import PreparedRun, SpanList
from tracetui.atomic import write_atomic
from tracetui.display import GLYPH, WORD, counted, seconds
from tracetui.errors import TraceError
from tracetui.inputs.follow import FileChange, FileWatcher, FollowedFile
from tracetui.model import FAILURE_STATUSES, Status, Trace, TraceSet
from tracetui.reports.markdown import node_markdown
from tracetui.source import collector_paused, settle, tidy
from tracetui.text import safe_line, shorten
from tracetui.view.content import span_detail, trace_summary


def _counts(trace: Trace) -> tuple[int, int]:
    """Nodes, and how many of them are failures (failed, timed out or cancelled)."""
    nodes = failed = 0
    for span in trace.nodes():
        nodes += 1
        failed += span.status in FAILURE_STATUSES
    return nodes, failed


# Below this width the side pane goes under the span list instead of beside it.
NARROW = 120
# How often follow mode looks at the file.
FOLLOW_SECONDS = 0.5
# From this many spans, sort orders and the search index are built ahead, off the UI thread.
PREPARE_SPANS = 50_000


class ExplorerScreen(Screen[None]):
    """One trace: what ran, what failed and why, and where the time went."""

    BINDING_GROUP_TITLE = "Explorer"
    COMMANDS: ClassVar = Screen.COMMANDS | {ExplorerCommands}

    # Focus lands on the list as the screen opens, not a tick later (which could steal it
    # from the search box when "/" comes in fast).
    AUTO_FOCUS = "#spans"

    BINDINGS: ClassVar[list[BindingType]] = [
        *QUIT_AND_HELP,
        Binding("slash", "search", "Search", key_display="/", id="explorer.search"),
        Binding("f", "filter", "Filter", id="explorer.filter"),
        Binding("s", "toggle_summary", "Summary", id="explorer.summary"),
        Binding("F", "failures", "Failures", id="explorer.failures"),
        Binding("L", "look_alikes", "Look-alikes", show=False, id="explorer.look_alikes"),
        Binding("y", "copy_node", "Copy node", show=False, id="explorer.copy"),
        Binding("Y", "save_node", "Save node", show=False, id="explorer.save"),
        Binding("R", "report", "Write incident report", show=False, id="explorer.report"),
        Binding("tab", "focus_next_pane", "Next pane", show=False, id="explorer.next_pane"),
        Binding(
            "shift+tab",
            "focus_previous_pane",
            "Previous pane",
            show=False,
            id="explorer.previous_pane",
        ),
        Binding("escape", "back", "Back", show=False, id="explorer.back"),
    ]

    DEFAULT_CSS = """
    ExplorerScreen { layout: vertical; }
    #title { height: 1; background: $primary-background; color: $foreground; padding: 0 1;
             text-wrap: nowrap; text-overflow: ellipsis; }
    #main { height: 1fr; }
    #left { width: 1fr; }
    #side { width: 44%; border-left: vkey $panel-lighten-2; }
    #side-title { height: 1; background: $panel; color: $text-muted; padding: 0 1; }
    ExplorerScreen.narrow #main { layout: vertical; }
    ExplorerScreen.narrow #side { width: 100%; height: 45%; border-left: none;
                                  border-top: hkey $panel-lighten-2; }
    #search { dock: bottom; display: none; height: 3; }
    #search.shown { display: block; }
    #summary { display: none; }
    ExplorerScreen.show-summary #summary { display: block; }
    ExplorerScreen.show-summary #detail { display: none; }
    """

    def __init__(
        self,
        trace: Trace,
        *,
        can_go_back: bool = False,
        select: int | None = None,
        follow: str | None = None,
        dialect: str | None = None,
        loading: str | None = None,
    ) -> None:
        super().__init__()
        self.trace = trace
        self.loading_label = loading
        self.loading_since = time.monotonic()
        self.select = select
        self.follow = follow
        self.dialect = dialect
        self.watcher: FileWatcher | None = FileWatcher(follow) if follow else None
        # Read again after each change: what a JSON-lines file appends, else all of it.
        self.followed: FollowedFile | None = FollowedFile(follow, dialect) if follow else None
        self.updates = 0
        self._summary: Summary | None = None  # computed when first shown
        self.counts = _counts(trace)
        self.can_go_back = can_go_back
        self.spans = SpanList(trace, id="spans")
        self._shown_span: int | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="title")
        with Horizontal(id="main"):
            with Vertical(id="left"):
                yield Ruler(self.spans, id="ruler")
                yield self.spans
            with Vertical(id="side"):
                yield Static(id="side-title")
                yield OutlineView(id="detail")
                yield OutlineView(id="summary")
        yield Input(placeholder="search names and errors  (Enter: go, Esc: close)", id="search")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self._update_title()
        self._update_side_title()
        self._apply_width(self.size.width)
        if self.select is not None:
            self.spans.select_span(self.select)
        if self.watcher is not None:
            self.set_interval(FOLLOW_SECONDS, self.check_file)
        if self.loading_label is not None:
            self._loading_timer = self.set_interval(0.5, self._update_title)
        else:
            self._prepare_when_big()

    def _prepare_when_big(self) -> None:
        # Sorting or searching a big run for the first time costs a second or so: do it
        # now, off the UI thread, while the user reads the first screen.
        if len(self.trace.spans) >= PREPARE_SPANS:
            self.call_after_refresh(self._prepare)

    @work(thread=True, exclusive=True, group="prepare", exit_on_error=False)
    def _prepare(self) -> None:
        # Only a head start: on failure the first sort or search does the work itself.
        with contextlib.suppress(Exception):
            self.spans.prepare()

    def on_resize(self, event: events.Resize) -> None:
        self._apply_width(event.size.width)

    def _apply_width(self, width: int) -> None:
        self.set_class(width < NARROW, "narrow")

    # --- title -----------------------------------------------------------------------------

    def _update_title(self) -> None:
        trace = self.trace
        # One line that never wraps: what the view is doing comes before the run's figures.
        # What matters most comes first, so a narrow terminal cuts the least of it: the
        # status and the failure count, then the name, what the view is doing, the rest.
        title = Text(no_wrap=True, overflow="ellipsis")
        nodes, failed = self.counts
        title.append(f"{GLYPH[trace.status]} {WORD[trace.status]}", style="bold")
        title.append(f"  {counted(failed, 'failure')}", style="bold" if failed else "")
        title.append(f" of {counted(nodes, 'node')}  ")
        label = trace.label
        title.append(shorten(safe_line(label), 40), style="bold")
        state = []
        model = self.spans.model
        if model.status_filter is not None:
            words = ", ".join(sorted(WORD[s] for s in model.status_filter))
            state.append(f"filter: {words}")
        if model.sort.value != "start":
            state.append(f"sort: {model.sort.value}")
        if self.spans.search_text:
            shown = shorten(safe_line(self.spans.search_text), 20)
            state.append(f"search: {shown} ({len(self.spans.matches)})")
        if state:
            title.append("  [" + " \u00b7 ".join(state) + "]", style="italic")
        if self.follow is not None:
            title.append(f"  ● LIVE ({self.updates} updates)", style="bold")
        if self.loading_label is not None:
            fraction = getattr(self.app, "loaded_fraction", None)
            showing = f"its first {self.trace.record_count:,} records"
            title.append(loading_note(self.loading_since, fraction, showing), style="bold")
        title.append(f"  {trace.dialect}  {seconds(trace.duration)}")
        self.query_one("#title", Static).update(title)

    def _update_side_title(self) -> None:
        showing_summary = self.has_class("show-summary")
        label = "Run summary  (s: detail)" if showing_summary else "Detail  (s: run summary)"
        self.query_one("#side-title", Static).update(Text(label))

    # --- messages --------------------------------------------------------------------------

    @on(SpanList.SpanHighlighted)
    def show_span(self, message: SpanList.SpanHighlighted) -> None:
        """Show the highlighted span's detail."""
        if message.span is None or message.span == self._shown_span:
            return
        self._shown_span = message.span
        self.query_one("#detail", OutlineView).show(span_detail(self.trace, message.span))

    @on(SpanList.AxisChanged)
    def redraw_ruler(self) -> None:
        """The visible time window changed."""
        self.query_one("#ruler", Ruler).refresh()

    @on(SpanList.ViewChanged)
    def redraw_title(self) -> None:
        """Filter, sort or search changed."""
        self._update_title()

    @on(OutlineView.Jump)
    def jump(self, message: OutlineView.Jump) -> None:
        """A line in the detail or summary named a span: go there."""
        self.spans.select_span(message.span)
        self.spans.focus()

    # --- search ----------------------------------------------------------------------------

    def action_search(self) -> None:
        """Open the search box."""
        box = self.query_one("#search", Input)
        box.add_class("shown")
        box.value = self.spans.search_text
        # Focus now, not on the next tick: keys typed right after "/" belong to the box.
        self.set_focus(box)

    @on(Input.Changed, "#search")
    def search_as_you_type(self, event: Input.Changed) -> None:
        """Highlight matches while typing."""
        self.spans.search(event.value)

    @on(Input.Submitted, "#search")
    def search_go(self, event: Input.Submitted) -> None:
        """Go to the first match after the cursor and close the box."""
        self.spans.search(event.value)
        self._close_search()
        if self.spans.matches:
            self.spans.action_next_match()
        elif event.value.strip():
            self.notify(f"No span matches {shorten(safe_line(event.value), 30)!r}", timeout=3)

    def _close_search(self) -> None:
        self.query_one("#search", Input).remove_class("shown")
        self.spans.focus()

    # --- actions ---------------------------------------------------------------------------

    def action_filter(self) -> None:
        """Choose which statuses to show."""

        def apply(result: frozenset[Status] | bool | None) -> None:
            if result is not False:
                self.spans.set_filter(result if isinstance(result, frozenset) else None)
                self.spans.focus()

        self.post_message(ChooseStatuses(self.trace, apply))

    @property
    def summary(self) -> Summary:
        """The run summary (computed the first time it is needed)."""
        if self._summary is None:
            self._summary = summarize(self.trace)
        return self._summary

    def _show_summary(self) -> None:
        self.query_one("#summary", OutlineView).show(trace_summary(self.summary))

    def action_toggle_summary(self) -> None:
        """Switch the side pane between the span's detail and the run summary."""
        self.toggle_class("show-summary")
        if self.has_class("show-summary") and not self.query_one("#summary", OutlineView).roots:
            self._show_summary()
        self._update_side_title()

    def _panes(self) -> list[OutlineView | SpanList]:
        side = self.query_one(
            "#summary" if self.has_class("show-summary") else "#detail", OutlineView
        )
        return [self.spans, side]

    def action_focus_next_pane(self) -> None:
        """Move focus to the next pane."""
        self._cycle_focus(1)

    def action_focus_previous_pane(self) -> None:
        """Move focus to the previous pane."""
        self._cycle_focus(-1)

    def _cycle_focus(self, step: int) -> None:
        panes = self._panes()
        focused = self.focused
        position = panes.index(focused) if focused in panes else -1
        panes[(position + step) % len(panes)].focus()

    def action_back(self) -> None:
        """Close search, clear a filter or search, or go back to the runs list."""
        box = self.query_one("#search", Input)
        if box.has_class("shown"):
            self._close_search()
            return
        if self.focused is not self.spans:
            self.spans.focus()
            return
        if self.spans.model.status_filter is not None:
            self.spans.set_filter(None)
            return
        if self.spans.search_text:
            self.spans.search("")
            return
        if self.can_go_back:
            self.post_message(Back())

    # --- follow mode -------------------------------------------------------------------------

    def check_file(self) -> None:
        """Reload when the producer has written more (or truncated, or replaced the file)."""
        if self.watcher is None or self.follow is None:
            return
        change = self.watcher.check()
        if change is None:
            return
        if change is FileChange.GONE:
            self.notify("The trace file is gone; showing what was read", severity="warning")
            return
        if change in (FileChange.TRUNCATED, FileChange.REPLACED):
            self.notify(
                f"The trace file was {change.value}: reloaded", severity="warning", timeout=5
            )
        self._reload(change)

    @work(thread=True, exclusive=True, group="follow", exit_on_error=False)
    def _reload(self, change: FileChange) -> None:
        """Read the followed file again off the UI thread (only what it appended, when it
        is JSON lines that grew); keys stay live meanwhile."""
        if self.followed is None:
            return
        try:
            # Garbage hidden among frozen objects freed now and then; then the collector
            # paused while the new run is built and made ready, and the run put out of its
            # sight: a full collection over a fresh run's objects holds the interpreter lock
            # for tens of milliseconds, and a key would wait behind it.
            tidy()
            with collector_paused():
                traces = self.followed.load(change)
                trace = traces.traces[-1]
                # The new run made ready here (laid out in the current sort order, its
                # axis, its failures, its counts), not on the event loop.
                spans = self.spans
                searching = bool(spans.search_text)
                prepared = PreparedRun.of(trace, spans.model.sort, searching=searching)
                counts = _counts(trace)
            settle()
        except TraceError:
            # Mid-write with nothing complete yet: wait for the producer to write more.
            return
        except Exception as exc:  # a loader bug must not end the session: keep what is shown
            self.app.call_from_thread(
                self.notify,
                f"Could not reload: {type(exc).__name__}: {exc}; showing what was read",
                severity="error",
            )
            return
        self.app.call_from_thread(self.apply_update, trace, prepared, counts)

    def finish_loading(self, trace: Trace) -> None:
        """The whole file is read: show all of it in place of the preview."""
        self.loading_label = None
        self._loading_timer.stop()
        self.apply_update(trace)
        self.updates = 0
        self._update_title()
        self.notify(f"Loaded {self.counts[0]:,} nodes", timeout=3)
        self._prepare_when_big()

    def apply_update(
        self,
        trace: Trace,
        prepared: PreparedRun | None = None,
        counts: tuple[int, int] | None = None,
    ) -> None:
        """Show a newer version of the run in place (``prepared`` and ``counts``: what was
        worked out about it off the event loop, which has also settled it)."""
        if prepared is None:
            settle()  # the new version out of the collector's sight; the old one is freed
        self.trace = trace
        self._summary = None
        self.counts = counts if counts is not None else _counts(trace)
        self.updates += 1
        self._shown_span = None
        self.spans.replace_trace(trace, prepared)
        if self.has_class("show-summary"):
            self._show_summary()
        self._update_title()

    def _node_markdown(self) -> tuple[str, str] | None:
        span = self.spans.selected_span
        if span is None:
            return None
        node = self.trace.spans[span]
        return node.name, node_markdown(self.trace, node)

    def action_copy_node(self) -> None:
        """Copy the selected node (error, timing, upstream path) as markdown to the clipboard.

        Uses the terminal's clipboard sequence (OSC 52), which travels over SSH.
        """
        found = self._node_markdown()
        if found is None:
            return
        name, text = found
        self.app.copy_to_clipboard(text)
        self.notify(
            f"Copied {safe_line(name)!r} as markdown (OSC 52). Y saves it to a file.", timeout=3
        )

    def action_save_node(self) -> None:
        """Write the selected node as markdown to a file in the current folder."""
        found = self._node_markdown()
        if found is None:
            return
        name, text = found
        stem = re.sub(r"[^A-Za-z0-9._-]+", "_", name)[:60] or "node"
        path = Path(f"tracetui-{stem}.md")
        try:
            write_atomic(path, text)
        except OSError as exc:
            self.notify(f"Could not write {path}: {exc.strerror}", severity="error")
            return
        self.notify(f"Saved {path.resolve()}", timeout=4)

    def action_report(self) -> None:
        """Write the incident report of the run on screen (HTML) in the current folder."""
        from tracetui.analysis.report import build_report
        from tracetui.reports.incident import report_html

        stem = re.sub(r"[^A-Za-z0-9._-]+", "_", self.trace.label)[:60] or "run"
        path = Path(f"tracetui-report-{stem}.html")
        traces = TraceSet(self.trace.source, [self.trace])
        try:
            write_atomic(path, report_html(build_report(traces, self.trace)))
        except OSError as exc:
            self.notify(f"Could not write {path}: {exc.strerror}", severity="error")
            return
        self.notify(f"Wrote {path.resolve()}", timeout=5)

    def action_failures(self) -> None:
        """Every failure in what is open, grouped into families."""
        self._open_failures("")

    def action_look_alikes(self) -> None:
        """Failures that look like the selected node's error."""
        span = self.spans.selected_span
        error = self.trace.spans[span].error if span is not None else None
        if not error:
            self.notify("The selected node has no error text to compare", timeout=3)
            return
        self._open_failures(error)

    def _open_failures(self, query: str) -> None:
        self.post_message(ShowFailures(query))
