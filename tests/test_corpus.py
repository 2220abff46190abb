"""Every real file loads, and agrees with what its producer reported about it."""

from __future__ import annotations

import re
from pathlib import Path

import orjson
import pytest

from tests.helpers import CORPUS, SAMPLES, sample, trace_files
from tracetui.analysis.summary import summarize
from tracetui.loaders import load_bytes, load_path
from tracetui.model import NODE, TOOL_CALL, Status

ALL_FILES = trace_files(SAMPLES) + trace_files(CORPUS)


@pytest.mark.parametrize(
    "path", ALL_FILES, ids=lambda p: f"{p.parent.parent.name}/{p.parent.name}/{p.name}"
)
def test_every_file_loads_without_warnings(path: Path) -> None:
    traces = load_path(str(path))
    assert traces.traces
    assert traces.warnings == []
    for trace in traces.traces:
        assert trace.warnings == [], trace.warnings


@pytest.mark.parametrize(
    "path", ALL_FILES, ids=lambda p: f"{p.parent.parent.name}/{p.parent.name}/{p.name}"
)
def test_detection_does_not_need_the_file_name(path: Path) -> None:
    by_name = load_path(str(path))
    by_content = load_bytes(path.read_bytes(), "<stdin>")
    assert [t.dialect for t in by_content.traces] == [t.dialect for t in by_name.traces]
    assert [len(t.spans) for t in by_content.traces] == [len(t.spans) for t in by_name.traces]


def test_the_whole_shared_corpus_is_bundled() -> None:
    if not CORPUS.is_dir():
        pytest.skip("shared corpus not beside this checkout")
    bundled = {p.relative_to(SAMPLES) for p in SAMPLES.rglob("*") if p.is_file()}
    for path in CORPUS.rglob("*"):
        if path.is_file() and path.name != "CORPUS.md":
            assert path.relative_to(CORPUS) in bundled, path


# --- dagron: against dagron's own summary() ---------------------------------------------

DAGRON_RUNS = ["etl_ok", "etl_fail", "resources", "cache_partial", "timeout", "cancelled"]


def dagron_summary(name: str) -> dict[str, str]:
    text = (SAMPLES / "dagron" / f"{name}.summary.txt").read_text()
    assert text.startswith("Execution Trace Summary")
    return dict(re.findall(r"^  ([A-Za-z ]+): (\S+)$", text, re.MULTILINE))


@pytest.mark.parametrize("name", DAGRON_RUNS)
def test_dagron_counts_agree_with_dagron_summary(name: str) -> None:
    facts = dagron_summary(name)
    (trace,) = load_path(sample(f"dagron/{name}.events.json")).traces
    summary = summarize(trace)
    assert trace.dialect == "dagron"
    assert trace.record_count == int(facts["Total events"])
    assert summary.node_count == int(facts["Unique nodes"])
    assert summary.counts["ok"] == int(facts["Completed"])
    assert summary.counts["failed"] == int(facts["Failed"])
    assert summary.counts["skipped"] == int(facts["Skipped"])
    assert summary.counts["timed_out"] == int(facts["Timed out"])
    assert summary.counts["cancelled"] == int(facts["Cancelled"])
    assert f"{trace.duration:.4f}s" == facts["Duration"]


def test_dagron_cache_hits_are_cached_not_ok() -> None:
    (trace,) = load_path(sample("dagron/cache_partial.events.json")).traces
    statuses = {s.name: s.status for s in trace.nodes()}
    assert statuses == {
        "extract": Status.CACHED,
        "audit": Status.FAILED,
        "clean": Status.OK,
        "aggregate": Status.OK,
        "publish": Status.CACHED,
    }
    extract = next(s for s in trace.nodes() if s.name == "extract")
    assert extract.duration == 0.0
    assert len(extract.attributes["cache_key"]) == 64
    assert next(s for s in trace.nodes() if s.name == "clean").attributes["cache"] == "miss"


def test_dagron_duration_is_run_time_not_the_gap() -> None:
    (trace,) = load_path(sample("dagron/etl_fail.events.json")).traces
    validate = next(s for s in trace.nodes() if s.name == "validate")
    assert validate.duration == pytest.approx(6.9889999849692686e-06)
    assert validate.wall == pytest.approx(0.0006658799999286202 - 0.0003731299999572002)
    assert validate.error == "missing column 'id'"
    assert validate.status is Status.FAILED


def test_dagron_steps_group_nodes() -> None:
    (trace,) = load_path(sample("dagron/etl_fail.events.json")).traces
    steps = [s for s in trace.spans if s.kind == "step"]
    assert [s.name for s in steps] == ["step 0", "step 1", "step 2", "step 3"]
    assert [trace.spans[c].name for c in steps[1].children] == ["report", "validate"]


def test_dagron_resource_holds_are_spans_under_their_node() -> None:
    (trace,) = load_path(sample("dagron/resources.events.json")).traces
    prep = next(s for s in trace.nodes() if s.name == "prep")
    (hold,) = (trace.spans[c] for c in prep.children)
    assert hold.kind == "resource"
    assert hold.attributes["resources"] == {"cpu_slots": 2, "memory_mb": 2048}
    assert hold.start is not None and hold.end is not None and hold.end > hold.start


def test_dagron_timeout_keeps_the_configured_duration() -> None:
    (trace,) = load_path(sample("dagron/timeout.events.json")).traces
    slow = next(s for s in trace.nodes() if s.name == "slow_api")
    assert slow.status is Status.TIMED_OUT
    assert slow.duration == 0.05
    assert slow.error is None
    assert trace.status is Status.TIMED_OUT


def test_dagron_events_keep_original_type_and_raw_record() -> None:
    (trace,) = load_path(sample("dagron/cache_partial.events.json")).traces
    raw = orjson.loads((SAMPLES / "dagron/cache_partial.events.json").read_bytes())
    assert [e.type for e in trace.events] == [r["event_type"] for r in raw]
    assert [e.raw for e in trace.events] == raw
    assert trace.events[1].kind == "cache_hit"


@pytest.mark.parametrize("name", DAGRON_RUNS)
def test_dagron_chrome_export_has_the_nodes_that_ran(name: str) -> None:
    (events,) = load_path(sample(f"dagron/{name}.events.json")).traces
    (chrome,) = load_path(sample(f"dagron/{name}.chrome.json")).traces
    assert chrome.dialect == "chrome"
    assert chrome.attributes["producer"] == "dagron"
    ran = {
        s.name: s.status
        for s in events.nodes()
        if s.status in (Status.OK, Status.FAILED, Status.TIMED_OUT)
    }
    assert {s.name: s.status for s in chrome.nodes()} == ran
    for node in chrome.nodes():
        twin = next(s for s in events.nodes() if s.name == node.name)
        assert node.start == pytest.approx(twin.start, abs=1e-9)
        assert node.end == pytest.approx(twin.end, abs=1e-9)
        assert node.error == (twin.error or None)


# --- Victor: against analyze_trace() --------------------------------------------------------

ANALYSIS = orjson.loads((SAMPLES / "victor/code_review.analysis.json").read_bytes())


@pytest.mark.parametrize("name", ["code_review.trace.json", "code_review.asdict.json"])
def test_victor_agrees_with_analyze_trace(name: str) -> None:
    (trace,) = load_path(sample(f"victor/{name}")).traces
    summary = summarize(trace)
    assert trace.id == ANALYSIS["trace_id"]
    assert trace.name == ANALYSIS["workflow_name"]
    assert trace.duration == pytest.approx(ANALYSIS["total_duration_seconds"])
    assert summary.node_count == ANALYSIS["total_nodes"]
    assert summary.counts["ok"] == ANALYSIS["successful_nodes"]
    assert summary.counts["failed"] == ANALYSIS["failed_nodes"]
    assert sum(1 for s in trace.spans if s.kind == TOOL_CALL) == ANALYSIS["total_tool_calls"]
    assert sum(1 for s in trace.nodes() if s.error) == ANALYSIS["error_count"]
    expected_slowest = [(n["node_id"], n["duration"]) for n in ANALYSIS["slowest_nodes"]]
    assert [
        (s.name, s.elapsed) for s in summary.slowest[: len(expected_slowest)]
    ] == expected_slowest
    assert [(u.tool, u.calls) for u in summary.tools] == [
        (t["tool"], t["calls"]) for t in ANALYSIS["most_used_tools"]
    ]


def test_victor_asdict_keeps_tool_inputs_and_times() -> None:
    (trace,) = load_path(sample("victor/code_review.asdict.json")).traces
    read = next(s for s in trace.spans if s.kind == TOOL_CALL and s.name == "read_file")
    assert read.inputs == {"path": "src/app.py"}
    assert read.outputs == {"content": "def main():\n    return db.get(None)\n", "lines": 2}
    assert read.end is not None and read.start is not None
    assert trace.spans[read.parent or 0].name == "analyze"


def test_victor_csv_matches_the_json_export() -> None:
    (csv_trace,) = load_path(sample("victor/code_review.trace.csv")).traces
    (json_trace,) = load_path(sample("victor/code_review.trace.json")).traces
    assert csv_trace.dialect == "victor"
    assert [s.name for s in csv_trace.nodes()] == [s.name for s in json_trace.nodes()]
    assert [s.status for s in csv_trace.nodes()] == [s.status for s in json_trace.nodes()]
    for a, b in zip(csv_trace.nodes(), json_trace.nodes(), strict=True):
        assert a.duration == pytest.approx(b.duration, abs=5e-4)
        assert a.error == b.error
    run_tests = next(s for s in csv_trace.nodes() if s.name == "run_tests")
    assert run_tests.error == "AssertionError: expected 200, got 500\n  at tests/test_api.py:88"
    assert run_tests.attributes["tool_calls_count"] == 1


def test_victor_running_trace() -> None:
    (trace,) = load_path(sample("victor/long_job_running.trace.json")).traces
    assert trace.status is Status.RUNNING
    assert [s.name for s in trace.nodes()] == ["step_1"]


def test_victor_engine_stream_failure_names_the_failing_node() -> None:
    (trace,) = load_path(sample("victor/engine_stream_failed.trace.json")).traces
    assert trace.dialect == "victor-engine"
    assert trace.status is Status.FAILED
    assert trace.record_count == 4
    statuses = {s.name: s.status for s in trace.nodes()}
    assert statuses == {"extract": Status.OK, "transform": Status.OK, "load": Status.FAILED}
    load = next(s for s in trace.nodes() if s.name == "load")
    assert load.error == "compute handler raised KeyError('symbol')"
    assert "inferred" in load.attributes
    assert [e.type for e in trace.events][-1] == "workflow_failed"


def test_victor_engine_cli_path_has_only_workflow_events() -> None:
    (trace,) = load_path(sample("victor/engine_cli_ok.trace.json")).traces
    assert trace.status is Status.OK
    assert list(trace.nodes()) == []
    assert [e.kind for e in trace.events] == ["run_started", "run_completed"]


# --- CFN: rows against the in-memory dicts ------------------------------------------------


def cfn_rows() -> list[dict[str, object]]:
    lines = (SAMPLES / "cfn/execution_traces.rows.psql.jsonl").read_bytes().splitlines()
    return [orjson.loads(line) for line in lines if line.strip()]


@pytest.mark.parametrize("name", ["execution_traces.rows.psql.jsonl", "execution_traces.rows.csv"])
def test_cfn_table_exports_agree_with_the_rows(name: str) -> None:
    traces = load_path(sample(f"cfn/{name}")).traces
    rows = cfn_rows()
    assert [t.id for t in traces] == [r["trace_id"] for r in rows]
    status = {"success": "ok", "failed": "failed", "timeout": "timed_out", "running": "running"}
    for trace, row in zip(traces, rows, strict=True):
        assert trace.dialect == "cfn"
        assert trace.name == row["skill_name"]
        assert trace.status.value == status[str(row["status"])]
        steps = row["steps"]
        assert isinstance(steps, list)
        assert [s.name for s in trace.nodes()] == [s["name"] for s in steps]
        assert round(sum(s.duration or 0 for s in trace.nodes()) * 1000) == row["total_duration_ms"]
        if row["error_message"] is not None:
            assert trace.error == row["error_message"]
        assert trace.attributes["metadata"] == row["metadata"]


def test_cfn_python_default_str_export_loads_the_same() -> None:
    rows = cfn_rows()
    for row in rows:
        for key in ("started_at", "completed_at"):
            row[key] = str(row[key]).replace("T", " ")
    data = orjson.dumps(rows)
    traces = load_bytes(data, "python-export.json").traces
    expected = load_path(sample("cfn/execution_traces.rows.psql.jsonl")).traces
    assert [(t.id, t.status, t.started_at) for t in traces] == [
        (t.id, t.status, t.started_at) for t in expected
    ]


def test_cfn_in_memory_status_comes_from_the_steps() -> None:
    (trace,) = load_path(sample("cfn/docker_build_failed.in_memory.json")).traces
    assert trace.attributes["recorded_status"] == "running"
    assert trace.status is Status.FAILED
    build = next(s for s in trace.nodes() if s.name == "build-image")
    assert build.error is not None and build.error.startswith("Step 7/12 : RUN npm ci\n")
    assert build.end == pytest.approx(0.030952)
    assert build.start == pytest.approx(0.010952)


def test_cfn_in_memory_and_rows_describe_the_same_runs() -> None:
    memory = {t.id: t for t in load_path(sample("cfn/traces.in_memory.json")).traces}
    for row in load_path(sample("cfn/execution_traces.rows.psql.jsonl")).traces:
        twin = memory[row.id]
        assert [(s.name, s.status, s.duration) for s in twin.nodes()] == [
            (s.name, s.status, s.duration) for s in row.nodes()
        ]


def test_cfn_timeout_step_status() -> None:
    traces = load_path(sample("cfn/execution_traces.rows.psql.jsonl")).traces
    timed_out = [t for t in traces if t.status is Status.TIMED_OUT]
    assert len(timed_out) == 1
    assert any(s.status is Status.TIMED_OUT for s in timed_out[0].nodes())
    assert timed_out[0].error is None or timed_out[0].error


# --- graphenix ---------------------------------------------------------------------------


def test_graphenix_readme_example() -> None:
    (trace,) = load_path(sample("graphenix/readme_example.running.trace.json")).traces
    assert trace.dialect == "graphenix"
    assert trace.id == "trace:job-001"
    assert trace.name == "content-pipeline"
    assert trace.status is Status.RUNNING
    assert trace.record_count == 5
    (node,) = trace.nodes()
    assert node.name == "audience-insights"
    assert node.status is Status.OK
    assert node.start == pytest.approx(1.0)
    assert node.duration == pytest.approx(4.0)
    units = [trace.spans[c] for c in node.children]
    assert [u.kind for u in units] == ["unit", "unit"]
    assert [u.attributes["unitKind"] for u in units] == ["externalPreUtility", "mainSkill"]
    (invocation,) = (trace.spans[c] for c in units[0].children)
    assert invocation.kind == "model_invocation"
    assert invocation.name == "preActionModel"
    assert invocation.end == pytest.approx(2.5)
    assert trace.events[0].type == "node.started"
    assert all(node.kind == NODE for node in trace.nodes())


# --- JSON-lines variants of the event dialects ------------------------------------------------


def as_lines(values: list[object]) -> bytes:
    return b"".join(orjson.dumps(v) + b"\n" for v in values)


def test_dagron_events_one_per_line() -> None:
    events = orjson.loads((SAMPLES / "dagron/etl_fail.events.json").read_bytes())
    (trace,) = load_bytes(as_lines(events), "events.jsonl").traces
    (original,) = load_path(sample("dagron/etl_fail.events.json")).traces
    assert trace.dialect == "dagron"
    assert [(s.name, s.status) for s in trace.nodes()] == [
        (s.name, s.status) for s in original.nodes()
    ]


def test_graphenix_event_stream_with_and_without_header() -> None:
    doc = orjson.loads((SAMPLES / "graphenix/readme_example.running.trace.json").read_bytes())
    events = doc.pop("events")
    header = {**doc, "events": []}
    (with_header,) = load_bytes(as_lines([header, *events]), "g.jsonl").traces
    assert with_header.dialect == "graphenix"
    assert with_header.id == "trace:job-001"
    assert with_header.record_count == 5
    assert [s.name for s in with_header.nodes()] == ["audience-insights"]
    (bare,) = load_bytes(as_lines(events), "g.jsonl").traces
    assert bare.dialect == "graphenix"
    assert [s.status for s in bare.nodes()] == [Status.OK]
