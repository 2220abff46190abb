"""Driving the explorer with keys, as a person on call would (Pilot: state, not pixels)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import orjson
import pytest

from tests.helpers import SAMPLES, sample
from tracetui.app.app import TraceApp
from tracetui.app.explorer import ExplorerScreen
from tracetui.app.help import HelpScreen
from tracetui.app.outline_view import OutlineView
from tracetui.app.run_list import RunList
from tracetui.app.runs import RunsScreen
from tracetui.app.span_list import SpanList
from tracetui.inputs.start import Explore, LoadLarge
from tracetui.loaders import load_bytes, load_path
from tracetui.model import Status, TraceSet

VICTOR = sample("victor/code_review.trace.json")


def app_for(path: str) -> TraceApp:
    return TraceApp(Explore(load_path(path)))


def spans_of(app: TraceApp) -> SpanList:
    return app.screen.query_one(SpanList)


def selected_name(app: TraceApp) -> str:
    spans = spans_of(app)
    assert spans.selected_span is not None
    return spans.trace.spans[spans.selected_span].name


def row_names(app: TraceApp) -> list[str]:
    spans = spans_of(app)
    return [spans.trace.spans[row.span].name for row in spans.rows]


def detail_lines(app: TraceApp) -> list[str]:
    return app.screen.query_one("#detail", OutlineView).plain_lines()


async def test_navigation_moves_the_cursor_and_the_detail_follows() -> None:
    app = app_for(VICTOR)
    async with app.run_test(size=(100, 30)) as pilot:
        assert isinstance(app.screen, ExplorerScreen)
        assert selected_name(app) == "analyze"
        await pilot.press("j")
        assert selected_name(app) == "read_file"
        await pilot.press("down", "down")
        assert selected_name(app) == "read_file"  # the second, failing read_file
        await pilot.pause()
        assert any("FileNotFoundError" in line for line in detail_lines(app))
        await pilot.press("k", "up")
        assert selected_name(app) == "read_file"
        await pilot.press("G")
        assert selected_name(app) == "summarize"
        await pilot.press("g")
        assert selected_name(app) == "analyze"
        await pilot.press("pagedown")
        assert spans_of(app).cursor > 5
        await pilot.press("pageup")
        assert spans_of(app).cursor == 0
        await pilot.press("end")
        await pilot.press("home")
        assert spans_of(app).cursor == 0


async def test_folding_hides_and_shows_tool_calls() -> None:
    app = app_for(VICTOR)
    async with app.run_test(size=(100, 30)) as pilot:
        before = row_names(app)
        assert before[:4] == ["analyze", "read_file", "grep", "read_file"]
        await pilot.press("enter")
        assert row_names(app)[:2] == ["analyze", "apply_fix"]
        await pilot.press("space")
        assert row_names(app) == before
        await pilot.press("j", "h")  # on a tool call, h goes to its node
        assert selected_name(app) == "analyze"
        await pilot.press("h")  # on an open node, h folds it
        assert row_names(app)[1] == "apply_fix"
        await pilot.press("l")
        assert row_names(app) == before
        await pilot.press("underscore")
        assert row_names(app) == [s.name for s in spans_of(app).trace.nodes()]
        await pilot.press("asterisk")
        assert row_names(app) == before


async def test_next_and_previous_failure() -> None:
    app = app_for(VICTOR)
    async with app.run_test(size=(100, 30)) as pilot:
        visited = []
        for _ in range(5):
            await pilot.press("right_square_bracket")
            visited.append(selected_name(app))
        assert visited == ["read_file", "run_tests", "shell", "human_review", "read_file"]
        await pilot.press("left_square_bracket")
        assert selected_name(app) == "human_review"
        spans = spans_of(app)
        assert spans.trace.spans[spans.selected_span or 0].status is Status.FAILED


async def test_next_failure_unfolds_to_reach_a_folded_failure() -> None:
    app = app_for(VICTOR)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("underscore")  # fold everything
        await pilot.press("right_square_bracket")
        assert selected_name(app) == "read_file"
        await pilot.pause()
        assert any("FileNotFoundError" in line for line in detail_lines(app))


async def test_search_by_name_and_by_error_with_n_and_N() -> None:
    app = app_for(VICTOR)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("slash")
        await pilot.press(*"read")
        await pilot.pause()
        assert len(spans_of(app).matches) == 2
        await pilot.press("enter")
        assert selected_name(app) == "read_file"
        first = spans_of(app).cursor
        await pilot.press("n")
        assert spans_of(app).cursor != first
        await pilot.press("N")
        assert spans_of(app).cursor == first
        await pilot.press("slash")
        await pilot.press("ctrl+a", "ctrl+k", *"hitl")  # an error text, not a name
        await pilot.press("enter")
        assert selected_name(app) == "human_review"
        title = str(app.screen.query_one("#title").render())
        assert "search: hitl (1)" in title


async def test_keys_typed_right_after_slash_go_to_the_search_box() -> None:
    app = app_for(VICTOR)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("slash", *"human_review")
        assert spans_of(app).model.sort.value == "start"  # "o" did not reach the list
        assert app.screen.query_one("#search").value == "human_review"  # type: ignore[attr-defined]


async def test_escape_closes_search_then_clears_it() -> None:
    app = app_for(VICTOR)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("slash", *"grep")
        await pilot.press("escape")
        assert app.focused is spans_of(app)
        assert spans_of(app).matches
        await pilot.press("escape")
        assert not spans_of(app).matches


async def test_filter_by_status_keeps_parents_for_context() -> None:
    app = app_for(VICTOR)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f")
        await pilot.pause()
        await pilot.press("down", "enter")  # "failures"
        await pilot.pause()
        assert row_names(app) == ["analyze", "read_file", "run_tests", "shell", "human_review"]
        rows = spans_of(app).rows
        assert rows[0].context  # analyze is there only as read_file's parent
        assert selected_name(app) in {"read_file", "run_tests", "human_review", "shell"}
        await pilot.press("escape")
        assert len(row_names(app)) == 12


async def test_filter_escape_keeps_the_current_view() -> None:
    app = app_for(VICTOR)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ExplorerScreen)
        assert len(row_names(app)) == 12


async def test_sort_by_duration_then_name() -> None:
    app = app_for(VICTOR)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("underscore")
        await pilot.press("o")
        assert row_names(app)[:3] == ["human_review", "apply_fix", "fan_out"]
        await pilot.press("o")
        assert row_names(app) == sorted(row_names(app), key=str.casefold)
        await pilot.press("o", "o")  # source order, then back to start order
        assert spans_of(app).model.sort.value == "start"


async def test_tab_moves_between_panes_and_s_shows_the_summary() -> None:
    app = app_for(VICTOR)
    async with app.run_test(size=(100, 30)) as pilot:
        assert app.focused is spans_of(app)
        await pilot.press("tab")
        assert app.focused is app.screen.query_one("#detail")
        await pilot.press("tab")
        assert app.focused is spans_of(app)
        await pilot.press("s")
        await pilot.press("tab")
        summary = app.screen.query_one("#summary", OutlineView)
        assert app.focused is summary  # type: ignore[comparison-overlap]
        text = summary.plain_lines()
        assert any(line.strip().startswith("Failures") for line in text)
        assert any("Critical path" in line for line in text)
        await pilot.press("shift+tab")
        assert app.focused is spans_of(app)


async def test_enter_on_a_failure_in_the_summary_jumps_to_it() -> None:
    app = app_for(VICTOR)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("s", "tab")
        summary = app.screen.query_one("#summary", OutlineView)
        assert summary.find("human_review")
        await pilot.press("enter")
        assert app.focused is spans_of(app)
        assert selected_name(app) == "human_review"


async def test_detail_folds_sections() -> None:
    app = app_for(VICTOR)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("tab")
        detail = app.screen.query_one("#detail", OutlineView)
        assert detail.find("Inputs")
        count = len(detail.plain_lines())
        await pilot.press("enter")
        assert len(detail.plain_lines()) < count
        await pilot.press("enter")
        assert len(detail.plain_lines()) == count


async def test_zoom_pan_fit_and_zoom_to_node() -> None:
    app = app_for(sample("dagron/resources.events.json"))
    async with app.run_test(size=(100, 30)) as pilot:
        axis = spans_of(app).axis
        full = axis.span
        await pilot.press("plus")
        assert axis.span == pytest.approx(full / 2)
        await pilot.press("greater_than_sign")
        assert axis.start > axis.full_start
        await pilot.press("less_than_sign", "less_than_sign", "less_than_sign")
        assert axis.start == pytest.approx(axis.full_start)
        await pilot.press("0")
        assert axis.span == pytest.approx(full)
        await pilot.press("j", "j", "z")
        span = spans_of(app).trace.spans[spans_of(app).selected_span or 0]
        assert axis.start <= (span.start or 0) and axis.end >= (span.end or 0)
        assert axis.span < full
        await pilot.press("minus", "minus", "minus", "minus", "minus", "minus", "minus", "minus")
        assert axis.span == pytest.approx(full)


async def test_help_is_generated_from_the_bindings() -> None:
    app = app_for(VICTOR)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help-text").render())
        for binding in SpanList.BINDINGS:
            assert binding.description in text  # type: ignore[union-attr]
        assert "Next failure" in text and "Search" in text
        await pilot.press("escape")
        assert isinstance(app.screen, ExplorerScreen)


async def test_runs_list_opens_a_run_and_escape_comes_back() -> None:
    app = app_for(sample("cfn/execution_traces.rows.psql.jsonl"))
    async with app.run_test(size=(100, 30)) as pilot:
        assert isinstance(app.screen, RunsScreen)
        runs = app.screen.query_one(RunList)
        assert runs.row_count == 10
        starts = [r.started_at.timestamp() if r.started_at else 0.0 for r in runs.rows]
        assert starts == sorted(starts, reverse=True)  # newest first
        await pilot.press("G", "k", "enter")  # the second oldest run
        assert isinstance(app.screen, ExplorerScreen)
        assert app.screen.trace.id == "6af172be-343f-4b12-ad81-abb98d1f04ba"
        await pilot.press("right_square_bracket")
        assert selected_name(app) == "build-image"
        await pilot.press("escape")
        assert isinstance(app.screen, RunsScreen)
        assert app.screen.query_one(RunList).cursor == 8


async def test_command_palette_jumps_to_a_node() -> None:
    app = app_for(VICTOR)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"human_review")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        assert selected_name(app) == "human_review"


async def test_command_palette_offers_the_bound_actions() -> None:
    app = app_for(VICTOR)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"next failure")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        assert selected_name(app) == "read_file"


async def test_narrow_terminal_stacks_the_panes() -> None:
    app = app_for(VICTOR)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert screen.has_class("narrow")
        spans = spans_of(app)
        side = screen.query_one("#side")
        assert side.region.y > spans.region.y
        await pilot.press("right_square_bracket")
        assert selected_name(app) == "read_file"


async def test_wide_terminal_puts_the_panes_side_by_side() -> None:
    app = app_for(VICTOR)
    async with app.run_test(size=(160, 40)):
        assert not app.screen.has_class("narrow")
        side = app.screen.query_one("#side")
        assert side.region.x > spans_of(app).region.x


def hostile_trace() -> bytes:
    doc = orjson.loads((SAMPLES / "victor/code_review.trace.json").read_bytes())
    doc["nodes"][0]["node_id"] = "[bold]x[/bold] \x1b]52;c;ZXZpbA==\x07"
    doc["nodes"][3]["error"] = "boom \x1b[2J\x1b[31mred [link=http://x]y[/link]"
    return orjson.dumps(doc)


async def test_untrusted_names_and_errors_are_shown_literally() -> None:
    app = TraceApp(Explore(load_bytes(hostile_trace(), "hostile.json")))
    async with app.run_test(size=(120, 30)) as pilot:
        spans = spans_of(app)
        first = spans.render_line(0).text
        assert "[bold]x[/bold]" in first
        assert "\x1b" not in first and "\x07" not in first
        await pilot.press("right_square_bracket", "right_square_bracket")
        await pilot.pause()
        detail = app.screen.query_one("#detail", OutlineView)
        rendered = "".join(detail.render_line(y).text for y in range(detail.size.height))
        assert "[link=http://x]y[/link]" in rendered
        assert "\x1b" not in rendered


async def test_no_color_keeps_status_readable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = app_for(VICTOR)
    async with app.run_test(size=(100, 30)):
        assert app.no_color
        line = spans_of(app).render_line(3).text
        assert "\u2717 failed" in line


async def test_empty_trace_opens(tmp_path: Path) -> None:
    app = app_for(sample("victor/engine_cli_ok.trace.json"))
    async with app.run_test(size=(100, 30)) as pilot:
        assert spans_of(app).row_count == 0
        await pilot.press("j", "right_square_bracket", "enter", "o", "plus", "z")
        assert isinstance(app.screen, ExplorerScreen)


async def test_copy_the_selected_node_as_markdown() -> None:
    app = app_for(sample("dagron/etl_fail.events.json"))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("right_square_bracket", "y")
        copied = app.clipboard
        assert copied.startswith("**\u2717 validate** (failed)")
        assert "upstream: step 1 \u203a validate" in copied
        assert "missing column 'id'" in copied


async def test_save_the_selected_node_to_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    app = app_for(sample("dagron/etl_fail.events.json"))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("right_square_bracket", "Y")
        saved = tmp_path / "tracetui-validate.md"
        assert saved.read_text().startswith("**\u2717 validate** (failed)")


async def test_a_large_file_paints_a_preview_first_then_the_whole_run() -> None:
    import threading

    data = (SAMPLES / "dagron/cancelled.events.json").read_bytes()
    release = threading.Event()

    def slow_full_load(progress: Callable[[float], None]) -> TraceSet:
        release.wait(10)  # the whole file takes a while
        return load_bytes(data, "big.json")

    app = TraceApp(
        LoadLarge(
            label="big.json (1 GiB)",
            load=slow_full_load,
            preview=lambda: load_bytes(data[:2500], "big.json"),
        )
    )
    async with app.run_test(size=(110, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ExplorerScreen)
        assert screen.loading_label is not None
        assert "loading the whole file" in str(screen.query_one("#title").render())
        preview_nodes = len(list(screen.trace.nodes()))
        assert 0 < preview_nodes < 20
        await pilot.press("j")  # usable while loading
        release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen is screen
        assert isinstance(screen, ExplorerScreen) and screen.loading_label is None
        assert len(list(screen.trace.nodes())) == 20
        assert "loading" not in str(screen.query_one("#title").render())


async def test_a_large_file_without_a_preview_shows_the_loading_screen() -> None:
    import threading

    release = threading.Event()

    def slow(progress: Callable[[float], None]) -> TraceSet:
        release.wait(10)
        return load_path(VICTOR)

    app = TraceApp(LoadLarge(label="x", load=slow, preview=lambda: None))
    async with app.run_test(size=(110, 30)) as pilot:
        await pilot.pause()
        assert type(app.screen).__name__ == "LoadingScreen"
        release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ExplorerScreen)


async def test_a_large_file_of_many_runs_lists_the_first_runs_then_all() -> None:
    import threading

    from tracetui.app.run_list import RunList
    from tracetui.app.runs import RunsScreen

    data = (SAMPLES / "cfn/execution_traces.rows.psql.jsonl").read_bytes()
    release = threading.Event()

    def slow_full_load(progress: Callable[[float], None]) -> TraceSet:
        release.wait(10)
        return load_bytes(data, "runs.jsonl")

    app = TraceApp(
        LoadLarge(
            label="runs.jsonl (1 GiB)",
            load=slow_full_load,
            preview=lambda: load_bytes(data[: len(data) // 2], "runs.jsonl"),
        )
    )
    async with app.run_test(size=(110, 30)) as pilot:
        await pilot.pause()
        runs = app.screen
        assert isinstance(runs, RunsScreen)
        title = str(runs.query_one("#runs-title").render())
        assert "4 runs" in title and "loading the whole file" in title
        await pilot.press("j", "space", "j")  # mark the second run, stand on the third
        chosen = runs.query_one(RunList).current()
        assert chosen is not None
        await pilot.press("enter")  # open one of the preview's runs
        await pilot.pause()
        assert isinstance(app.screen, ExplorerScreen)
        release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen is runs  # type: ignore[comparison-overlap]  # back to the list
        title = str(runs.query_one("#runs-title").render())
        assert "10 runs" in title and "loading" not in title
        view = runs.query_one(RunList)
        current = view.current()
        assert current is not None and current.trace.id == chosen.trace.id
        assert len(view.marked) == 1 and view.marked[0].trace in app.traces.traces  # type: ignore[union-attr]


async def test_a_theme_change_repaints_the_rows() -> None:
    app = app_for(VICTOR)
    async with app.run_test(size=(100, 30)) as pilot:
        spans = spans_of(app)
        before = spans.render_line(1)
        app.theme = "textual-light"
        await pilot.pause()
        after = spans.render_line(1)
        assert before.text == after.text
        assert [s.style for s in before] != [s.style for s in after]


def _luminance(colour: tuple[int, int, int]) -> float:
    def channel(value: int) -> float:
        share = value / 255
        return share / 12.92 if share <= 0.03928 else ((share + 0.055) / 1.055) ** 2.4

    red, green, blue = colour
    return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)


def _contrast(one: tuple[int, int, int], other: tuple[int, int, int]) -> float:
    high, low = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


async def test_every_status_reads_at_4_5_to_1_on_a_row_and_under_the_cursor() -> None:
    """WCAG AA for text, in the default theme: each status's colour on the list's background
    and on the cursor's."""
    from tracetui.app.span_list import STATUS_CLASSES

    app = app_for(sample("dagron/etl_fail.events.json"))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        spans = spans_of(app)
        base = spans.rich_style
        assert base.bgcolor is not None and base.color is not None
        background = base.bgcolor.get_truecolor()
        cursor = spans.get_component_rich_style("line-list--cursor").bgcolor
        assert cursor is not None
        for status, name in STATUS_CLASSES.items():
            colour = (spans.get_component_rich_style(name).color or base.color).get_truecolor()
            assert _contrast(colour, background) >= 4.5, status
            assert _contrast(colour, cursor.get_truecolor()) >= 4.5, status
