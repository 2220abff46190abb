"""Hostile input, one class at a time: what a trace, a path or a URL can hold must never crash,
hang, leak a secret or take over the terminal."""

from __future__ import annotations

import gzip
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.cli_helpers import run
from tests.helpers import ROOT, sample
from tracetui import cli, errors
from tracetui.app.app import TraceApp
from tracetui.app.explorer import ExplorerScreen
from tracetui.app.failure_view import FailuresScreen
from tracetui.app.outline_view import OutlineView
from tracetui.app.span_list import SpanList
from tracetui.atomic import write_atomic
from tracetui.cli import summary as summary_command
from tracetui.formats.json_text import dumps
from tracetui.inputs.database_url import redact, scrub
from tracetui.inputs.paths import expand
from tracetui.inputs.start import Explore, WaitForRecord
from tracetui.loaders import load_bytes, load_path
from tracetui.reports.exports import EXPORT_FORMATS
from tracetui.reports.html import html_report
from tracetui.reports.summary import summary_text
from tracetui.reports.table_csv import cell, spans_csv
from tracetui.text import cells, pad, safe_line

FORMAT = "tracetui.model/v1"
ESCAPES = "\x1b[2J\x1b]52;c;aGVsbG8=\x07\x9b31m"
BIDI = "\u202eevil\u2066x\u2069\u200b"


def model_file(tmp_path: Path, spans: list[dict[str, Any]], name: str = "t.json") -> Path:
    """A tracetui model export holding one trace with these spans."""
    path = tmp_path / name
    document = {"format": FORMAT, "traces": [{"name": "hostile", "spans": spans}]}
    path.write_bytes(dumps(document).encode())
    return path


def raw_terminal_bytes(text: str) -> list[str]:
    """Characters that would act on a terminal instead of being shown."""
    return [
        c
        for c in text
        if (ord(c) < 0x20 and c not in "\n") or 0x7F <= ord(c) <= 0x9F or c in "\u202e\u2066\u2069"
    ]


# --- untrusted text ---------------------------------------------------------------------------


def test_escapes_bidi_and_format_characters_become_visible() -> None:
    shown = safe_line(ESCAPES + BIDI + "\nnext")
    assert raw_terminal_bytes(shown) == []
    assert "␛[2J" in shown and "<U+202E>" in shown and "<U+200B>" in shown and "⏎" in shown


def test_widths_are_counted_in_cells() -> None:
    assert cells("名前") == 4 and cells("e\u0301") == 1 and cells("😀") == 2
    assert cells(pad("名前のノード", 7)) == 7
    assert pad("abc", 5) == "abc  "


def test_summary_columns_line_up_with_wide_names(tmp_path: Path) -> None:
    spans = [
        {"key": k, "name": k, "start": 0, "end": d, "status": "ok"}
        for k, d in (("名前のノード", 3.0), ("plain", 2.0), ("😀emoji", 1.0))
    ]
    text = summary_text(load_path(str(model_file(tmp_path, spans))))
    rows = [line for line in text.splitlines() if line.strip().startswith(("1.", "2.", "3."))]
    # The duration column starts at the same cell on every row.
    ends = {cells(line[: line.index(" s" if " s" in line else "s  ")]) for line in rows}
    assert len(rows) == 3 and len({cells(line.rsplit("  ", 2)[0]) for line in rows}) == 1, ends


def test_every_text_output_keeps_escapes_out(tmp_path: Path) -> None:
    spans = [
        {"key": "a", "name": ESCAPES + BIDI, "status": "failed", "error": "boom" + ESCAPES + BIDI},
    ]
    path = str(model_file(tmp_path, spans))
    for args in (
        ["summary", path],
        ["summary", "--json", path],
        ["validate", path],
        ["failures", path],
        ["failures", "--json", path],
        ["runs", path],
        ["runs", "--json", path],
        *(["export", path, "--to", to] for to in EXPORT_FORMATS),
    ):
        result = run(*args)
        assert result.code in (0, 1), (args, result.err)
        assert raw_terminal_bytes(result.out) == [], args
        assert raw_terminal_bytes(result.err) == [], args


def test_json_output_escapes_format_characters_and_still_decodes() -> None:
    text = dumps({"name": BIDI + "\x85"})
    assert raw_terminal_bytes(text) == []
    assert orjson.loads(text)["name"] == BIDI + "\x85"


def test_csv_neutralizes_formulas_and_controls(tmp_path: Path) -> None:
    assert cell("=HYPERLINK(1)") == "'=HYPERLINK(1)" and cell("+1") == "'+1"
    assert cell("-x") == "'-x" and cell("@SUM") == "'@SUM" and cell("ok") == "ok"
    spans = [{"key": "=1+1", "name": "@cmd", "status": "failed", "error": "-2" + ESCAPES}]
    out = spans_csv(load_path(str(model_file(tmp_path, spans))))
    assert ",'=1+1,'@cmd," in out and "'-2" in out
    assert raw_terminal_bytes(out.replace("\r", "")) == []


def test_html_escapes_markup_and_controls(tmp_path: Path) -> None:
    spans = [{"key": "a", "name": "<script>x</script>" + ESCAPES, "status": "failed"}]
    page = html_report(load_path(str(model_file(tmp_path, spans))))
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert raw_terminal_bytes(page.replace("\n", "")) == []


# --- markup in the app ------------------------------------------------------------------------


MARKUP_NAMES = ["fetch[/api/v1]", "[/]", "[bold red]X[/]", "process[0]", "[link=x]y[/link]"]


def markup_trace(tmp_path: Path) -> Path:
    spans = [
        {"key": n, "name": n, "start": i, "end": i + 1, "status": "failed", "error": n + ESCAPES}
        for i, n in enumerate(MARKUP_NAMES)
    ]
    return model_file(tmp_path, spans)


async def test_markup_in_names_is_shown_as_written_everywhere(tmp_path: Path) -> None:
    app = TraceApp(Explore(load_path(str(markup_trace(tmp_path)))))
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        spans = app.screen.query_one(SpanList)
        # The list draws each name literally.
        drawn = [spans.render_line(y).text for y in range(len(MARKUP_NAMES))]
        assert any("[bold red]X[/]" in line for line in drawn)
        # y: the notification quotes the name.
        await pilot.press("y")
        await pilot.pause()
        # Search for a closing tag, then for nothing: notifications, no crash.
        await pilot.press("slash", *"[/x]", "enter")
        await pilot.pause()
        # The palette's jump to node, with a name that is a closing tag.
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"[/]")
        await pilot.pause(0.3)
        await pilot.press("escape")
        await pilot.pause()
        # L: look-alikes of an error full of escapes.
        await pilot.press("escape")
        await pilot.press("L")
        await pilot.pause()
        assert isinstance(app.screen, FailuresScreen)
        box = app.screen.query_one("#failure-query")
        assert raw_terminal_bytes(box.value) == []  # type: ignore[attr-defined]
        assert app.return_code is None  # still running
        assert app.internal_error is None


async def test_a_key_whose_action_fails_is_a_notification(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(self: SpanList) -> None:
        raise RuntimeError("[/] broken")

    monkeypatch.setattr(SpanList, "action_next_failure", broken)
    app = TraceApp(Explore(load_path(sample("victor/code_review.trace.json"))))
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert any("broken" in n.message for n in app._notifications)
        await pilot.press("j")
        assert isinstance(app.screen, ExplorerScreen)
        assert app.internal_error is None


def test_an_unexpected_error_exits_70_with_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(args: object) -> int:
        raise ZeroDivisionError("oops " + ESCAPES)

    monkeypatch.setattr(summary_command, "run", broken)
    monkeypatch.delenv("TRACETUI_DEBUG", raising=False)
    parser_code = cli.main(["summary", sample("victor/code_review.trace.json")])
    assert parser_code == 70


def test_internal_error_line_is_one_safe_line() -> None:
    line = errors.internal_error_line(ZeroDivisionError("a\nb" + ESCAPES))
    assert "\n" not in line and raw_terminal_bytes(line) == []
    assert "TRACETUI_DEBUG=1" in line


# --- cycles and depth -------------------------------------------------------------------------


CYCLES = [
    {"key": "self", "name": "self", "parent": 0, "status": "ok", "start": 0, "end": 1},
    {"key": "a", "name": "a", "parent": 2, "status": "failed", "error": "x", "start": 0, "end": 1},
    {"key": "b", "name": "b", "parent": 1, "status": "ok", "start": 0, "end": 1},
    {"key": "c", "name": "c", "parent": 2, "status": "ok", "start": 0, "end": 1},
]


def test_parent_cycles_are_cut_with_a_warning_and_a_finding(tmp_path: Path) -> None:
    path = str(model_file(tmp_path, CYCLES))
    traces = load_path(path)
    (trace,) = traces.traces
    assert sorted(trace.cut_parents) in ([0, 1], [0, 2])  # the self-parent, and a or b
    assert any("formed a cycle" in w for w in trace.warnings)
    for span in trace.spans:
        assert len(trace.lineage(span.index)) <= len(trace.spans)
    assert trace.spans[3].parent == 2
    result = run("validate", path)
    assert result.code == 1 and "parent cycle" in result.out
    for args in (["summary", path], *(["export", path, "--to", to] for to in EXPORT_FORMATS)):
        assert run(*args).code == 0, args


def test_otlp_spans_naming_each_other_as_parents_load(tmp_path: Path) -> None:
    def span(ident: str, parent: str) -> dict[str, Any]:
        return {
            "traceId": "0" * 31 + "1",
            "spanId": ident * 16,
            "parentSpanId": parent * 16,
            "name": ident,
            "startTimeUnixNano": "1700000000000000000",
            "endTimeUnixNano": "1700000001000000000",
        }

    request = {"resourceSpans": [{"scopeSpans": [{"spans": [span("a", "b"), span("b", "a")]}]}]}
    path = tmp_path / "otlp.json"
    path.write_bytes(orjson.dumps(request))
    (trace,) = load_path(str(path)).traces
    assert trace.cut_parents
    assert run("summary", str(path)).code == 0


async def test_a_trace_with_cycles_opens_in_the_explorer(tmp_path: Path) -> None:
    app = TraceApp(Explore(load_path(str(model_file(tmp_path, CYCLES)))))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("s", "s", "_", "asterisk", "j", "j")
        await pilot.pause()
        assert app.internal_error is None


def deep(depth: int) -> Any:
    value: Any = "bottom"
    for _ in range(depth):
        value = {"k": [value]}
    return value


async def test_deep_values_export_and_paint(tmp_path: Path) -> None:
    spans = [{"key": "a", "name": "a", "status": "ok", "inputs": deep(330)}]
    path = str(model_file(tmp_path, spans))
    exported = run("export", path, "--to", "json")
    assert exported.code == 0, exported.err
    again = load_bytes(exported.out.encode(), "again.json")
    assert again.traces[0].spans[0].inputs == deep(330)
    app = TraceApp(Explore(load_path(path)))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        lines = app.screen.query_one("#detail", OutlineView).plain_lines()
        assert any("Inputs" in line for line in lines)


# --- limits, streams and paths ----------------------------------------------------------------


def test_a_decompression_bomb_stops_at_the_limit(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.json.gz"
    bomb.write_bytes(gzip.compress(b"[" + b" " * (64 << 20) + b"]", compresslevel=9))
    result = run("summary", "--max-size", "8M", str(bomb))
    assert result.code == 2
    assert "decompresses to more than the 8 MiB input limit" in result.err
    assert "--max-size" in result.err and result.err.count("\n") == 1


def test_the_input_limit_applies_to_files_and_can_be_raised(tmp_path: Path) -> None:
    path = sample("victor/code_review.trace.json")
    small = run("summary", "--max-size", "1K", path)
    assert small.code == 2 and "input limit" in small.err
    assert run("summary", "--max-size", "1G", path).code == 0
    assert run("summary", "--max-size", "lots", path).code == 2


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_an_endless_input_stops() -> None:
    result = run("summary", "/dev/zero")
    assert result.code == 2 and "binary data" in result.err


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_process_substitution_and_pipes_work() -> None:
    path = sample("dagron/etl_fail.events.json")
    done = subprocess.run(
        ["bash", "-c", f'"{sys.executable}" -m tracetui summary --json <(cat "{path}")'],
        capture_output=True,
        cwd=ROOT,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert orjson.loads(done.stdout)["traces"][0]["dialect"] == "dagron"
    piped = run("summary", "-", stdin=Path(path).read_bytes())
    assert piped.code == 0


def test_link_loops_list_each_file_once_and_end(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    shutil.copy(sample("dagron/etl_fail.events.json"), tmp_path / "a" / "run.json")
    (tmp_path / "a" / "to_b").symlink_to(tmp_path / "b")
    (tmp_path / "b" / "to_a").symlink_to(tmp_path / "a")
    (tmp_path / "a" / "up").symlink_to(tmp_path)
    (tmp_path / "a" / "same.json").symlink_to(tmp_path / "a" / "run.json")
    for pattern in (str(tmp_path), f"{tmp_path}/**/*.json", f"{tmp_path}/a/*.json"):
        found = expand([pattern])
        assert len(found) == 1, (pattern, found)
    assert len(expand([str(tmp_path / "a" / "run.json"), str(tmp_path)])) == 1


# --- secrets ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "secret"),
    [
        ("postgresql://user:hunter2@db/claude", "hunter2"),
        ("postgresql://:hunter2@db/claude", "hunter2"),
        ("postgresql://user:hun/ter@2@db:5432/claude", "hun/ter@2"),
        ("postgres://user@db/claude?password=hunter2&sslmode=disable", "hunter2"),
        ("postgresql://user:hun%40ter2@db/claude", "hun%40ter2"),
        ("postgresql://db/claude?sslpassword=hunter2", "hunter2"),
    ],
)
def test_passwords_are_redacted_in_every_url_form(url: str, secret: str) -> None:
    assert secret not in redact(url)
    assert "db" in redact(url)
    assert secret not in scrub(f'invalid URI "{url}" near {secret}', url)


def test_a_refused_connection_prints_no_password() -> None:
    pytest.importorskip("psycopg")
    url = "postgresql://user:s3cr%2Ft@127.0.0.1:1/claude?password=an0ther"
    for command in ("runs", "failures"):
        result = run(command, url)
        assert result.code == 2
        for secret in ("s3cr", "an0ther"):
            assert secret not in result.err and secret not in result.out


# --- files written ----------------------------------------------------------------------------


def test_an_export_replaces_the_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("old")
    target.chmod(0o640)
    result = run(
        "export", sample("victor/code_review.trace.json"), "--to", "json", "-o", str(target)
    )
    assert result.code == 0
    assert orjson.loads(target.read_bytes())["format"] == FORMAT
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_a_failed_write_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.md"
    target.write_text("old content")

    def fail(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError):
        write_atomic(target, "new content")
    assert target.read_text() == "old content"
    assert [p.name for p in tmp_path.iterdir()] == ["out.md"]


# --- salvage and follow -----------------------------------------------------------------------


def test_a_record_cut_in_the_middle_is_dropped_and_named(tmp_path: Path) -> None:
    events = orjson.loads(Path(sample("dagron/etl_fail.events.json")).read_bytes())
    failed = next(i for i, e in enumerate(events) if e["event_type"] == "node_failed")
    text = orjson.dumps(events[: failed + 1], option=orjson.OPT_INDENT_2)
    cut = text.rindex(b'"error"')  # inside the failure, before its error text
    path = tmp_path / "cut.events.json"
    path.write_bytes(text[:cut])
    traces = load_path(str(path))
    (trace,) = traces.traces
    assert not any(s.status.value == "failed" and s.error is None for s in trace.spans)
    assert any("dropped the incomplete record at line" in w for w in trace.warnings)


async def test_follow_waits_for_the_first_record(tmp_path: Path) -> None:
    path = tmp_path / "live.jsonl"
    path.write_text("")
    app = TraceApp(WaitForRecord(str(path)))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.2)
        assert not isinstance(app.screen, ExplorerScreen)
        path.write_text('{"event_type": "execution_started", "timestamp": 0.0}\n')
        for _ in range(40):
            await pilot.pause(0.1)
            if isinstance(app.screen, ExplorerScreen):
                break
        assert isinstance(app.screen, ExplorerScreen)


async def test_a_reload_that_fails_keeps_the_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "live.json"
    shutil.copy(sample("dagron/etl_fail.events.json"), path)
    app = TraceApp(Explore(load_path(str(path)), follow=str(path)))

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("loader bug")

    async with app.run_test(size=(100, 30)) as pilot:
        monkeypatch.setattr("tracetui.inputs.follow.load_document", broken)
        with path.open("a") as handle:
            handle.write(" ")
        for _ in range(40):
            await pilot.pause(0.1)
            if any("loader bug" in n.message for n in app._notifications):
                break
        assert any("loader bug" in n.message for n in app._notifications)
        assert isinstance(app.screen, ExplorerScreen) and app.internal_error is None


def test_an_unexpected_error_quoting_the_url_prints_no_password(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "postgresql://user:hunter2@127.0.0.1:1/claude"

    def broken(args: object) -> int:
        raise RuntimeError(f"driver failed for {url}")

    monkeypatch.setattr(summary_command, "run", broken)
    monkeypatch.delenv("TRACETUI_DEBUG", raising=False)
    assert cli.main(["summary", url]) == 70
    assert "hunter2" not in capsys.readouterr().err


@pytest.mark.parametrize("started", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"])
def test_times_at_the_ends_of_the_calendar_load(started: str) -> None:
    """A run starting at the calendar's edge, in a zone that would carry it past, with naive
    and zoned step times: placed by exact arithmetic, never an overflow."""
    record = {
        "trace_id": "t",
        "skill_name": "edge",
        "started_at": started,
        "status": "success",
        "steps": [
            {
                "name": "a",
                "status": "success",
                "timestamp": "0001-01-01T00:00:01",
                "duration_ms": 5,
            },
            {"name": "b", "status": "failed", "timestamp": "9999-12-31T23:59:59", "duration_ms": 1},
            {"name": "c", "status": "success", "timestamp": "2026-01-01T00:00:00+14:00"},
        ],
    }
    trace = load_bytes(orjson.dumps(record), "edge.json").traces[0]
    assert [s.name for s in trace.spans] == ["a", "b"]  # c has no duration: a warning
    assert any("'duration_ms'" in w for w in trace.warnings)
    assert trace.spans[1].status.value == "failed"
    assert run("summary", "-", stdin=orjson.dumps(record)).code == 0
