"""Each validate check against a trace made to trip it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from tests.helpers import sample
from tracetui.analysis.validate import validate
from tracetui.loaders import load_bytes, load_path


def checks(data: Any, source: str = "made.json") -> list[str]:
    return [f.check for f in validate(load_bytes(orjson.dumps(data), source))]


def dagron(*events: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"event_type": "execution_started", "timestamp": 0.0},
        *events,
        {"event_type": "execution_completed", "timestamp": 9.0},
    ]


def test_real_dagron_runs_are_clean() -> None:
    for name in ("etl_ok", "etl_fail", "timeout", "cancelled", "cache_partial", "resources"):
        assert validate(load_path(sample(f"dagron/{name}.events.json"))) == [], name


def test_ends_before_it_starts_and_negative_duration() -> None:
    found = checks(
        dagron(
            {"event_type": "node_started", "timestamp": 2.0, "node_name": "a"},
            {"event_type": "node_completed", "timestamp": 1.0, "node_name": "a", "duration": -1.0},
        )
    )
    assert "ends before it starts" in found
    assert "negative duration" in found
    assert "unsorted timestamps" in found


def test_orphan_completion() -> None:
    found = checks(
        dagron(
            {"event_type": "node_completed", "timestamp": 1.0, "node_name": "a", "duration": 0.5}
        )
    )
    assert found == ["orphan event"]


def test_unmatched_begin() -> None:
    found = checks(dagron({"event_type": "node_started", "timestamp": 1.0, "node_name": "a"}))
    assert found == ["unmatched begin"]


def test_unknown_event_type() -> None:
    found = checks(dagron({"event_type": "node_exploded", "timestamp": 1.0, "node_name": "a"}))
    assert "unknown event type" in found


def test_dagron_run_time_longer_than_its_span() -> None:
    found = checks(
        dagron(
            {"event_type": "node_started", "timestamp": 1.0, "node_name": "a"},
            {"event_type": "node_completed", "timestamp": 1.5, "node_name": "a", "duration": 3.0},
        )
    )
    assert found == ["impossible duration"]


def test_chrome_unbalanced_end() -> None:
    found = checks(
        {
            "traceEvents": [
                {"name": "a", "ph": "E", "ts": 5, "pid": 1, "tid": 2},
                {"name": "b", "ph": "B", "ts": 6, "pid": 1, "tid": 3},
                {"name": "b", "ph": "E", "ts": 9, "pid": 1, "tid": 3},
            ]
        }
    )
    assert found == ["orphan event"]


def test_victor_duplicate_node_ids_and_impossible_duration() -> None:
    found = [f.check for f in validate(load_path(sample("victor/code_review.trace.json")))]
    assert "impossible duration" in found
    doc = orjson.loads(Path(sample("victor/code_review.trace.json")).read_bytes())
    doc["nodes"].append(doc["nodes"][0])
    assert "duplicate id" in checks(doc)


def test_duplicate_trace_ids_in_a_table_export() -> None:
    rows = orjson.loads(
        b"["
        + b",".join(
            Path(sample("cfn/execution_traces.rows.psql.jsonl")).read_bytes().splitlines()[:1] * 2
        )
        + b"]"
    )
    assert "duplicate id" in checks(rows)


def test_graphenix_events_naming_unknown_nodes() -> None:
    doc = orjson.loads(Path(sample("graphenix/readme_example.running.trace.json")).read_bytes())
    assert validate(load_bytes(orjson.dumps(doc), "g.json")) == []
    doc["nodeExecutions"] = {"node:other": {"status": "completed"}}
    doc["events"][1]["unitId"] = "unit:node:other:pre:0"
    found = checks(doc)
    assert found.count("unknown node") >= 2


def test_skipped_records_are_findings() -> None:
    found = checks(dagron({"event_type": "node_started", "timestamp": "x", "node_name": "a"}))
    assert found == ["unreadable record"]
