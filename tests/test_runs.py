"""A folder of runs: listing, filters, percentiles, trends, and the runs view."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest

from tests.builders import N, write_victor
from tests.cli_helpers import run
from tests.helpers import SAMPLES, sample
from tracetui.analysis.runs import (
    filter_runs,
    node_trends,
    percentile,
    run_rows,
    slowdown_start,
    workflow_stats,
)
from tracetui.app.app import TraceApp
from tracetui.app.diff_view import DiffScreen
from tracetui.app.explorer import ExplorerScreen
from tracetui.app.run_list import RunList
from tracetui.app.runs import RunsScreen
from tracetui.inputs.start import start_for
from tracetui.loaders import load_path
from tracetui.model import Status
from tracetui.runfilter import RunFilter, parse_query, parse_statuses, parse_when

CFN = sample("cfn/execution_traces.rows.psql.jsonl")


def test_percentiles_against_hand_computed_values() -> None:
    values = [1.0, 2.0, 3.0, 4.0, 10.0]
    assert percentile(values, 50) == 3.0
    # rank (5 - 1) * 0.95 = 3.8: 4 + 0.8 * (10 - 4) = 8.8
    assert percentile(values, 95) == pytest.approx(8.8)
    assert percentile([5.0], 95) == 5.0
    assert percentile([1.0, 2.0], 50) == 1.5
    assert percentile([], 50) is None


def test_workflow_stats_over_the_cfn_table() -> None:
    stats = {s.name: s for s in workflow_stats(run_rows([load_path(CFN)]))}
    docker = stats["docker-build"]
    assert (docker.runs, docker.failed, docker.failure_rate) == (2, 1, 0.5)
    # durations 1.83s... and 31.0ms: the median of two is their mean
    durations = sorted(
        r.duration or 0 for r in run_rows([load_path(CFN)]) if r.name == "docker-build"
    )
    assert docker.p50 == pytest.approx(sum(durations) / 2)
    assert docker.p95 == pytest.approx(durations[0] + 0.95 * (durations[1] - durations[0]))
    assert stats["redis-coordination"].failure_rate == 1.0


def test_filters_like_query_by_skill() -> None:
    rows = run_rows([load_path(CFN)])
    redis = filter_runs(rows, RunFilter(name="redis-coordination"))
    assert [r.trace.id for r in redis] == [
        "98bdcdc7-f5f0-4e55-975d-0ea047c7e51e",
        "f954051c-8860-4315-b8a2-522640854db4",
    ]  # newest first
    assert len(filter_runs(rows, RunFilter(name="redis-coordination", limit=1))) == 1
    since = datetime(2026, 11, 22, 2, 2, 34, 277000, tzinfo=UTC)
    later = filter_runs(rows, RunFilter(since=since))
    assert all(r.started_at and r.started_at >= since for r in later)
    assert len(later) == 6
    until = filter_runs(rows, RunFilter(until=datetime(2026, 11, 22, 2, 2, 34, 200000, tzinfo=UTC)))
    assert {r.name for r in until} == {"docker-build"}
    failed = filter_runs(rows, RunFilter(statuses=frozenset({Status.TIMED_OUT})))
    assert [r.name for r in failed] == ["deploy-staging"]
    assert [r.name for r in filter_runs(rows, RunFilter(text="ECONNRESET"))] == [
        "redis-coordination"
    ]


def test_parse_when() -> None:
    now = datetime(2026, 11, 22, 12, tzinfo=UTC)
    assert parse_when("24h", now) == now - timedelta(hours=24)
    assert parse_when("7d", now) == now - timedelta(days=7)
    assert parse_when("2026-11-22") == datetime(2026, 11, 22, tzinfo=UTC)
    assert parse_when("2026-11-22T08:00+02:00").utcoffset() == timedelta(hours=2)
    with pytest.raises(ValueError):
        parse_when("yesterday")


def slowing_runs(tmp_path: Path) -> Path:
    folder = tmp_path / "runs"
    folder.mkdir()
    parse_times = [1.0, 1.1, 0.9, 1.0, 2.4, 2.6, 2.5]
    for day, seconds in enumerate(parse_times):
        write_victor(
            folder / f"run{day}.json",
            [N("fetch", 0.5), N("parse", seconds)],
            name="nightly",
            start=1_795_000_000.0 + day * 86400,
        )
    write_victor(folder / "other.json", [N("x", 1.0, ok=False, error="boom")], name="adhoc")
    return folder


def test_trends_find_where_a_node_started_to_slow(tmp_path: Path) -> None:
    rows = [
        r
        for r in run_rows([load_path(str(p)) for p in sorted(slowing_runs(tmp_path).iterdir())])
        if r.name == "nightly"
    ]
    trends = {t.node: t for t in node_trends(rows)}
    assert trends["parse"].slowed_at == 4
    assert trends["fetch"].slowed_at is None
    line = trends["parse"].sparkline()
    assert len(line) == 7 and line[:4] < line[4:] and max(line[:4]) < min(line[4:])
    assert slowdown_start([1.0, 1.0, 1.0]) is None
    assert slowdown_start([1.0, None, 1.0, 3.0, 3.0]) == 3


def test_cli_runs_over_a_folder_with_filters(tmp_path: Path) -> None:
    folder = slowing_runs(tmp_path)
    (folder / "readme.json").write_bytes(b'{"hello": 1}')
    result = run("runs", str(folder), "--json")
    assert result.code == 0, result.err
    assert "readme.json: skipped" in result.err
    doc = orjson.loads(result.out)
    assert len(doc["runs"]) == 8
    nightly = next(w for w in doc["workflows"] if w["name"] == "nightly")
    assert nightly["runs"] == 7 and nightly["failed"] == 0
    # 7 durations 1.5, 1.6, 1.4, 1.5, 2.9, 3.1, 3.0: sorted median 1.6
    assert nightly["p50_s"] == pytest.approx(1.6)
    filtered = orjson.loads(
        run("runs", str(folder), "--name", "nightly", "--limit", "2", "--json").out
    )
    assert [r["started_at"][:10] for r in filtered["runs"]] == ["2026-11-24", "2026-11-23"]
    failed = orjson.loads(run("runs", str(folder), "--status", "failed", "--json").out)
    assert [r["name"] for r in failed["runs"]] == ["adhoc"]
    window = orjson.loads(
        run(
            "runs", str(folder), "--since", "2026-11-19", "--until", "2026-11-21T23:59", "--json"
        ).out
    )
    assert len(window["runs"]) == 3


def test_cli_runs_text_and_bad_time() -> None:
    text = run("runs", CFN)
    assert text.code == 0
    assert text.out.startswith("10 runs")
    assert "docker-build" in text.out and "P95" in text.out
    bad = run("runs", CFN, "--since", "soon")
    assert bad.code == 2 and "not a time" in bad.err


def test_query_syntax() -> None:
    filters = parse_query("name:lint status:failed,timeout limit:3 until:2026-11-22 disk full")
    assert filters.name == "lint"
    assert filters.statuses == frozenset({Status.FAILED, Status.TIMED_OUT})
    assert filters.limit == 3
    assert filters.text == "disk full"
    # A bare date keeps the runs of that day.
    assert filters.until == datetime(2026, 11, 22, 23, 59, 59, 999999, tzinfo=UTC)
    assert filters.describe().startswith("name:lint since") is False
    assert parse_query(filters.describe()) == filters


def test_status_words_include_claude_flow_words() -> None:
    assert parse_statuses("timeout,success") == {Status.TIMED_OUT, Status.OK}
    with pytest.raises(ValueError, match="timed_out"):
        parse_statuses("fialed")


async def test_folder_opens_on_the_runs_view_and_loads_in_the_background(tmp_path: Path) -> None:
    folder = slowing_runs(tmp_path)
    app = TraceApp(start_for([str(folder)]))
    async with app.run_test(size=(140, 30)) as pilot:
        for _ in range(50):
            await pilot.pause(0.05)
            if isinstance(app.screen, RunsScreen) and len(app.screen.all_rows) == 8:
                break
        screen = app.screen
        assert isinstance(screen, RunsScreen)
        assert len(screen.all_rows) == 8
        await pilot.press("f")  # failures only
        view = screen.query_one(RunList)
        assert [r.name for r in view.rows] == ["adhoc"]
        await pilot.press("f", "f", "f")  # back to all
        assert len(view.rows) == 8
        await pilot.press("slash", *"name:nightly", "enter")
        assert len(view.rows) == 7
        await pilot.press("o")  # oldest first
        assert view.rows[0].started_at < view.rows[-1].started_at  # type: ignore[operator]
        await pilot.press("w")
        stats = str(screen.query_one("#runs-stats").render())
        assert "nightly" in stats and "slower since run 5" in stats
        await pilot.press("g", "m", "G", "m", "d")  # the oldest and the newest run
        await pilot.pause()
        assert isinstance(app.screen, DiffScreen)
        assert app.screen.result.regressions()
        await pilot.press("q")


async def test_enter_opens_a_run_from_the_folder(tmp_path: Path) -> None:
    app = TraceApp(start_for([str(SAMPLES / "dagron")]))
    async with app.run_test(size=(140, 30)) as pilot:
        for _ in range(50):
            await pilot.pause(0.05)
            if isinstance(app.screen, RunsScreen) and len(app.screen.all_rows) == 12:
                break
        await pilot.press("enter")
        assert isinstance(app.screen, ExplorerScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, RunsScreen)


def test_cli_open_of_an_empty_folder_is_exit_2(tmp_path: Path) -> None:
    result = run("open", str(tmp_path))
    assert result.code == 2
    assert "no trace files found" in result.err


def test_cli_open_of_a_missing_file_is_exit_2() -> None:
    result = run("open", "no/such.json")
    assert result.code == 2
    assert result.err.strip() == "tracetui: no/such.json: no such file"


def test_runs_without_a_start_time_are_placed_by_their_file(tmp_path: Path) -> None:
    """dagron records no absolute time: a folder of its runs is ordered by when each file was
    written, and says so (``~`` in the text, ``started_at_from_file`` in JSON)."""
    import os

    for name, written in (("old.json", 1_700_000_000), ("new.json", 1_800_000_000)):
        target = tmp_path / name
        target.write_bytes((SAMPLES / "dagron/etl_ok.events.json").read_bytes())
        os.utime(target, (written, written))
    listed = orjson.loads(run("runs", str(tmp_path), "--json").out)["runs"]
    assert [r["source"].rsplit("/", 1)[-1] for r in listed] == ["new.json", "old.json"]
    assert all(r["started_at_from_file"] for r in listed)
    assert listed[0]["started_at"].startswith("2027-01-15")
    assert "~2027-01-15" in run("runs", str(tmp_path)).out
