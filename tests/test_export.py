"""Exports: Chrome/Perfetto structure, model JSON round trip, CSV, HTML and markdown escaping."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.cli_helpers import run
from tests.helpers import SAMPLES, sample, trace_files
from tracetui.loaders import load_bytes, load_path
from tracetui.model import TraceSet
from tracetui.reports.chrome import chrome_document
from tracetui.reports.html import html_report
from tracetui.reports.markdown import markdown_report, node_markdown
from tracetui.reports.model_json import traceset_dict
from tracetui.reports.table_csv import COLUMNS, spans_csv

ALL = trace_files(SAMPLES)
HOSTILE = '<script>alert("x")</script> | `tick` **b** [l](http://e) \x1b[31m'


def hostile() -> TraceSet:
    doc = orjson.loads((SAMPLES / "victor/code_review.trace.json").read_bytes())
    doc["workflow_name"] = HOSTILE
    doc["nodes"][3]["node_id"] = HOSTILE
    doc["nodes"][3]["error"] = HOSTILE + "\nsecond </pre> line"
    return load_bytes(orjson.dumps(doc), "hostile.json")


def canonical(traces: TraceSet) -> dict[str, object]:
    doc = traceset_dict(traces)
    for trace in doc["traces"]:
        trace["attributes"].pop("loaded_from", None)
    doc.pop("source")
    return doc


@pytest.mark.parametrize("path", ALL, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_model_json_round_trips(path: Path) -> None:
    original = load_path(str(path))
    exported = orjson.dumps(traceset_dict(original), option=orjson.OPT_NON_STR_KEYS, default=str)
    again = load_bytes(exported, "export.json")
    assert [t.dialect for t in again.traces] == [t.dialect for t in original.traces]
    assert orjson.loads(orjson.dumps(canonical(again), default=str)) == orjson.loads(
        orjson.dumps(canonical(original), default=str)
    )


@pytest.mark.parametrize("path", ALL, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_chrome_export_is_valid_trace_event_format(path: Path) -> None:
    traces = load_path(str(path))
    doc = chrome_document(traces)
    events = doc["traceEvents"]
    assert isinstance(events, list)
    assert doc["displayTimeUnit"] == "ms"
    for event in events:
        assert event["ph"] in {"X", "i", "M"}
        assert isinstance(event["pid"], int) and isinstance(event["tid"], int)
        assert isinstance(event["name"], str)
        if event["ph"] == "X":
            assert isinstance(event["ts"], float) and event["dur"] >= 0
        if event["ph"] == "i":
            assert event["s"] == "t" and isinstance(event["ts"], float)
        if event["ph"] == "M":
            assert event["name"] in {"process_name", "process_labels", "thread_name"}
    spans = sum(len(t.spans) for t in traces.traces)
    assert (
        sum(1 for e in events if e["ph"] != "M" and not str(e["cat"]).startswith("event:")) == spans
    )
    assert sum(1 for e in events if str(e.get("cat", "")).startswith("event:")) == sum(
        len(t.events) for t in traces.traces
    )
    orjson.dumps(doc, option=orjson.OPT_NON_STR_KEYS, default=str)


def test_chrome_export_keeps_status_error_and_attributes_and_loads_back() -> None:
    traces = load_path(sample("dagron/resources.events.json"))
    doc = chrome_document(traces)
    failed = [e for e in doc["traceEvents"] if e["ph"] == "X" and e["args"]["status"] == "failed"]
    assert failed and failed[0]["args"]["error"]
    resources = [e for e in doc["traceEvents"] if e.get("cat") == "resource"]
    assert resources[0]["args"]["attributes"]["resources"]
    assert_tracks_nest(doc)
    (back,) = load_bytes(orjson.dumps(doc), "chrome.json").traces
    original = {s.name: s.status for s in traces.traces[0].nodes()}
    loaded = {s.name: s.status for s in back.spans if s.kind == "node" and s.parent is None}
    assert loaded == original


def assert_tracks_nest(doc: dict[str, Any]) -> None:
    """Perfetto draws a track only when its slices nest: each inside or after the one before."""
    by_track: dict[tuple[int, int], list[tuple[float, float]]] = {}
    for event in doc["traceEvents"]:
        if event["ph"] == "X":
            by_track.setdefault((event["pid"], event["tid"]), []).append(
                (event["ts"], event["ts"] + event["dur"])
            )
    for slices in by_track.values():
        open_ends: list[float] = []
        for start, end in sorted(slices, key=lambda s: (s[0], -s[1])):
            while open_ends and open_ends[-1] <= start + 1e-6:
                open_ends.pop()
            assert not open_ends or end <= open_ends[-1] + 1e-6, (start, end, open_ends)
            open_ends.append(end)


@pytest.mark.parametrize("name", ["resources", "etl_fail", "cancelled", "timeout"])
def test_chrome_export_tracks_nest_as_perfetto_needs(name: str) -> None:
    assert_tracks_nest(chrome_document(load_path(sample(f"dagron/{name}.events.json"))))


def test_wide_steps_export_onto_tracks_that_nest(tmp_path: Path) -> None:
    """Steps of dozens of concurrent nodes (as dagron's wide runs have)."""
    import random

    from bench.generate import write_dagron

    path = tmp_path / "wide.events.json"
    write_dagron(path, 3000, random.Random(7))
    doc = chrome_document(load_path(str(path)))
    assert_tracks_nest(doc)
    tids = {e["tid"] for e in doc["traceEvents"] if e["ph"] == "X"}
    assert 1 < len(tids) < 3000


def test_csv_has_one_row_per_span() -> None:
    traces = load_path(sample("cfn/execution_traces.rows.psql.jsonl"))
    rows = list(csv.DictReader(io.StringIO(spans_csv(traces))))
    assert list(rows[0]) == COLUMNS
    assert len(rows) == sum(len(t.spans) for t in traces.traces)
    build = next(r for r in rows if r["name"] == "build-image" and r["status"] == "failed")
    assert build["error"].startswith("Step 7/12 : RUN npm ci\nnpm ERR!")


def test_html_escapes_every_value() -> None:
    page = html_report(hostile())
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "second &lt;/pre&gt; line" in page
    assert page.count("<script") == 0
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")


def test_html_report_has_summary_timeline_failures_and_nodes() -> None:
    page = html_report(load_path(sample("dagron/etl_fail.events.json")))
    for part in (
        "<h2>Summary</h2>",
        "<h2>Failures (1)</h2>",
        "Timeline and nodes",
        "missing column &#x27;id&#x27;",
        'class="bar"',
        "Critical path",
    ):
        assert part in page


def test_markdown_escapes_untrusted_text() -> None:
    text = markdown_report(hostile())
    # Inside a code span markdown shows text literally; everywhere else it must be escaped.
    outside_code = re.sub(r"`[^`\n]*`", "", text)
    assert "<script>" not in outside_code
    assert "\\<script\\>" in text
    assert "\x1b" not in text
    row = next(line for line in text.splitlines() if line.startswith("| \\<script"))
    assert len(re.findall(r"(?<!\\)\|", row)) == 4  # 3 cells: a pipe in a name is escaped
    assert "**Failures" in text


def test_node_markdown_for_the_copy_action() -> None:
    (trace,) = load_path(sample("dagron/etl_fail.events.json")).traces
    node = next(s for s in trace.nodes() if s.name == "validate")
    text = node_markdown(trace, node)
    assert "**✗ validate** (failed)" in text
    assert "upstream: step 1 › validate" in text
    assert "~~~\nmissing column 'id'\n~~~" in text
    assert "started-to-ended" in text


@pytest.mark.parametrize("fmt", ["chrome", "json", "csv", "html", "markdown"])
def test_cli_export_to_stdout_and_to_a_file(fmt: str, tmp_path: Path) -> None:
    path = sample("victor/code_review.asdict.json")
    printed = run("export", path, "--to", fmt)
    assert printed.code == 0, printed.err
    out = tmp_path / f"out.{fmt}"
    written = run("export", path, "--to", fmt, "-o", str(out))
    assert written.code == 0 and written.out == ""
    assert out.read_text() == printed.out


def test_cli_json_export_loads_back_with_every_command(tmp_path: Path) -> None:
    out = tmp_path / "model.json"
    assert (
        run("export", sample("cfn/execution_traces.rows.csv"), "--to", "json", "-o", str(out)).code
        == 0
    )
    summary = orjson.loads(run("summary", "--json", str(out)).out)
    assert len(summary["traces"]) == 10
    assert summary["traces"][0]["dialect"] == "cfn"
    checked = run("validate", str(out))
    # What the rows contradict (a step claiming more than its run took) is all it finds.
    assert checked.code in (0, 1)
    assert all("impossible duration" in line for line in checked.out.splitlines()[:-1])


def test_cli_export_unwritable_output_is_exit_2(tmp_path: Path) -> None:
    result = run(
        "export",
        sample("victor/code_review.trace.json"),
        "--to",
        "csv",
        "-o",
        str(tmp_path / "no" / "dir" / "x.csv"),
    )
    assert result.code == 2
    assert "cannot write" in result.err
