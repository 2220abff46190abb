"""How the explorer looks, at fixed sizes, on the bundled samples (pytest-textual-snapshot)."""

from __future__ import annotations

from importlib.metadata import version
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.helpers import ROOT, SAMPLES
from tracetui.app.app import TraceApp
from tracetui.inputs.start import Explore, ShowDiff
from tracetui.loaders import load_bytes

# The snapshots are drawn by these exact versions (constraints.txt); others draw differently.
PINNED = {
    name: pinned
    for line in (ROOT / "constraints.txt").read_text().splitlines()
    if "==" in line and not line.startswith("#")
    for name, pinned in [line.split("==")]
    if name in ("textual", "rich")
}
DIFFERENT = {name: version(name) for name, pinned in PINNED.items() if version(name) != pinned}
pytestmark = pytest.mark.skipif(
    bool(DIFFERENT),
    reason=f"snapshots are drawn with {PINNED}, not {DIFFERENT} (pip install -c constraints.txt)",
)


def app(path: str) -> TraceApp:
    # Named relative to the checkout, so that no absolute path reaches a snapshot.
    data = (SAMPLES / path).read_bytes()
    return TraceApp(Explore(load_bytes(data, f"sample_traces/{path}")))


def settle(*keys: str) -> Any:
    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.pause()
        for key in keys:
            await pilot.press(key)
        await pilot.pause()

    return run_before


def test_dagron_events(snap_compare: Any) -> None:
    """dagron events: steps group nodes, skipped nodes marked, run/wait bars."""
    assert snap_compare(
        app("dagron/etl_fail.events.json"), terminal_size=(100, 30), run_before=settle()
    )


def test_victor_tracer(snap_compare: Any) -> None:
    """Victor WorkflowTracer: nodes with their tool calls nested."""
    assert snap_compare(
        app("victor/code_review.trace.json"), terminal_size=(100, 30), run_before=settle()
    )


def test_cfn_single_trace(snap_compare: Any) -> None:
    """A CFN in-memory trace: steps as nodes, status from the steps."""
    assert snap_compare(
        app("cfn/docker_build_failed.in_memory.json"), terminal_size=(100, 30), run_before=settle()
    )


def test_graphenix(snap_compare: Any) -> None:
    """graphenix: a node with its units and a model invocation."""
    assert snap_compare(
        app("graphenix/readme_example.running.trace.json"),
        terminal_size=(100, 30),
        run_before=settle(),
    )


def test_failed_node_selected(snap_compare: Any) -> None:
    """After ]: the failed node is selected and its error fills the detail pane."""
    assert snap_compare(
        app("victor/code_review.trace.json"),
        terminal_size=(100, 30),
        run_before=settle("right_square_bracket", "right_square_bracket"),
    )


def test_search_results(snap_compare: Any) -> None:
    """/ read Enter: matches highlighted, the first selected, the count in the title."""
    assert snap_compare(
        app("victor/code_review.trace.json"),
        terminal_size=(100, 30),
        run_before=settle("slash", "r", "e", "a", "d", "enter"),
    )


def test_failures_filter(snap_compare: Any) -> None:
    """f, failures: only failing spans and their parents."""
    assert snap_compare(
        app("victor/code_review.trace.json"),
        terminal_size=(100, 30),
        run_before=settle("f", "down", "enter"),
    )


def test_failures_view_ranked(snap_compare: Any) -> None:
    """L on a failed node: its look-alikes ranked with scores."""
    assert snap_compare(
        app("cfn/execution_traces.rows.psql.jsonl"),
        terminal_size=(100, 30),
        run_before=settle(
            "slash", *"connection timeout redis", "enter", "enter", "right_square_bracket", "L"
        ),
    )


def diff_app(baseline: str, current: str) -> TraceApp:
    from tracetui.analysis.diff import diff

    before = load_bytes((SAMPLES / baseline).read_bytes(), f"sample_traces/{baseline}")
    after = load_bytes((SAMPLES / current).read_bytes(), f"sample_traces/{current}")
    return TraceApp(ShowDiff(diff(before.traces, after.traces[0])))


def test_diff_timelines(snap_compare: Any) -> None:
    """t: both runs one above the other on one time axis."""
    assert snap_compare(
        diff_app("dagron/etl_ok.events.json", "dagron/timeout.events.json"),
        terminal_size=(110, 30),
        run_before=settle("t"),
    )


# Every screen at the two sizes people use most over SSH: the smallest that must work, and a
# common wide one.
SIZES = [(80, 24), (120, 40)]
SCREENS: dict[str, tuple[str, tuple[str, ...]]] = {
    # name: (sample, keys pressed once it is up)
    "explorer": ("dagron/etl_fail.events.json", ("right_square_bracket",)),
    "summary": ("victor/code_review.trace.json", ("s",)),
    "runs": ("cfn/execution_traces.rows.psql.jsonl", ()),
    "workflows": ("cfn/execution_traces.rows.psql.jsonl", ("w",)),
    "failures": ("cfn/execution_traces.rows.psql.jsonl", ("F", "enter", "j")),
    "help": ("victor/code_review.trace.json", ("question_mark",)),
}


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
@pytest.mark.parametrize("screen", list(SCREENS))
def test_every_screen_fits(snap_compare: Any, screen: str, size: tuple[int, int]) -> None:
    """Each screen at 80x24 and 120x40: nothing cut mid-value, q and ? in the footer."""
    sample, keys = SCREENS[screen]
    assert snap_compare(app(sample), terminal_size=size, run_before=settle(*keys))


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_diff_fits(snap_compare: Any, size: tuple[int, int]) -> None:
    """diff: etl_ok against etl_fail at 80x24 and 120x40, the bar's legend in the header."""
    assert snap_compare(
        diff_app("dagron/etl_ok.events.json", "dagron/etl_fail.events.json"),
        terminal_size=size,
        run_before=settle(),
    )
