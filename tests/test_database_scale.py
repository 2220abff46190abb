"""claude-flow's table at scale (about 10k generated rows, months of partitions), against the
real PostgreSQL: every figure tracetui shows is checked against SQL this test runs itself."""

from __future__ import annotations

import math
import os
import shutil
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import orjson
import pytest

from tests.cli_helpers import run
from tests.pg_bulk import fill
from tests.pg_server import Server, find_bin, running_server
from tracetui.analysis.failures import collect, jaccard, rank
from tracetui.analysis.runs import run_rows, run_statistics
from tracetui.errors import TraceError
from tracetui.inputs import run_queries
from tracetui.inputs.database import CfnDatabase
from tracetui.inputs.run_pages import MAX_PAGES, RunPages, is_pending
from tracetui.model import Status
from tracetui.runfilter import RunFilter

if TYPE_CHECKING:
    from textual.pilot import Pilot

    from tracetui.app.app import TraceApp
    from tracetui.app.db_runs import DatabaseRunsScreen

psycopg = pytest.importorskip("psycopg", reason="the postgres extra is not installed")

if find_bin() is None and not os.environ.get("CI") and not os.environ.get("TRACETUI_TEST_PG"):
    pytest.skip("no PostgreSQL server binaries here", allow_module_level=True)

ROWS = 10_000
JULY = RunFilter(
    since=datetime(2026, 7, 1, tzinfo=UTC), until=datetime(2026, 7, 31, 23, 59, 59, tzinfo=UTC)
)


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with running_server() as running:
        fill(running, "bulk", ROWS)
        fill(running, "plain", ROWS, trigram=False)  # the same rows, without pg_trgm
        yield running


@pytest.fixture
def database(server: Server) -> Iterator[CfnDatabase]:
    connected = CfnDatabase(server.url(database="bulk"))
    yield connected
    connected.close()


def sql(server: Server, text: str, params: Any = None, database: str = "bulk") -> list[Any]:
    """Rows of a query run by the test on its own connection."""
    with psycopg.connect(
        host=server.socket_dir, port=server.port, user="postgres", dbname=database
    ) as connection:
        return list(connection.execute(text, params).fetchall())


def close(left: float | None, right: float | None) -> bool:
    if left is None or right is None:
        return left is right
    return math.isclose(left, right, rel_tol=1e-9, abs_tol=1e-9)


# --- statistics ------------------------------------------------------------------------------

WALL = "EXTRACT(EPOCH FROM completed_at - started_at)::float8"
EXPECTED = f"""
SELECT {{key}}, count(*), sum((status IN ('failed', 'timeout'))::int),
       sum((status = 'timeout')::int),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY {WALL}),
       percentile_cont(0.95) WITHIN GROUP (ORDER BY {WALL})
FROM execution_traces {{where}} GROUP BY 1 ORDER BY 1
"""


@pytest.mark.parametrize(
    ("wanted", "where", "params"),
    [
        (RunFilter(), "", None),
        (
            JULY,
            "WHERE started_at >= %s AND started_at <= %s",
            ("2026-07-01", "2026-07-31 23:59:59"),
        ),
        (RunFilter(name="redis-coordination"), "WHERE skill_name = %s", ("redis-coordination",)),
        (
            RunFilter(statuses=frozenset({Status.FAILED, Status.TIMED_OUT})),
            "WHERE status IN ('failed', 'timeout')",
            None,
        ),
    ],
)
def test_statistics_are_postgresql_figures_over_every_matching_run(
    server: Server, database: CfnDatabase, wanted: RunFilter, where: str, params: Any
) -> None:
    stats = database.statistics(wanted, "week")
    assert stats.computed_by == "PostgreSQL"
    skills = sql(server, EXPECTED.format(key="skill_name", where=where), params)
    assert sorted((s.name, s.runs, s.failed, s.timed_out) for s in stats.workflows) == sorted(
        (name, runs, failed, timed_out) for name, runs, failed, timed_out, *_ in skills
    )
    by_skill = {s.name: s for s in stats.workflows}
    for name, *_, p50, p95 in skills:
        assert close(by_skill[name].p50, p50) and close(by_skill[name].p95, p95)
    weeks = sql(server, EXPECTED.format(key="date_trunc('week', started_at)", where=where), params)
    assert [(b.name, b.runs, b.failed, b.timed_out) for b in stats.buckets] == [
        (start.isoformat(), runs, failed, timed_out)
        for start, runs, failed, timed_out, *_ in reversed(weeks)
    ]
    for bucket, (*_, p50, p95) in zip(stats.buckets, reversed(weeks), strict=True):
        assert close(bucket.p50, p50) and close(bucket.p95, p95)
    overall = sql(server, EXPECTED.format(key="1", where=where), params)
    assert stats.overall.runs == sum(runs for _, runs, *_ in skills) == overall[0][1]
    assert close(stats.overall.p95, overall[0][5])


def test_the_database_and_memory_agree_on_every_figure(database: CfnDatabase) -> None:
    everything = database.runs(RunFilter(limit=ROWS), with_steps=True)
    assert len(everything.traces) == ROWS
    memory = run_statistics(run_rows([everything]), "day")
    sql_stats = database.statistics(RunFilter(), "day")
    for left, right in [
        (memory.overall, sql_stats.overall),
        *zip(memory.workflows, sql_stats.workflows, strict=True),
        *zip(memory.buckets, sql_stats.buckets, strict=True),
    ]:
        assert (left.name, left.runs, left.failed, left.timed_out) == (
            right.name,
            right.runs,
            right.failed,
            right.timed_out,
        )
        assert close(left.p50, right.p50) and close(left.p95, right.p95)


def test_a_time_filter_reads_only_its_months_partitions(server: Server) -> None:
    query = run_queries.statistics("execution_traces", JULY, "day")
    plan = sql(server, "EXPLAIN " + query.sql, query.params)
    scanned = {line[0].split(" on ")[1].split()[0] for line in plan if " on execution_" in line[0]}
    assert scanned == {"execution_traces_2026_07"}


def test_runs_json_gives_the_figures_and_the_total(server: Server) -> None:
    result = run("runs", server.url(database="bulk"), "--limit", "5", "--bucket", "month", "--json")
    assert result.code == 0, result.err
    doc = orjson.loads(result.out)
    assert doc["total_runs"] == ROWS and doc["listed_runs"] == 5
    assert doc["computed_by"] == "PostgreSQL"
    months = sql(server, EXPECTED.format(key="date_trunc('month', started_at)", where=""))
    assert [(b["runs"], b["failed"]) for b in doc["buckets"]] == [
        (runs, failed) for _, runs, failed, *_ in reversed(months)
    ]
    newest = sql(server, "SELECT trace_id FROM execution_traces ORDER BY started_at DESC LIMIT 5")
    assert [r["id"] for r in doc["runs"]] == [row[0] for row in newest]
    text = run("runs", server.url(database="bulk"), "--limit", "3").out
    assert "newest 3 of 10,000 runs" in text and "per day (UTC)" in text


# --- pages -----------------------------------------------------------------------------------


def ids(server: Server, order: str, where: str = "") -> list[str]:
    return [
        row[0]
        for row in sql(server, f"SELECT trace_id FROM execution_traces {where} ORDER BY {order}")
    ]


def test_pages_by_key_walk_the_whole_list_in_order_with_bounded_memory(
    server: Server, database: CfnDatabase
) -> None:
    counts = database.counts(RunFilter())
    pages = RunPages(database, RunFilter(), "newest", counts, page_size=100)
    assert len(pages) == ROWS and is_pending(pages[5000])
    for page in range(pages.page_count):
        pages.load(page)
        assert len(pages.loaded()) <= MAX_PAGES
    assert pages.queries == pages.page_count
    expected = ids(server, "started_at DESC, trace_id DESC")
    tail = [pages[i].trace.id for i in range(ROWS - 100 * MAX_PAGES, ROWS)]
    assert tail == expected[-100 * MAX_PAGES :]


def test_jumping_to_the_oldest_run_reads_one_page_backwards(
    server: Server, database: CfnDatabase
) -> None:
    wanted = RunFilter(name="docker-build")
    pages = RunPages(database, wanted, "newest", database.counts(wanted), page_size=100)
    pages.load(pages.page_count - 1)
    expected = ids(server, "started_at DESC, trace_id DESC", "WHERE skill_name = 'docker-build'")
    assert len(pages) == len(expected)
    last = range((pages.page_count - 1) * 100, len(pages))
    assert [pages[i].trace.id for i in last] == expected[last.start :]
    # The page before it is found by key, backwards from the one read.
    pages.load(pages.page_count - 2)
    before = range((pages.page_count - 2) * 100, last.start)
    assert [pages[i].trace.id for i in before] == expected[before.start : before.stop]
    # A jump into the middle reads by offset; other orders too.
    pages.load(7)
    assert [pages[i].trace.id for i in range(700, 800)] == expected[700:800]
    slowest = RunPages(database, wanted, "slowest", database.counts(wanted), page_size=50)
    slowest.load(3)
    durations = [slowest[i].duration for i in range(150, 200)]
    assert durations == sorted(durations, key=lambda d: -(d or 0.0))


def test_rows_are_listed_without_steps_until_opened(database: CfnDatabase) -> None:
    pages = RunPages(database, RunFilter(), "newest", database.counts(RunFilter()))
    pages.load(0)
    ok = next(pages[i] for i in range(200) if pages[i].status is Status.OK)
    assert "partial" in ok.trace.attributes and not list(ok.trace.nodes())
    whole = database.complete(ok.trace)
    assert list(whole.nodes()) and whole.duration == ok.duration


# --- failures --------------------------------------------------------------------------------


def test_failures_read_only_failing_rows_and_group_as_files_do(
    server: Server, database: CfnDatabase
) -> None:
    everything = database.runs(RunFilter(limit=ROWS), with_steps=True)
    expected = collect([everything])
    failing_runs = {id(f.trace) for f in expected}
    read = list(database.failing_pages(RunFilter(), size=500))
    assert sum(len(page.traces) for page in read) == len(failing_runs)
    assert len(read) == -(-len(failing_runs) // 500)  # pages of 500
    result = run("failures", server.url(database="bulk"), "--json")
    doc = orjson.loads(result.out)
    assert doc["failures"] == len(expected)
    from tracetui.analysis.failures import group

    assert [f["count"] for f in doc["families"]] == [f.count for f in group(expected)]


def test_failures_take_a_time_range(server: Server) -> None:
    july = run(
        "failures",
        server.url(database="bulk"),
        "--since",
        "2026-07-01",
        "--until",
        "2026-07-31",
        "--json",
    )
    doc = orjson.loads(july.out)
    rows = sql(
        server,
        "SELECT count(*) FROM execution_traces, jsonb_array_elements(steps) AS step "
        "WHERE started_at >= '2026-07-01' AND started_at < '2026-08-01' "
        "AND step->>'status' IN ('failed', 'timeout')",
    )
    assert doc["failures"] == rows[0][0]


@pytest.mark.parametrize(
    "query",
    [
        "redis timeout",
        "connection timeout to database",
        "npm ERR! network request failed getaddrinfo",
        "Health check deadline",
        "relation already exists",
        "disk full",
    ],
)
def test_a_similar_search_prefiltered_by_pg_trgm_finds_what_a_full_scan_finds(
    server: Server, query: str
) -> None:
    with_trigram = run("failures", server.url(database="bulk"), "--similar", query, "--json")
    without = run("failures", server.url(database="plain"), "--similar", query, "--json")
    assert with_trigram.code == without.code == 0, with_trigram.err + without.err
    found, full = orjson.loads(with_trigram.out), orjson.loads(without.out)
    assert [(r["score"], r["trace_id"], r["node"]) for r in found["failures"]] == [
        (r["score"], r["trace_id"], r["node"]) for r in full["failures"]
    ]


def test_a_similar_search_reads_only_rows_it_lists(server: Server) -> None:
    database = CfnDatabase(server.url(database="plain"))
    every = sum(len(p.traces) for p in database.failing_pages(RunFilter()))
    read = list(database.failing_pages(RunFilter(), "redis connection timeout", limit=5))
    ranked = rank(collect(read), "redis connection timeout", min_score=40, limit=5)
    assert len(ranked) == 5 and all(r.score == 100 for r in ranked)
    assert 5 <= sum(len(p.traces) for p in read) < every / 3
    assert not list(database.failing_pages(RunFilter(), "zzzz qqqq", min_score=90))


def test_trigram_prefilter_when_asked_and_installed(server: Server) -> None:
    with_trigram = CfnDatabase(server.url(database="bulk"))
    without = CfnDatabase(server.url(database="plain"))
    assert with_trigram.has_trigram and not without.has_trigram
    search = "Redis connection timeout after 12ms"
    narrow = list(with_trigram.failing_pages(RunFilter(), search, trigram=True))
    wide = list(without.failing_pages(RunFilter(), search, trigram=True))  # scored instead
    every = sum(len(p.traces) for p in without.failing_pages(RunFilter()))
    assert 0 < sum(len(p.traces) for p in narrow) < every
    best = rank(collect(narrow), search, limit=20)
    assert [(r.score, r.failure.trace.id) for r in best] == [
        (r.score, r.failure.trace.id) for r in rank(collect(wide), search, limit=20)
    ]
    result = run(
        "failures", server.url(database="bulk"), "--similar", search, "--trigram", "--json"
    )
    assert result.code == 0 and orjson.loads(result.out)["failures"]


def test_cfn_compatible_keeps_claude_flows_own_query(server: Server) -> None:
    error = "Redis connection timeout after 500ms (ECONNRESET)"
    result = run(
        "failures", server.url(database="bulk"), "--similar", error, "--cfn-compatible", "--json"
    )
    rows = sql(
        server,
        "SELECT trace_id, skill_name, error_message, started_at FROM execution_traces "
        "WHERE status = 'failed' AND error_message IS NOT NULL ORDER BY started_at DESC LIMIT 100",
    )
    scored = [(round(jaccard(error, row[2]), 2), row) for row in rows]
    expected = [
        {
            "trace_id": row[0],
            "skill_name": row[1],
            "error_message": row[2],
            "started_at": row[3].isoformat(),
            "similarity_score": score,
        }
        for score, row in sorted(
            [s for s in scored if jaccard(error, s[1][2]) > 0.30], key=lambda s: -s[0]
        )[:10]
    ]
    assert orjson.loads(result.out) == expected


# --- the connection ----------------------------------------------------------------------------


def test_a_slow_query_is_cancelled_and_said(server: Server) -> None:
    hurried = CfnDatabase(server.url(database="bulk"), statement_timeout_s=0.2)
    with pytest.raises(TraceError, match="statement timeout"):
        hurried._query("SELECT pg_sleep(3)")
    assert hurried.counts(RunFilter()).runs == ROWS  # the connection is still good


def test_a_dropped_connection_is_a_message(server: Server, database: CfnDatabase) -> None:
    pid = database.connection.info.backend_pid
    sql(server, "SELECT pg_terminate_backend(%s)", (pid,))
    with pytest.raises(TraceError, match="lost the connection"):
        database.counts(RunFilter())
    # The next question connects again (still read-only, still under the timeout).
    assert database.counts(RunFilter()).runs == ROWS
    assert database.connection.info.backend_pid != pid
    assert database.connection.read_only is True


def test_every_transaction_is_read_only(database: CfnDatabase) -> None:
    for statement in (
        "CREATE TEMP TABLE scratch (x int)",
        "DELETE FROM execution_traces",
        "INSERT INTO execution_traces (trace_id, started_at, skill_name, status) "
        "VALUES ('x', now(), 'x', 'success')",
    ):
        with pytest.raises(TraceError, match="read-only"):
            database._query(statement)


# --- the runs view -----------------------------------------------------------------------------


async def settle(pilot: Any, done: Any, tries: int = 200) -> None:
    """Wait (up to ~10 s) until ``done()`` holds: the view reads in worker threads."""
    for _ in range(tries):
        await pilot.pause(0.05)
        if done():
            return
    raise AssertionError("the view did not get there")


@asynccontextmanager
async def runs_view(
    url: str, size: tuple[int, int]
) -> AsyncIterator[tuple[TraceApp, Pilot[int], DatabaseRunsScreen]]:
    """The app opened on ``url`` at ``size``: the app, its pilot and its runs screen."""
    from tracetui.app.app import TraceApp
    from tracetui.app.db_runs import DatabaseRunsScreen
    from tracetui.inputs.start import start_for

    app = TraceApp(start_for([url]))
    async with app.run_test(size=size) as pilot:
        screen = app.screen
        assert isinstance(screen, DatabaseRunsScreen)
        yield app, pilot, screen


async def test_the_runs_view_pages_the_table(server: Server) -> None:
    from tracetui.app.app import TraceApp
    from tracetui.app.db_runs import DatabaseRunsScreen
    from tracetui.app.explorer import ExplorerScreen
    from tracetui.app.run_list import RunList
    from tracetui.inputs.start import BrowseDatabase, start_for

    start = start_for([server.url(database="bulk")])
    assert isinstance(start, BrowseDatabase)
    app = TraceApp(start)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, DatabaseRunsScreen)
        view = screen.query_one(RunList)
        await settle(pilot, lambda: screen.pages is not None)
        assert screen.pages is not None
        title = str(screen.query_one("#runs-title").render())
        failed = sql(
            server, "SELECT count(*) FROM execution_traces WHERE status IN ('failed', 'timeout')"
        )[0][0]
        assert f"{ROWS:,} runs, {failed:,} failed" in title
        newest = ids(server, "started_at DESC, trace_id DESC")
        assert [view.rows[i].trace.id for i in range(20)] == newest[:20]
        assert screen.pages.loaded() == [0]  # the first screen: one page
        # Jump to the oldest run: one page read backwards, not the table.
        await pilot.press("G")
        await settle(pilot, lambda: not is_pending(view.rows[ROWS - 1]))
        current = view.current()
        assert current is not None and current.trace.id == newest[-1]
        assert screen.pages.loaded() == [0, screen.pages.page_count - 1]
        # Opening a run reads its steps.
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, ExplorerScreen))
        assert isinstance(app.screen, ExplorerScreen)
        assert list(app.screen.trace.nodes())
        await pilot.press("escape")
        # The workflows pane: figures by PostgreSQL over every matching run.
        await pilot.press("w")
        await settle(pilot, lambda: screen.statistics is not None)
        assert screen.statistics is not None and screen.statistics.overall.runs == ROWS
        pane = str(screen.query_one("#runs-stats").render())
        assert f"over {ROWS:,} runs (computed by PostgreSQL)" in pane
        # A query runs in SQL.
        await pilot.press("slash", *"name:lint-code", "enter")
        lint = sql(server, "SELECT count(*) FROM execution_traces WHERE skill_name = 'lint-code'")
        await settle(pilot, lambda: screen.pages is not None and len(screen.pages) == lint[0][0])
        # One connection all along.
        connections = sql(
            server,
            "SELECT count(*) FROM pg_stat_activity WHERE datname = 'bulk' AND pid <> "
            "pg_backend_pid()",
        )
        assert connections[0][0] == 1


async def test_a_dropped_connection_keeps_the_app_and_what_it_read(server: Server) -> None:
    from tracetui.app.db_runs import DatabaseRunsScreen
    from tracetui.app.run_list import RunList

    async with runs_view(server.url(database="bulk"), (100, 24)) as (app, pilot, screen):
        await settle(pilot, lambda: screen.pages is not None)
        view = screen.query_one(RunList)
        first = view.rows[0].trace.id
        sql(
            server,
            "SELECT pg_terminate_backend(%s)",
            (screen.database.connection.info.backend_pid,),
        )
        await pilot.press("G")
        await settle(pilot, lambda: screen.problem is not None)
        assert "lost the connection" in (screen.problem or "")
        assert any("lost the connection" in n.message for n in app._notifications)
        assert app.is_running and isinstance(app.screen, DatabaseRunsScreen)
        assert view.rows[0].trace.id == first
        assert f"{ROWS:,} runs" in str(screen.query_one("#runs-title").render())
        # Asking again (here: the status filter) connects again.
        await pilot.press("f")
        await settle(pilot, lambda: screen.problem is None and screen.pages is not None)


def test_failures_from_a_database_keep_runs_only_as_listings(server: Server) -> None:
    from tracetui.inputs.failing import failures_in

    found = failures_in([server.url(database="bulk")], None, RunFilter(), None)
    assert found.failures and found.sources == 1
    runs = {id(f.trace): f.trace for f in found.failures}
    assert all("partial" in t.attributes and not t.spans for t in runs.values())
    # Each run's listing is shared by its failures, and opening one reads it whole.
    assert len(runs) < len(found.failures)
    database = CfnDatabase(server.url(database="bulk"))
    listing = found.failures[0].trace
    whole = database.complete(listing)
    assert whole.spans[found.failures[0].span].status.is_failure


def test_too_many_messages_to_score_go_to_pg_trgm_where_installed(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tracetui.inputs import database as database_module

    monkeypatch.setattr(database_module, "MESSAGE_CAP", 5)
    search = "Redis connection timeout after 12ms"
    with_trigram = list(CfnDatabase(server.url(database="bulk")).failing_pages(RunFilter(), search))
    assert "pg_trgm word similarity" in with_trigram[0].warnings[0]
    assert all("pg_trgm" not in w for page in with_trigram[1:] for w in page.warnings)
    without = list(CfnDatabase(server.url(database="plain")).failing_pages(RunFilter(), search))
    assert not any("pg_trgm" in w for page in without for w in page.warnings)
    best = rank(collect(with_trigram), search, limit=10)
    assert [r.failure.trace.id for r in best] == [
        r.failure.trace.id for r in rank(collect(without), search, limit=10)
    ]


@pytest.mark.e2e
@pytest.mark.skipif(not shutil.which("tmux"), reason="tmux is not installed")
def test_the_table_in_a_real_terminal_at_80x24(server: Server) -> None:
    from tests.test_e2e_tmux import Terminal

    oldest = sql(server, "SELECT min(started_at) FROM execution_traces")[0][0]
    terminal = Terminal(
        [sys.executable, "-m", "tracetui", "open", server.url(database="bulk")], 80, 24
    )
    try:
        first = terminal.wait_for(lambda s: f"{ROWS:,} runs" in s and "\u2026 reading" not in s)
        assert "s3cret" not in first
        terminal.send("G")
        terminal.wait_for(lambda s: oldest.strftime("%m-%d %H:%M:%S") in s)
        terminal.send("/")
        terminal.send("status:timeout", "Enter")
        timeouts = sql(server, "SELECT count(*) FROM execution_traces WHERE status = 'timeout'")
        terminal.wait_for(lambda s: f"{timeouts[0][0]:,} runs" in s)
        terminal.send("q")
        terminal.wait_for(lambda s: f"{timeouts[0][0]:,} runs" not in s)
    finally:
        terminal.close()


def test_statement_timeout_from_the_command_line(server: Server) -> None:
    slow = run("runs", server.url(database="bulk"), "--statement-timeout", "0.001")
    assert slow.code == 2 and len(slow.err.splitlines()) == 1
    assert "statement timeout" in slow.err and "--statement-timeout" in slow.err
    bad = run("runs", server.url(database="bulk"), "--statement-timeout", "-3")
    assert bad.code == 2 and "seconds" in bad.err


HOSTILE = """
INSERT INTO execution_traces (trace_id, started_at, skill_name, completed_at, status, steps,
                              error_message) VALUES
('null-steps', '2026-08-01 10:00', 'null-steps', '2026-08-01 10:00:01', 'failed', NULL,
 'no steps at all'),
('string-steps', '2026-08-01 10:01', 'string-steps', '2026-08-01 10:01:01', 'failed',
 to_jsonb('[{"name": "a", "status": "failed", "timestamp": "2026-08-01T10:01:00.5",
            "duration_ms": 5, "error_message": "encoded twice"}]'::text), 'encoded twice'),
('object-steps', '2026-08-01 10:02', 'object-steps', '2026-08-01 10:02:01', 'failed',
 '{"name": "x"}', 'steps is an object'),
('odd-step', '2026-08-01 10:03', '[bold red]markup[/]', '2026-08-01 10:03:01', 'failed',
 '[{"name": 7, "status": ["failed"], "timestamp": 3, "duration_ms": "x"},
   {"name": "esc", "status": "FAILED ", "timestamp": "2026-08-01T10:03:00.5",
    "duration_ms": 1, "error_message": "\\u001b[31mred\\u001b[0m \\u202eevil"}]',
 E'\\x1b]0;title\\x07 pwned')
"""


@pytest.fixture(scope="module")
def hostile(server: Server) -> str:
    fill(server, "hostile", 100, trigram=False)
    server.psql(HOSTILE, database="hostile")
    return server.url(database="hostile")


def test_hostile_rows_are_read_or_said_never_a_crash(hostile: str) -> None:
    listed = run("runs", hostile, "--json")
    assert listed.code == 0, listed.err
    runs = {r["id"]: r for r in orjson.loads(listed.out)["runs"]}
    assert {"null-steps", "string-steps", "object-steps", "odd-step"} <= runs.keys()
    text = run("runs", hostile)
    assert "\x1b" not in text.out + text.err and "\u202e" not in text.out + text.err
    failures = run("failures", hostile)
    assert failures.code == 0, failures.err
    assert "\x1b" not in failures.out + failures.err
    assert "encoded twice" in failures.out  # double-encoded steps are decoded
    found = orjson.loads(run("failures", hostile, "--json").out)
    assert any(
        m["error"].startswith("\x1b[31mred") for f in found["families"] for m in f["members"]
    )
    similar = run("failures", hostile, "--similar", "red evil")
    assert similar.code == 0 and "\x1b" not in similar.out


async def test_hostile_rows_in_the_runs_view(hostile: str) -> None:
    from tracetui.app.explorer import ExplorerScreen
    from tracetui.app.run_list import RunList

    async with runs_view(hostile, (100, 30)) as (app, pilot, screen):
        await pilot.press("slash", *"since:2026-08-01 until:2026-08-01", "enter")
        await settle(pilot, lambda: screen.pages is not None and screen.query_text != "")
        await settle(pilot, lambda: screen.pages is not None and len(screen.pages) >= 4)
        view = screen.query_one(RunList)
        lines = [view.render_line(y).text for y in range(view.size.height)]
        assert not any("\x1b" in line or "\u202e" in line for line in lines)
        assert any("[bold red]markup[/]" in line for line in lines)
        assert any("this row cannot be" in line for line in lines)  # object-steps
        for name in ("null-steps", "odd-step", "object-steps"):
            position = next(i for i in range(len(view.rows)) if view.rows[i].trace.id == name)
            view.cursor = position
            await pilot.press("enter")
            await settle(pilot, lambda: isinstance(app.screen, ExplorerScreen))
            await pilot.press("escape")
            await settle(pilot, lambda: app.screen is screen)
        assert app.internal_error is None


@pytest.mark.parametrize(
    ("wanted", "where"),
    [
        (RunFilter(), ""),
        (RunFilter(name="lint-code"), "WHERE skill_name = 'lint-code'"),
        # Sparse: a few dozen runs over six months, so each page's stretch of time grows.
        (RunFilter(statuses=frozenset({Status.RUNNING})), "WHERE status = 'running'"),
    ],
)
@pytest.mark.parametrize("order", ["newest", "oldest"])
def test_pages_read_by_stretches_of_time_are_the_tables_order(
    server: Server, database: CfnDatabase, wanted: RunFilter, where: str, order: str
) -> None:
    direction = "DESC" if order == "newest" else "ASC"
    expected = ids(server, f"started_at {direction}, trace_id {direction}", where)
    pages = RunPages(database, wanted, order, database.counts(wanted), page_size=20)
    assert len(pages) == len(expected)
    last = pages.page_count - 1
    for page in (0, 1, 2, last, last - 1, last - 2):
        pages.load(page)
    for page in (0, 1, 2, last, last - 1, last - 2):
        shown = range(page * 20, min(len(pages), page * 20 + 20))
        assert [pages[i].trace.id for i in shown] == expected[shown.start : shown.stop]


async def test_failures_of_the_filtered_runs_from_the_runs_view(server: Server) -> None:
    from tracetui.app.failure_view import FailuresScreen

    async with runs_view(server.url(database="bulk"), (100, 30)) as (app, pilot, screen):
        await pilot.press("slash", *"name:deploy-staging", "enter")
        await settle(pilot, lambda: screen.pages is not None and screen.wanted.name is not None)
        await pilot.press("F")
        await settle(pilot, lambda: isinstance(app.screen, FailuresScreen))
        failures = app.screen
        assert isinstance(failures, FailuresScreen)
        expected = sql(
            server,
            "SELECT count(*) FROM execution_traces, jsonb_array_elements(steps) AS step "
            "WHERE skill_name = 'deploy-staging' AND step->>'status' IN ('failed', 'timeout')",
        )
        assert len(failures.failures) == expected[0][0] > 0
        await pilot.press("escape")
        await settle(pilot, lambda: app.screen is screen)


async def test_a_filter_that_matches_nothing_leaves_every_key_working(server: Server) -> None:
    from tracetui.app.run_list import RunList

    async with runs_view(server.url(database="bulk"), (80, 24)) as (app, pilot, screen):
        await pilot.press("slash", *"name:no-such-skill", "enter")
        await settle(pilot, lambda: screen.pages is not None and len(screen.pages) == 0)
        assert "0 runs" in str(screen.query_one("#runs-title").render())
        view = screen.query_one(RunList)
        assert "no run matches" in view.render_line(0).text
        for key in ("G", "g", "enter", "m", "d", "o", "w", "f", "escape"):
            await pilot.press(key)
            await pilot.pause(0.05)
        assert app.is_running and app.internal_error is None
