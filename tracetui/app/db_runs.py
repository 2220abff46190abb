"""The runs view over a database: the list is read a page at a time as it is looked at, its
total and statistics are computed by PostgreSQL, and a run's steps are read when it is
opened. Memory stays bounded whatever the table holds."""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import replace

from rich.text import Text
from textual import work
from textual.widgets import Static

from tracetui.analysis.runs import NodeTrend, RunRow, RunStatistics, node_trends, run_rows
from tracetui.app.navigation import ShowFailures
from tracetui.app.run_list import RunList
from tracetui.app.runs import SORTS, STATUS_CYCLE, RunsScreen, statistics_text, trends_text
from tracetui.display import timestamp
from tracetui.errors import TraceError
from tracetui.inputs import run_queries
from tracetui.inputs.database import CfnDatabase
from tracetui.inputs.run_pages import RunPages, first_page
from tracetui.model import TraceSet
from tracetui.runfilter import RunFilter
from tracetui.text import safe_line, shorten

# Runs of one workflow read to draw its node trends.
TREND_RUNS = 30
# Runs with a failure read for the failures view (the CLI reads them all, a page at a time).
FAILURE_RUNS = 20_000
# How often the view looks for rows scrolled into sight that are not read yet (seconds).
FETCH_EVERY_S = 0.05


class DatabaseRunsScreen(RunsScreen):
    """Runs of claude-flow's ``execution_traces``, newest first, paged from PostgreSQL."""

    def __init__(self, database: CfnDatabase, first: Future[RunPages] | None = None) -> None:
        super().__init__(sources=[TraceSet(database.label, [], complete=database.complete)])
        self.database = database
        self._first = first  # the newest runs' first page, read while the app started
        self.pages: RunPages | None = None
        self.wanted = RunFilter()
        self.statistics: RunStatistics | None = None
        self.trends: dict[str, tuple[list[NodeTrend], list[str]]] = {}
        self.problem: str | None = None
        self._generation = 0  # bumped by each new query: late answers to old ones are dropped
        self._fetching = False

    def on_mount(self) -> None:
        self.query_one(RunList).one_dialect = True
        super().on_mount()
        self.set_interval(FETCH_EVERY_S, self.fetch_visible)

    # --- the query -------------------------------------------------------------------------

    def refresh_rows(self) -> None:
        """Ask the database for the runs the query, status and sort select."""
        _, statuses = STATUS_CYCLE[self.status_choice]
        wanted = self.parsed_query()
        if statuses is not None:
            chosen = statuses if wanted.statuses is None else statuses & wanted.statuses
            wanted = replace(wanted, statuses=frozenset(chosen))
        self.wanted = wanted
        self._generation += 1
        self._read(self._generation, wanted, SORTS[self.sort_choice][0])
        self.refresh_title()

    @work(thread=True, exclusive=True, group="db-query", exit_on_error=False)
    def _read(self, generation: int, wanted: RunFilter, order: str) -> None:
        """Count, then read the first page (off the UI thread)."""
        first, self._first = self._first, None
        try:
            if first is not None and wanted == RunFilter() and order == "newest":
                pages = first.result()
            else:
                pages = first_page(self.database, wanted, order)
            stats = self._statistics(wanted) if self.has_class("show-stats") else None
        except TraceError as exc:
            self.app.call_from_thread(self._failed, generation, str(exc))
            return
        self.app.call_from_thread(self._show, generation, pages, stats)

    def _statistics(self, wanted: RunFilter) -> RunStatistics:
        return self.database.statistics(replace(wanted, limit=None), "day")

    def _failed(self, generation: int, problem: str) -> None:
        if generation == self._generation:
            self.problem = problem
            self.refresh_title()
        self.notify(problem, severity="error", timeout=8)

    def _show(self, generation: int, pages: RunPages, stats: RunStatistics | None) -> None:
        if generation != self._generation:
            return
        self.problem = None
        self.pages = pages
        if stats is not None:
            self.statistics = stats
        view = self.query_one(RunList)
        view.marked = []
        view.set_rows(pages, cursor=0)
        self.refresh_title()
        self._update_stats()

    # --- pages as the list is looked at -----------------------------------------------------

    def fetch_visible(self) -> None:
        """Read the pages of the rows in sight (and under the cursor) not read yet."""
        pages = self.pages
        if pages is None or self._fetching or self.problem is not None:
            return  # after a problem, the next query (Esc, /, f, o) asks again
        view = self.query_one(RunList)
        top = view.scroll_offset.y
        wanted = pages.missing(top, top + max(1, view.size.height))
        wanted += [p for p in pages.missing(view.cursor, view.cursor) if p not in wanted]
        if wanted:
            self._fetching = True
            self._fetch(pages, wanted)

    @work(thread=True, exclusive=True, group="db-pages", exit_on_error=False)
    def _fetch(self, pages: RunPages, wanted: list[int]) -> None:
        try:
            for page in wanted:
                pages.load(page)
        except TraceError as exc:
            self.app.call_from_thread(self._fetched, pages, str(exc))
            return
        self.app.call_from_thread(self._fetched, pages, None)

    def _fetched(self, pages: RunPages, problem: str | None) -> None:
        self._fetching = False
        if problem is not None:
            self.problem = problem
            self.notify(problem, severity="error", timeout=8)
            self.refresh_title()
            return
        if pages is self.pages:
            view = self.query_one(RunList)
            view.redraw()
            view.row_changed(view.current())

    # --- what the title and the workflows pane say ------------------------------------------

    def _update_title(self, shown: int, status_label: str, sort_label: str) -> None:
        title = Text(no_wrap=True, overflow="ellipsis")
        pages = self.pages
        if pages is None:
            title.append("reading runs\u2026" if self.problem is None else "no runs read")
        else:
            counts = pages.counts
            title.append(f"{counts.runs:,} runs", style="bold")
            title.append(f", {counts.failed:,} failed, {counts.running:,} running")
        title.append(self.view_state(status_label, sort_label), style="italic")
        if self.problem is not None:
            title.append(f"  {shorten(safe_line(self.problem), 80)}", style="bold")
        title.append(f"  {safe_line(self.database.label)}")
        self.query_one("#runs-title", Static).update(title)

    def action_toggle_stats(self) -> None:
        """Per-workflow failure rate and percentiles (computed by PostgreSQL over every
        matching run), and the node trends of the selected run's workflow."""
        super().action_toggle_stats()
        if self.has_class("show-stats"):
            self._read_statistics(self._generation, self.wanted)

    @work(thread=True, exclusive=True, group="db-stats", exit_on_error=False)
    def _read_statistics(self, generation: int, wanted: RunFilter) -> None:
        try:
            stats = self._statistics(wanted)
        except TraceError as exc:
            self.app.call_from_thread(self._failed, generation, str(exc))
            return
        self.app.call_from_thread(self._got_statistics, generation, stats)

    def _got_statistics(self, generation: int, stats: RunStatistics) -> None:
        if generation == self._generation:
            self.statistics = stats
            self._update_stats()

    def figures_text(self, text: Text, width: int) -> None:
        """The figures PostgreSQL computed over every run the query selects."""
        if self.statistics is None:
            text.append("computing the figures in PostgreSQL\u2026\n")
        else:
            statistics_text(text, self.statistics, width)

    def trends_of(self, text: Text, current: RunRow, width: int) -> None:
        """The node trends of the workflow under the cursor, over its newest runs (read
        from the table the first time it is asked for)."""
        workflow = current.trace.name
        if workflow is None:
            return
        found = self.trends.get(workflow)
        if found is None:
            text.append(f"\nreading the newest runs of {safe_line(workflow)}\u2026\n")
            self._read_trends(workflow)
        else:
            trends_text(text, workflow, *found, width)

    @work(thread=True, group="db-trends", exit_on_error=False)
    def _read_trends(self, workflow: str) -> None:
        """The newest runs of one workflow with their steps, for its node trends."""
        query = run_queries.page(
            self.database.table,
            RunFilter(name=workflow),
            "newest",
            TREND_RUNS,
            steps=run_queries.WHOLE_STEPS,
        )
        try:
            traces, _ = self.database.traces(query)
        except TraceError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        rows = sorted(run_rows([TraceSet(self.database.label, traces)]), key=lambda r: r.sort_time)
        times = [timestamp(row.started_at) for row in rows]
        self.app.call_from_thread(self._got_trends, workflow, (node_trends(rows), times))

    def _got_trends(self, workflow: str, found: tuple[list[NodeTrend], list[str]]) -> None:
        self.trends[workflow] = found
        self._update_stats()

    # --- failures ---------------------------------------------------------------------------

    def action_failures(self) -> None:
        """The failures of the runs the query selects, read from the database."""
        self.notify("Reading the runs with a failure\u2026", timeout=3)
        self._read_failures(self.wanted)

    @work(thread=True, exclusive=True, group="db-failures", exit_on_error=False)
    def _read_failures(self, wanted: RunFilter) -> None:
        sets: list[TraceSet] = []
        try:
            # The newest FAILURE_RUNS runs with a failure, as one query (LIMIT in SQL).
            sets.extend(self.database.failing_pages(replace(wanted, limit=FAILURE_RUNS)))
        except TraceError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        if sum(len(page.traces) for page in sets) >= FAILURE_RUNS:
            self.app.call_from_thread(
                self.notify,
                f"Showing the failures of the newest {FAILURE_RUNS:,} runs with one "
                "(tracetui failures reads them all)",
                timeout=8,
            )
        self.app.call_from_thread(self.post_message, ShowFailures(sources=sets))
