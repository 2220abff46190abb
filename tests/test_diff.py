"""Regression diff: alignment, thresholds, noisy baselines, reports, exit codes, the screen."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from tests.builders import N, victor, write_victor
from tests.cli_helpers import run
from tests.helpers import sample
from tracetui.analysis.diff import Change, Diff, Thresholds, diff
from tracetui.app.app import TraceApp
from tracetui.app.diff_view import DiffList, DiffScreen, PairScreen, TimelinesScreen
from tracetui.inputs.start import ShowDiff
from tracetui.loaders import load_path

BASE = [N("fetch", 1.0, tools=[("http", 0.5, True)]), N("parse", 2.0), N("store", 0.5)]


def by_path(result: object) -> dict[str, object]:
    return {p.path: p for p in result.pairs}  # type: ignore[attr-defined]


def test_a_trace_diffed_against_itself_has_no_changes() -> None:
    trace = victor(BASE)
    result = diff([trace], trace)
    assert result.changes() == []
    assert result.regressions() == []
    assert all(p.change is Change.SAME and p.delta == 0 for p in result.pairs)


@pytest.mark.parametrize(
    "path",
    [
        "dagron/etl_fail.events.json",
        "victor/code_review.asdict.json",
        "cfn/docker_build_failed.in_memory.json",
        "graphenix/readme_example.running.trace.json",
    ],
)
def test_every_dialect_diffed_against_itself(path: str) -> None:
    (trace,) = load_path(sample(path)).traces
    (again,) = load_path(sample(path)).traces
    assert diff([trace], again).changes() == []


def test_alignment_by_id_with_nested_tool_calls() -> None:
    result = diff([victor(BASE)], victor(BASE))
    assert [p.path for p in result.pairs] == ["fetch", "fetch > http", "parse", "store"]
    assert [p.depth for p in result.pairs] == [0, 1, 0, 0]


def test_repeated_names_match_by_occurrence_order() -> None:
    before = victor([N("retry", 1.0), N("retry", 2.0), N("retry", 3.0)])
    after = victor([N("retry", 1.0), N("retry", 5.0)])
    pairs = by_path(diff([before], after))
    assert set(pairs) == {"retry", "retry#2", "retry#3"}
    assert pairs["retry#2"].delta == 3.0  # type: ignore[attr-defined]
    assert pairs["retry#3"].change is Change.REMOVED  # type: ignore[attr-defined]


def test_renamed_node_is_removed_and_added() -> None:
    after = victor([BASE[0], N("parse_v2", 2.0), BASE[2]])
    pairs = by_path(diff([victor(BASE)], after))
    assert pairs["parse"].change is Change.REMOVED  # type: ignore[attr-defined]
    assert pairs["parse_v2"].change is Change.ADDED  # type: ignore[attr-defined]
    order = [p.path for p in diff([victor(BASE)], after).pairs]
    assert order.index("parse_v2") < order.index("store")


def test_tool_calls_added_removed_and_counted() -> None:
    after = victor(
        [
            N("fetch", 1.0, tools=[("http", 0.5, True), ("http", 0.4, True)]),
            N("parse", 2.0),
            N("store", 0.5),
        ]
    )
    result = diff([victor(BASE)], after)
    pairs = by_path(result)
    assert pairs["fetch > http#2"].change is Change.ADDED  # type: ignore[attr-defined]
    assert pairs["fetch"].tools_before == 1 and pairs["fetch"].tools_after == 2  # type: ignore[attr-defined]


def test_thresholds_need_both_seconds_and_percent() -> None:
    after = victor(
        [N("fetch", 1.04, tools=[("http", 0.5, True)]), N("parse", 2.6), N("store", 0.62)]
    )
    pairs = by_path(diff([victor(BASE)], after))
    assert not pairs["fetch"].significant  # type: ignore[attr-defined]   # +40ms, +4%
    assert pairs["parse"].significant  # type: ignore[attr-defined]       # +600ms, +30%
    assert pairs["store"].significant  # type: ignore[attr-defined]       # +120ms, +24%
    strict = by_path(diff([victor(BASE)], after, Thresholds(seconds=0.2, percent=10)))
    assert not strict["store"].significant  # type: ignore[attr-defined]
    assert strict["parse"].regression  # type: ignore[attr-defined]
    loose = by_path(diff([victor(BASE)], after, Thresholds(seconds=0.01, percent=30)))
    assert not loose["store"].significant  # type: ignore[attr-defined]
    assert loose["parse"].significant  # type: ignore[attr-defined]


def test_status_changes_new_failures_and_fixes() -> None:
    before = victor([N("a", 1.0), N("b", 1.0, ok=False, error="boom")])
    after = victor([N("a", 1.0, ok=False, error="new"), N("b", 1.0)])
    result = diff([before], after)
    pairs = by_path(result)
    assert pairs["a"].newly_failing and pairs["a"].regression  # type: ignore[attr-defined]
    assert pairs["b"].fixed and not pairs["b"].regression  # type: ignore[attr-defined]
    assert len(result.status_changes()) == 2


def test_multi_baseline_uses_medians_and_the_spread() -> None:
    baselines = [
        victor([N("a", seconds), N("b", 1.0)], start=1e9 + i)
        for i, seconds in enumerate([1.0, 1.5, 2.6])
    ]
    within = diff(baselines, victor([N("a", 2.5), N("b", 1.0)]))
    a = by_path(within)["a"]
    assert a.seconds_before == 1.5  # type: ignore[attr-defined]
    assert a.spread == (1.0, 2.6)  # type: ignore[attr-defined]
    # +1.0s and +67% past the median, but inside what the baseline runs already did.
    assert not a.significant  # type: ignore[attr-defined]
    beyond = by_path(diff(baselines, victor([N("a", 3.2), N("b", 1.0)])))["a"]
    assert beyond.significant and beyond.regression  # type: ignore[attr-defined]
    assert diff(baselines, victor([N("a", 3.2), N("b", 1.0)])).before.duration_s == 2.5


def test_totals_and_critical_path() -> None:
    after = victor(
        [
            N("fetch", 1.0, tools=[("http", 0.5, True)]),
            N("parse", 4.0),
            N("store", 0.5, ok=False, error="disk full"),
        ]
    )
    result = diff([victor(BASE)], after)
    assert result.before.duration_s == 3.5 and result.after.duration_s == 5.5
    assert result.before.counts["ok"] == 3 and result.after.counts["failed"] == 1
    assert result.after.critical_path == ["fetch", "parse", "store"]


def test_dagron_events_against_its_chrome_export_of_the_same_run() -> None:
    for name in ("etl_ok", "resources", "timeout"):
        (events,) = load_path(sample(f"dagron/{name}.events.json")).traces
        (chrome,) = load_path(sample(f"dagron/{name}.chrome.json")).traces
        result = diff([events], chrome)
        assert result.measure == "wall"
        ran = [p for p in result.pairs if p.kind == "node" and p.after is not None]
        assert {p.name for p in ran} == {s.name for s in chrome.nodes()}
        assert all(p.change is not Change.ADDED for p in result.pairs)
        assert all(not p.significant and not p.status_changed for p in ran)


# --- CLI: formats and exit codes ---------------------------------------------------------------


@pytest.fixture
def runs(tmp_path: Path) -> dict[str, Path]:
    return {
        "base": write_victor(tmp_path / "base.json", BASE),
        "same": write_victor(tmp_path / "same.json", BASE),
        "slow": write_victor(tmp_path / "slow.json", [BASE[0], N("parse", 3.0), BASE[2]]),
        "failing": write_victor(
            tmp_path / "failing.json",
            [BASE[0], N("parse", 2.0, ok=False, error="bad | row"), BASE[2]],
        ),
        "added": write_victor(tmp_path / "added.json", [*BASE, N("notify", 0.001)]),
    }


def test_json_lists_every_pair_with_numbers_and_flags(runs: dict[str, Path]) -> None:
    result = run("diff", str(runs["base"]), str(runs["slow"]), "--format", "json")
    assert result.code == 0
    doc = orjson.loads(result.out)
    assert [p["path"] for p in doc["pairs"]] == ["fetch", "fetch > http", "parse", "store"]
    parse = doc["pairs"][2]
    assert parse["seconds_before"] == 2.0 and parse["seconds_after"] == 3.0
    assert parse["delta_s"] == 1.0 and parse["delta_percent"] == 50.0
    assert parse["flags"] == ["slower", "regression"]
    assert doc["summary"]["regressions"] == 1
    assert doc["totals"]["duration_before_s"] == 3.5


def test_text_and_markdown(runs: dict[str, Path]) -> None:
    text = run("diff", str(runs["base"]), str(runs["failing"]), "--format", "text")
    assert "now failing" in text.out and "parse" in text.out
    markdown = run("diff", str(runs["base"]), str(runs["failing"]), "--format", "markdown")
    assert markdown.out.startswith("### tracetui diff: wf")
    assert "| now failing | parse |" in markdown.out


@pytest.mark.parametrize(
    ("current", "fail_on", "code"),
    [
        ("same", "any", 0),
        ("slow", "regression", 1),
        ("slow", "status", 0),
        ("failing", "status", 1),
        ("failing", "regression", 1),
        ("added", "regression", 0),
        ("added", "any", 1),
        ("same", "regression", 0),
    ],
)
def test_fail_on_exit_codes(runs: dict[str, Path], current: str, fail_on: str, code: int) -> None:
    result = run("diff", str(runs["base"]), str(runs[current]), "--fail-on", fail_on)
    assert result.code == code, result.out + result.err


def test_unreadable_input_is_exit_2(runs: dict[str, Path], tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_bytes(b"[1,")
    result = run("diff", str(runs["base"]), str(broken), "--fail-on", "any")
    assert result.code == 2
    assert result.err.startswith(f"tracetui: {broken}: ")


def test_several_baselines_from_a_folder(tmp_path: Path) -> None:
    folder = tmp_path / "baselines"
    folder.mkdir()
    for i, seconds in enumerate([2.0, 2.2, 1.9]):
        write_victor(folder / f"b{i}.json", [N("parse", seconds)], start=1e9 + i)
    current = write_victor(tmp_path / "now.json", [N("parse", 2.1)])
    result = run(
        "diff",
        "--baseline",
        str(folder),
        str(current),
        "--format",
        "json",
        "--fail-on",
        "regression",
        "--min-seconds",
        "0",
        "--min-percent",
        "0",
    )
    assert result.code == 0, result.out
    doc = orjson.loads(result.out)
    assert doc["baseline"]["runs"] == 3
    (pair,) = doc["pairs"]
    assert pair["seconds_before"] == 2.0 and pair["baseline_spread_s"] == [1.9, 2.2]
    slow = write_victor(tmp_path / "slow.json", [N("parse", 2.3)])
    assert (
        run(
            "diff",
            "--baseline",
            str(folder),
            str(slow),
            "--fail-on",
            "regression",
            "--min-seconds",
            "0",
            "--min-percent",
            "0",
        ).code
        == 1
    )


def test_a_table_export_as_baseline_and_run_selection() -> None:
    table = sample("cfn/execution_traces.rows.psql.jsonl")
    result = run("diff", table, table, "--format", "json")
    assert result.code == 2
    assert "holds 10 runs; choose one with --run" in result.err
    chosen = run(
        "diff",
        sample("cfn/docker_build_failed.in_memory.json"),
        table,
        "--run",
        "8879dca9-11bd-44d0-aace-3a210118b425",
        "--format",
        "json",
    )
    assert chosen.code == 0, chosen.err
    doc = orjson.loads(chosen.out)
    assert doc["current"]["id"] == "8879dca9-11bd-44d0-aace-3a210118b425"
    assert {p["path"] for p in doc["pairs"]} == {"load-config", "build-image", "push-image"}
    fixed = [p for p in doc["pairs"] if "fixed" in p["flags"]]
    assert {p["path"] for p in fixed} == {"build-image", "push-image"}


def test_usage_errors(runs: dict[str, Path]) -> None:
    assert run("diff", str(runs["base"])).code == 2
    assert run("diff", str(runs["base"]), str(runs["base"]), "--format", "yaml").code == 2


# --- the diff screen ---------------------------------------------------------------------------


def made_diff() -> Diff:
    before = victor(
        [
            N("fetch", 1.0, tools=[("http", 0.5, True)]),
            N("parse", 2.0),
            N("store", 0.5),
            N("old", 0.2),
        ]
    )
    after = victor(
        [
            N("fetch", 1.0, tools=[("http", 0.5, True)]),
            N("parse", 3.5),
            N("store", 0.1, ok=False, error="disk full"),
            N("notify", 0.3),
        ]
    )
    return diff([before], after)


async def test_diff_screen_filters_sorts_and_opens_both_sides() -> None:
    app = TraceApp(ShowDiff(made_diff()))
    async with app.run_test(size=(120, 30)) as pilot:
        assert isinstance(app.screen, DiffScreen)
        view = app.screen.query_one(DiffList)
        assert [p.path for p in view.rows] == [
            "fetch",
            "fetch > http",
            "parse",
            "store",
            "notify",
            "old",
        ]
        await pilot.press("f")  # regressions
        assert [p.path for p in view.rows] == ["parse", "store"]
        await pilot.press("f")  # status changes
        assert [p.path for p in view.rows] == ["store"]
        await pilot.press("f")  # added/removed
        assert [p.path for p in view.rows] == ["notify", "old"]
        await pilot.press("f", "f")  # significant, then all
        assert len(view.rows) == 6
        await pilot.press("o")  # by change in seconds
        assert view.rows[0].path == "parse"
        await pilot.press("o")  # by percent
        assert view.rows[0].path == "store"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PairScreen)
        after = app.screen.query_one("#pair-after")
        assert any("disk full" in line for line in after.plain_lines())  # type: ignore[attr-defined]
        await pilot.press("escape")
        assert isinstance(app.screen, DiffScreen)


async def test_timelines_share_one_axis() -> None:
    app = TraceApp(ShowDiff(made_diff()))
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("t")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TimelinesScreen)
        assert screen.before.axis is screen.after.axis
        full = screen.after.axis.span
        await pilot.press("plus")
        assert screen.before.axis.span == pytest.approx(full / 2)
        await pilot.press("tab")
        assert app.focused is screen.before
        await pilot.press("escape")
        assert isinstance(app.screen, DiffScreen)


def _nest_order_reference(order: list[str], current: set[str]) -> list[str]:
    """The plain (quadratic) statement of where baseline-only paths go."""
    result = [p for p in order if p in current]
    for path in order:
        if path in current:
            continue
        parent = path.rsplit(" > ", 1)[0] if " > " in path else None
        if parent is not None and parent in result:
            position = result.index(parent) + 1
            while position < len(result) and result[position].startswith(parent + " > "):
                position += 1
            result.insert(position, path)
        else:
            result.append(path)
    return result


@pytest.mark.parametrize("seed", range(40))
def test_removed_paths_nest_as_the_plain_statement_says(seed: int) -> None:
    import random

    from tracetui.analysis.diff import _nest_order

    chooser = random.Random(seed)
    paths: list[str] = []
    for number in range(chooser.randint(1, 40)):
        parent = chooser.choice([None, *paths]) if paths else None
        name = f"n{number}"
        paths.append(name if parent is None else f"{parent} > {name}")
    current = {p for p in paths if chooser.random() < 0.6}
    # The current run's paths first in their order, then the baseline's own, as diff lists them.
    order = [p for p in paths if p in current] + [p for p in paths if p not in current]
    if seed % 2:  # sometimes a child before its parent
        chooser.shuffle(order)
    assert _nest_order(order, current) == _nest_order_reference(order, current)


def test_paths_are_found_when_a_child_is_listed_before_its_parent() -> None:
    from tracetui.analysis.diff import _paths
    from tracetui.model import NODE, TOOL_CALL, Status, Trace

    trace = Trace(dialect="test", source="t.json")
    outer = trace.add_span("outer", "outer", NODE, status=Status.OK)
    # A tool call under a node that is only added after it, then re-parented there.
    tool = trace.add_span("outer/late/t", "t", TOOL_CALL, parent=outer.index, status=Status.OK)
    late = trace.add_span("late", "late", TOOL_CALL, parent=outer.index, status=Status.OK)
    tool.parent = late.index
    outer.children = [c for c in outer.children if c != tool.index]
    trace.adopt(late.index, tool.index)
    assert list(_paths(trace)) == ["outer", "outer > late > t", "outer > late"]
