"""The headless commands as scripts and CI use them."""

from __future__ import annotations

import argparse
import gc
from pathlib import Path

import orjson
import pytest

from tests.cli_helpers import run
from tests.helpers import SAMPLES, sample
from tracetui.cli import main, summary
from tracetui.source import RELAXED_COLLECTION

COUNT_KEYS = {"ok", "failed", "skipped", "timed_out", "cancelled", "cached", "running", "unknown"}


def test_summary_json_has_the_documented_shape() -> None:
    result = run("summary", "--json", sample("victor/code_review.trace.json"))
    assert result.code == 0, result.err
    doc = orjson.loads(result.out)
    assert doc["source"] == sample("victor/code_review.trace.json")
    (trace,) = doc["traces"]
    assert trace["dialect"] == "victor"
    assert trace["id"] == "06457b4a-b23f-40aa-989e-480d9052182b"
    assert trace["name"] == "code_review"
    assert trace["status"] == "failed"
    assert trace["duration_s"] == pytest.approx(0.030642271041870117)
    assert trace["nodes"] == 7
    assert trace["events"] == 7
    assert set(trace["counts"]) == COUNT_KEYS
    assert trace["counts"]["ok"] == 5 and trace["counts"]["failed"] == 2
    assert trace["slowest"][0] == {"node": "human_review", "duration_s": 30.0}
    assert len(trace["slowest"]) <= 10
    assert {
        "node": "human_review",
        "status": "failed",
        "error": "HITL timeout: no response in 30s",
        "kind": "node",
    } in trace["failures"]
    assert trace["tools"][0] == {"tool": "read_file", "calls": 2, "failed": 1}


def test_summary_json_for_a_dagron_trace() -> None:
    doc = orjson.loads(run("summary", "--json", sample("dagron/cache_partial.events.json")).out)
    (trace,) = doc["traces"]
    assert trace["id"] is None and trace["name"] is None
    assert trace["counts"]["cached"] == 2
    assert trace["events"] == 13
    assert trace["failures"] == [
        {"node": "audit", "status": "failed", "error": "disk quota exceeded", "kind": "node"}
    ]


def test_summary_json_for_a_multi_run_table_export() -> None:
    doc = orjson.loads(run("summary", "--json", sample("cfn/execution_traces.rows.csv")).out)
    assert len(doc["traces"]) == 10
    assert {t["dialect"] for t in doc["traces"]} == {"cfn"}


def test_summary_text_reads_like_the_producers_summaries() -> None:
    result = run("summary", sample("dagron/etl_fail.events.json"))
    assert result.code == 0
    out = result.out
    assert "Total events: 18" in out
    assert "Unique nodes: 5" in out
    assert "\u2717 Failed: 1" in out
    assert "Skipped: 2" in out
    assert "validate (failed): missing column 'id'" in out
    assert "Critical path (dagron step order" in out


def test_summary_text_never_prints_control_sequences(tmp_path: Path) -> None:
    doc = orjson.loads((SAMPLES / "victor/code_review.trace.json").read_bytes())
    doc["workflow_name"] = "\x1b[31mred\x1b]52;c;Zm9v\x07"
    doc["nodes"][3]["error"] = "boom \x1b[2J cleared"
    path = tmp_path / "evil.json"
    path.write_bytes(orjson.dumps(doc))
    result = run("summary", str(path))
    assert result.code == 0
    assert "\x1b" not in result.out and "\x07" not in result.out
    assert "\u241b[31mred" in result.out


def test_stdin_is_read_with_a_dash() -> None:
    data = (SAMPLES / "graphenix/readme_example.running.trace.json").read_bytes()
    result = run("summary", "--json", "-", stdin=data)
    assert result.code == 0, result.err
    doc = orjson.loads(result.out)
    assert doc["source"] == "<stdin>"
    assert doc["traces"][0]["dialect"] == "graphenix"


def test_stdin_errors_name_stdin() -> None:
    result = run("summary", "-", stdin=b"")
    assert result.code == 2
    assert result.err.strip() == "tracetui: <stdin>: empty file"


def test_dialect_override_reads_a_bare_array_as_chrome(tmp_path: Path) -> None:
    events = [{"name": "a", "ph": "X", "ts": 0, "dur": 5, "pid": 1, "tid": 1}]
    path = tmp_path / "x.json"
    path.write_bytes(orjson.dumps(events))
    assert run("summary", "--json", str(path)).code == 0
    result = run("summary", "--json", "--dialect", "chrome", str(path))
    assert orjson.loads(result.out)["traces"][0]["dialect"] == "chrome"


def test_dialect_override_that_does_not_fit_is_an_error() -> None:
    path = sample("victor/code_review.trace.json")
    result = run("summary", "--dialect", "dagron", path)
    assert result.code == 2
    assert result.err.startswith(f"tracetui: {path}: ")


def test_unknown_dialect_is_a_usage_error() -> None:
    result = run("summary", "--dialect", "nope", sample("victor/code_review.trace.json"))
    assert result.code == 2
    assert "invalid choice" in result.err


def test_no_command_prints_usage_and_exits_2() -> None:
    result = run()
    assert result.code == 2
    assert "usage: tracetui" in result.err


def test_version() -> None:
    result = run("--version")
    assert result.code == 0
    assert result.out.startswith("tracetui ")


def test_validate_clean_trace_exits_0() -> None:
    result = run("validate", sample("dagron/etl_ok.events.json"))
    assert result.code == 0, result.out
    assert result.out.strip().endswith(": clean")


def test_validate_findings_exit_1_with_a_line_each() -> None:
    result = run("validate", sample("victor/code_review.trace.json"))
    assert result.code == 1
    lines = result.out.strip().splitlines()
    assert any("node 'human_review'" in line and "impossible duration" in line for line in lines)
    assert lines[-1].endswith("findings") or lines[-1].endswith("finding")


def test_validate_json() -> None:
    result = run("validate", "--json", sample("victor/code_review.trace.json"))
    assert result.code == 1
    doc = orjson.loads(result.out)
    assert doc["clean"] is False
    assert {"check", "what", "where"} <= set(doc["findings"][0])


def test_validate_unreadable_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "e.json"
    path.write_bytes(b"")
    assert run("validate", str(path)).code == 2


def test_summary_output_to_a_closed_pipe_is_quiet() -> None:
    import subprocess
    import sys

    done = subprocess.run(
        f"{sys.executable} -m tracetui summary {sample('cfn/execution_traces.rows.csv')} | head -1",
        shell=True,
        capture_output=True,
        check=False,
        timeout=60,
    )
    assert b"Traceback" not in done.stderr
    assert b"BrokenPipe" not in done.stderr


def test_a_headless_command_relaxes_the_collector_and_puts_it_back(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: list[int] = []
    real = summary.run

    def spy(args: argparse.Namespace) -> int:
        seen.append(gc.get_threshold()[0])
        return real(args)

    monkeypatch.setattr(summary, "run", spy)
    before = gc.get_threshold()
    assert main(["summary", str(sample("dagron/etl_fail.events.json"))]) == 0
    assert seen == [RELAXED_COLLECTION]
    assert gc.get_threshold() == before
    assert "Critical path" in capsys.readouterr().out
