"""The runs screen: every run in a multi-run file, several files or a folder."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Input, Static

from tracetui.analysis.diff import diff
from tracetui.analysis.runs import (
    NodeTrend,
    RunRow,
    RunStatistics,
    WorkflowStats,
    filter_runs,
    node_trends,
    run_rows,
    run_statistics,
)
from tracetui.app.keys import QUIT_AND_HELP
from tracetui.app.loading import loading_note
from tracetui.app.navigation import Back, OpenRun, ShowDiff, ShowFailures
from tracetui.app.run_list import RunList
from tracetui.display import counted, seconds, timestamp
from tracetui.inputs.load import Batch, load_files_in_batches
from tracetui.loaders import otlp
from tracetui.model import FAILURE_STATUSES, Status, Trace, TraceSet, source_name
from tracetui.runfilter import RunFilter, parse_query
from tracetui.source import settle
from tracetui.text import pad, safe_line, shorten

STATUS_CYCLE: list[tuple[str, frozenset[Status] | None]] = [
    ("all", None),
    ("failures", FAILURE_STATUSES),
    ("ok", frozenset({Status.OK})),
    ("running", frozenset({Status.RUNNING})),
]
SORTS: list[tuple[str, Callable[[RunRow], Any], bool]] = [
    ("newest", lambda r: r.sort_time, True),
    ("oldest", lambda r: r.sort_time if r.started_at else float("inf"), False),
    ("slowest", lambda r: r.duration if r.duration is not None else -1.0, True),
    ("name", lambda r: r.name.casefold(), False),
    ("status", lambda r: (not r.status.is_failure, r.status.value), False),
]


# Time buckets the workflows pane shows (the newest); ``tracetui runs --json`` has them all.
PANE_BUCKETS = 14


def statistics_text(text: Text, stats: RunStatistics, width: int) -> None:
    """The workflows pane's figures: all runs, each workflow, then each day (newest first).
    P95 gives way first when the pane is narrow; the name takes what is left."""
    wide = width >= 12 + 32
    name = width - (32 if wide else 22)

    def line(label: str, stat: WorkflowStats) -> None:
        p95 = f" {seconds(stat.p95):>9}" if wide else ""
        text.append(
            f"{pad(label, name, cell_len)} {stat.runs:>5} "
            f"{stat.failure_rate * 100:>4.0f}% {seconds(stat.p50):>9}{p95}\n"
        )

    p95 = f" {'P95':>9}" if wide else ""
    text.append(
        f"over {counted(stats.overall.runs, 'run')} (computed by {stats.computed_by})\n",
        style="italic",
    )
    text.append(f"{pad('workflow', name)} {'runs':>5} {'fail':>5} {'P50':>9}{p95}\n", style="bold")
    line("(all)", stats.overall)
    for stat in stats.workflows[:50]:
        line(safe_line(stat.name), stat)
    if stats.buckets:
        text.append(
            f"\n{pad('per ' + stats.bucket + ' (UTC)', name)} {'runs':>5} {'fail':>5} "
            f"{'P50':>9}{p95}\n",
            style="bold",
        )
        for stat in stats.buckets[:PANE_BUCKETS]:
            line(stat.name[:10] if stats.bucket != "hour" else stat.name[:16], stat)


def trends_text(
    text: Text, workflow: str, trends: list[NodeTrend], times: list[str], width: int
) -> None:
    """Each node's duration over a workflow's runs (``times``: when each ran, oldest first),
    the nodes that slowed first."""
    text.append(
        f"\nNodes of {safe_line(workflow)}, {counted(len(times), 'run')} (oldest \u2192 newest)\n",
        style="bold",
    )
    spark = max(8, width - 22)
    for trend in trends[:40]:
        line = f"{pad(safe_line(trend.node), 20, cell_len)} {trend.sparkline()[-spark:]}"
        if trend.slowed_at is not None:
            text.append(line + "\n", style="bold")
            text.append(
                f"  slower since run {trend.slowed_at + 1} ({times[trend.slowed_at]})\n",
                style="bold",
            )
        else:
            text.append(line + "\n")


class RunHeader(Widget):
    """Column titles drawn at whatever width the header has when it paints."""

    def render(self) -> Text:
        # The list may share the row with the workflows pane: align with the list itself.
        lists = self.screen.query(RunList)
        if not lists:
            return Text("")
        view = lists.first()
        return Text(view.header(view.row_width or self.size.width), no_wrap=True)


def _run_id(row: RunRow | None) -> tuple[str, str | int] | None:
    """What names a run across two loads of its file: its id, else its place in the file."""
    if row is None:
        return None
    return (row.source, row.trace.id if row.trace.id is not None else row.position)


class RunsScreen(Screen[None]):
    """Every run; filter, sort, open one, mark two to diff, see each workflow's trend."""

    BINDING_GROUP_TITLE = "Runs view"

    AUTO_FOCUS = "#runs"

    BINDINGS: ClassVar[list[BindingType]] = [
        *QUIT_AND_HELP,
        Binding("slash", "query", "Filter", key_display="/", id="runs.query"),
        Binding("f", "cycle_status", "Status", show=False, id="runs.status"),
        Binding("o", "cycle_sort", "Sort", show=False, id="runs.sort"),
        Binding("w", "toggle_stats", "Workflows", show=False, id="runs.stats"),
        Binding("d", "diff_marked", "Diff marked", id="runs.diff"),
        Binding("F", "failures", "Failures", id="runs.failures"),
        Binding("escape", "back", "Back", show=False, id="runs.back"),
    ]

    DEFAULT_CSS = """
    #runs-title { height: 1; background: $primary-background; padding: 0 1;
                  text-wrap: nowrap; text-overflow: ellipsis; }
    #runs-header { height: 1; background: $panel; color: $text-muted; }
    #runs-query { display: none; height: 3; }
    #runs-query.shown { display: block; }
    #runs-body { height: 1fr; }
    #runs { width: 1fr; }
    #runs-stats { display: none; width: 50%; padding: 0 1; background: $panel;
                  overflow-y: auto; text-wrap: nowrap; text-overflow: ellipsis; }
    RunsScreen.show-stats #runs-stats { display: block; }
    """

    def __init__(
        self,
        sources: list[TraceSet] | None = None,
        files: list[tuple[str, bool]] | None = None,
        dialect: str | None = None,
        loading: str | None = None,
    ) -> None:
        super().__init__()
        self.sources: list[TraceSet] = list(sources or [])
        # Set while these runs are a big file's first megabytes and the rest is still read.
        self.loading_label = loading
        self.loading_since = time.monotonic()
        self.files = files or []  # found by inputs.paths.expand, loaded in the background
        self.dialect = dialect
        self.all_rows: list[RunRow] = run_rows(self.sources)
        self.status_choice = 0
        self.sort_choice = 0
        self.query_text = ""
        self.query_problem: str | None = None
        self.query_rows: list[RunRow] = []  # what the query selects, before the status filter
        self.load_progress: tuple[int, int] | None = None
        self.skipped: list[tuple[str, str]] = []
        # Listed runs read whole, by what names them (_run_id).
        self.completed: dict[tuple[str, str | int], Trace] = {}

    def compose(self) -> ComposeResult:
        yield Static(id="runs-title")
        yield Input(
            placeholder="name:X since:24h until:2026-11-22 status:failed limit:20 text",
            id="runs-query",
        )
        yield RunHeader(id="runs-header")
        with Horizontal(id="runs-body"):
            yield RunList(id="runs")
            yield Static(id="runs-stats")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.refresh_rows()
        if self.files:
            self.load_files()
        if self.loading_label is not None:
            self._loading_timer = self.set_interval(0.5, self.refresh_title)

    def finish_loading(self, traces: TraceSet) -> None:
        """The whole file is read: list all of its runs in place of the preview's."""
        self.loading_label = None
        self._loading_timer.stop()
        view = self.query_one(RunList)
        cursor_id = _run_id(view.current())
        marked_ids = {_run_id(row) for row in view.marked}
        self.sources = [traces]
        self.all_rows = run_rows(self.sources)
        # The same runs stay marked and under the cursor, now whole.
        view.marked = [row for row in self.all_rows if _run_id(row) in marked_ids]
        self.refresh_rows()
        for position, row in enumerate(view.rows):
            if cursor_id is not None and _run_id(row) == cursor_id:
                view.cursor = position
                break
        self.notify(f"Loaded {len(self.all_rows):,} runs", timeout=3)

    def refresh_title(self) -> None:
        """Redraw the title line (the loading spinner and percentage move)."""
        label, _ = STATUS_CYCLE[self.status_choice]
        self._update_title(len(self.query_one(RunList).rows), label, SORTS[self.sort_choice][0])

    # --- loading a folder in the background ------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False)
    def load_files(self) -> None:
        """Load files a batch at a time (the list grows as they arrive); at the end, join
        the parts of an OpenTelemetry trace spread over several files."""
        loaded: list[TraceSet] = []
        try:
            for batch in load_files_in_batches(self.files, self.dialect, strict=False):
                loaded.extend(batch.sets)
                self.app.call_from_thread(self._add, batch)
        except Exception as exc:  # a loader bug: keep the runs read so far
            self.app.call_from_thread(
                self.notify, f"Stopped loading: {type(exc).__name__}: {exc}", severity="error"
            )
            return
        merged = otlp.merge(loaded)
        if merged is not loaded:
            self.app.call_from_thread(self._replace_sources, merged)

    def _add(self, batch: Batch) -> None:
        settle()
        self.sources.extend(batch.sets)
        self.skipped.extend(batch.skipped)
        self.all_rows.extend(run_rows(batch.sets))
        self.load_progress = None if batch.done >= batch.total else (batch.done, batch.total)
        self.refresh_rows()

    def _replace_sources(self, sources: list[TraceSet]) -> None:
        """Show ``sources`` in place of what is listed (the same runs, some joined)."""
        self.sources = sources
        self.all_rows = run_rows(sources)
        self.refresh_rows()

    # --- rows ------------------------------------------------------------------------------

    def refresh_rows(self) -> None:
        """Apply the status filter, the query and the sort."""
        view = self.query_one(RunList)
        keep = view.current()
        label, statuses = STATUS_CYCLE[self.status_choice]
        wanted = self.parsed_query()
        self.query_rows = filter_runs(self.all_rows, wanted)
        rows = filter_runs(self.query_rows, RunFilter(statuses=statuses))
        sort_label, key, reverse = SORTS[self.sort_choice]
        if sort_label != "newest":
            rows.sort(key=key, reverse=reverse)
        view.show(rows, keep)
        self._update_title(len(rows), label, sort_label)
        self._update_stats()

    def parsed_query(self) -> RunFilter:
        """The filter box's query; while what is typed does not parse, no filter, and the
        problem is shown in the title (no notification per key)."""
        try:
            wanted = parse_query(self.query_text)
        except ValueError as exc:
            self.query_problem = str(exc)
            return RunFilter()
        self.query_problem = None
        return wanted

    def view_state(self, status_label: str, sort_label: str) -> str:
        """The title's account of what the list shows: status, sort, filter and a filter
        that does not parse."""
        state = [f"status: {status_label}", f"sort: {sort_label}"]
        if self.query_text:
            state.append(f"filter: {shorten(safe_line(self.query_text), 30)}")
        if self.query_problem:
            state.append(f"not applied: {shorten(safe_line(self.query_problem), 60)}")
        return "  [" + " \u00b7 ".join(state) + "]"

    def _update_title(self, shown: int, status_label: str, sort_label: str) -> None:
        failed = sum(1 for r in self.all_rows if r.status.is_failure)
        running = sum(1 for r in self.all_rows if r.status is Status.RUNNING)
        # What matters first (a narrow terminal cuts the end): counts, view state, source.
        title = Text(no_wrap=True, overflow="ellipsis")
        title.append(f"{len(self.all_rows)} runs", style="bold")
        title.append(f", {failed} failed, {running} running")
        if shown != len(self.all_rows):
            title.append(f" (showing {shown})", style="bold")
        title.append(self.view_state(status_label, sort_label), style="italic")
        if self.load_progress is not None:
            title.append(
                f"  loading {self.load_progress[0]}/{self.load_progress[1]} files\u2026",
                style="bold",
            )
        if self.loading_label is not None:
            fraction = getattr(self.app, "loaded_fraction", None)
            showing = "the runs of its first megabytes"
            title.append(loading_note(self.loading_since, fraction, showing), style="bold")
        if self.skipped:
            title.append(f"  {len(self.skipped)} skipped")
        source = (
            source_name(self.sources[0].source)
            if len(self.sources) == 1
            else f"{len(self.sources)} files"
        )
        title.append(f"  {safe_line(source)}")
        self.query_one("#runs-title", Static).update(title)

    def _update_stats(self) -> None:
        """Fill the workflows pane (when shown): the figures, then the node trends of the
        workflow under the cursor."""
        if not self.has_class("show-stats"):
            return
        pane = self.query_one("#runs-stats", Static)
        width = max(24, pane.content_region.width or 40)
        text = Text(no_wrap=True, overflow="ellipsis")
        self.figures_text(text, width)
        current = self.query_one(RunList).current()
        if current is not None:
            self.trends_of(text, current, width)
        pane.update(text)

    def figures_text(self, text: Text, width: int) -> None:
        """The pane's figures. Over the runs the query selects, whatever the status filter
        shows: a failure rate of the ok runs alone would always be 0%."""
        statistics_text(text, run_statistics(self.query_rows, "day"), width)

    def trends_of(self, text: Text, current: RunRow, width: int) -> None:
        """The node trends of the workflow of the run under the cursor."""
        same = sorted(
            (r for r in self.all_rows if r.name == current.name), key=lambda r: r.sort_time
        )
        times = [timestamp(row.started_at) for row in same]
        trends_text(text, current.name, node_trends(same), times, width)

    @on(RunList.Highlighted)
    def follow_cursor(self) -> None:
        """Trends follow the selected run's workflow."""
        self._update_stats()

    # --- actions ---------------------------------------------------------------------------

    @on(RunList.Opened)
    def open_run(self, message: RunList.Opened) -> None:
        """Open the chosen run in the explorer (reading the rest of it first if listed only)."""
        row = message.row
        run_id = _run_id(row)
        trace = self.completed.get(run_id, row.trace) if run_id is not None else row.trace
        source = next((s for s in self.sources if s.source == row.source), None)
        if source is not None and source.complete is not None and "partial" in trace.attributes:
            self._complete(row)
            return
        self.post_message(OpenRun(trace))

    @work(thread=True, exclusive=True, group="complete", exit_on_error=False)
    def _complete(self, row: RunRow) -> None:
        """Read the rest of a listed run (its steps, from the database) off the UI thread."""
        try:
            trace = self._whole(row)
        except Exception as exc:  # a dropped connection, say: the list stays as it is
            self.app.call_from_thread(
                self.notify, f"Could not read the run: {exc}", severity="error"
            )
            return
        self.app.call_from_thread(self._completed, row, trace)

    def _completed(self, row: RunRow, trace: Trace) -> None:
        # Kept beside the loaded set, which stays as it was read.
        run_id = _run_id(row)
        if run_id is not None:
            self.completed[run_id] = trace
        self.post_message(OpenRun(trace))

    def action_query(self) -> None:
        """Open the filter box."""
        box = self.query_one("#runs-query", Input)
        box.add_class("shown")
        box.value = self.query_text
        self.set_focus(box)

    @on(Input.Changed, "#runs-query")
    def query_changed(self, event: Input.Changed) -> None:
        """Filter as the query is typed."""
        self.query_text = event.value
        self.refresh_rows()

    @on(Input.Submitted, "#runs-query")
    def query_done(self) -> None:
        """Back to the list."""
        self.query_one("#runs-query", Input).remove_class("shown")
        self.set_focus(self.query_one(RunList))

    def action_cycle_status(self) -> None:
        """All runs, failures, ok, running."""
        self.status_choice = (self.status_choice + 1) % len(STATUS_CYCLE)
        self.refresh_rows()

    def action_cycle_sort(self) -> None:
        """Newest, oldest, slowest, name, status."""
        self.sort_choice = (self.sort_choice + 1) % len(SORTS)
        self.refresh_rows()
        # A new order is read from its top: the first row, not wherever the cursor was.
        self.query_one(RunList).cursor = 0

    def action_toggle_stats(self) -> None:
        """Per-workflow failure rate and percentiles, and node trends."""
        self.toggle_class("show-stats")
        # Laid out once the pane has its width.
        self.call_after_refresh(self._update_stats)
        self.call_after_refresh(self.query_one(RunHeader).refresh)

    def on_resize(self) -> None:
        self.call_after_refresh(self._update_stats)

    def action_diff_marked(self) -> None:
        """Diff the two marked runs: the older is the baseline."""

        marked = self.query_one(RunList).marked
        if len(marked) != 2:
            self.notify("Mark two runs with m, then press d", timeout=3)
            return
        older, newer = sorted(marked, key=lambda r: r.sort_time)
        self._diff(older, newer)

    @work(thread=True, exclusive=True, group="complete", exit_on_error=False)
    def _diff(self, older: RunRow, newer: RunRow) -> None:
        """Diff two runs, each read whole first (a database lists runs without their steps)."""
        try:
            baseline, current = self._whole(older), self._whole(newer)
        except Exception as exc:  # a dropped connection, say: the list stays as it is
            self.app.call_from_thread(
                self.notify, f"Could not read the runs: {exc}", severity="error"
            )
            return
        self.app.call_from_thread(self.post_message, ShowDiff(diff([baseline], current)))

    def _whole(self, row: RunRow) -> Trace:
        """The run of a row with everything its source holds (blocking)."""
        run_id = _run_id(row)
        known = self.completed.get(run_id) if run_id is not None else None
        if known is not None:
            return known
        source = next((s for s in self.sources if s.source == row.source), None)
        if source is None or source.complete is None or "partial" not in row.trace.attributes:
            return row.trace
        return source.complete(row.trace)

    def action_failures(self) -> None:
        """Every failure across the runs, grouped into families."""
        self.post_message(ShowFailures())

    def action_back(self) -> None:
        """Close the filter box; else clear the filter and status; else go back (when this
        list was reached from somewhere). Only q quits."""
        box = self.query_one("#runs-query", Input)
        if box.has_class("shown"):
            self.query_done()
        elif self.query_text or self.status_choice:
            self.query_text = ""
            self.status_choice = 0
            self.refresh_rows()
        else:
            self.post_message(Back())
