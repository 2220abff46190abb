"""Each kind of bad input: one line on stderr naming the file, exit 2, never a traceback."""

from __future__ import annotations

import gzip
from pathlib import Path

import orjson
import pytest

from tests.cli_helpers import Run, run
from tests.helpers import SAMPLES, sample
from tracetui.loaders import load_bytes


def one_line_error(result: Run, path: Path | str) -> str:
    assert result.code == 2, result
    assert result.out == ""
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert "Traceback" not in result.err
    assert lines[0].startswith(f"tracetui: {path}: ")
    return lines[0]


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("command", ["summary", "validate"])
def test_empty_file(tmp_path: Path, command: str) -> None:
    path = write(tmp_path, "empty.json", b"")
    assert one_line_error(run(command, str(path)), path).endswith("empty file")


def test_whitespace_only(tmp_path: Path) -> None:
    path = write(tmp_path, "blank.json", b"  \n\n ")
    assert "only whitespace" in one_line_error(run("summary", str(path)), path)


def test_not_json(tmp_path: Path) -> None:
    path = write(tmp_path, "notes.txt", b"hello world, this is not a trace\n")
    line = one_line_error(run("summary", str(path)), path)
    assert "CSV of no known shape" in line or "not JSON" in line


def test_plain_text_without_commas(tmp_path: Path) -> None:
    path = write(tmp_path, "notes.txt", b"hello world\n")
    line = one_line_error(run("summary", str(path)), path)
    assert "not JSON, JSON lines or CSV" in line
    assert "(line 1, column 1)" in line


def test_invalid_json_reports_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.json", b'{\n  "trace_id": "x",\n  "nodes": [1, 2,, 3]\n}\n')
    line = one_line_error(run("summary", str(path)), path)
    assert "(line 3, column" in line


def test_truncated_json_with_nothing_to_keep(tmp_path: Path) -> None:
    path = write(tmp_path, "cut.json", b'{"trace_id": "abc", "workflow_na')
    line = one_line_error(run("summary", str(path)), path)
    assert "truncated JSON" in line
    assert "(line 1, column" in line


def test_truncated_dagron_trace_loads_what_is_complete(tmp_path: Path) -> None:
    data = (SAMPLES / "dagron/etl_fail.events.json").read_bytes()
    cut = data[: data.index(b'"node_failed"') + 5]
    path = write(tmp_path, "cut.events.json", cut)
    result = run("summary", "--json", str(path))
    assert result.code == 0, result.err
    summary = orjson.loads(result.out)
    (trace,) = summary["traces"]
    assert trace["events"] == 9  # the complete events before the cut
    assert trace["status"] == "running"
    assert "warning: JSON ends early" in result.err
    assert "dropped the incomplete record at line 48" in result.err
    assert "line " in result.err and "column " in result.err


def test_truncated_victor_trace_keeps_the_complete_nodes(tmp_path: Path) -> None:
    data = (SAMPLES / "victor/code_review.trace.json").read_bytes()
    cut = data[: data.index(b'"node_id": "run_tests"') + 10]
    path = write(tmp_path, "cut.trace.json", cut)
    result = run("summary", "--json", str(path))
    assert result.code == 0, result.err
    (trace,) = orjson.loads(result.out)["traces"]
    assert trace["nodes"] == 3  # analyze, apply_fix, route
    assert "warning:" in result.err


def test_binary_data(tmp_path: Path) -> None:
    path = write(tmp_path, "core.bin", b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)))
    assert "binary data" in one_line_error(run("summary", str(path)), path)


def test_binary_that_is_not_utf8(tmp_path: Path) -> None:
    path = write(tmp_path, "image.json", b"{\xff\xfe\xfd\xfc" + b"a" * 100)
    assert "binary data" in one_line_error(run("summary", str(path)), path)


def test_broken_gzip(tmp_path: Path) -> None:
    path = write(tmp_path, "trace.json.gz", gzip.compress(b'{"a": 1}')[:12])
    assert "broken gzip" in one_line_error(run("summary", str(path)), path)


def test_gzip_is_read_transparently(tmp_path: Path) -> None:
    data = (SAMPLES / "dagron/etl_fail.events.json").read_bytes()
    path = write(tmp_path, "etl.json.gz", gzip.compress(data))
    result = run("summary", "--json", str(path))
    assert result.code == 0
    assert orjson.loads(result.out)["traces"][0]["dialect"] == "dagron"


def test_json_of_no_known_shape_lists_the_dialects_tried(tmp_path: Path) -> None:
    path = write(tmp_path, "config.json", b'{"name": "app", "replicas": 3}')
    line = one_line_error(run("summary", str(path)), path)
    assert "no known trace shape" in line
    assert "keys name, replicas" in line
    for dialect in ("dagron", "chrome", "victor", "victor-engine", "cfn", "graphenix"):
        assert dialect in line


def test_csv_of_no_known_shape(tmp_path: Path) -> None:
    path = write(tmp_path, "sales.csv", b"region,amount\nnorth,3\n")
    line = one_line_error(run("summary", str(path)), path)
    assert "CSV of no known shape" in line


def test_known_shape_with_wrong_types(tmp_path: Path) -> None:
    doc = {"trace_id": "t", "workflow_name": "w", "start_time": "yesterday", "nodes": []}
    path = write(tmp_path, "wrong.json", orjson.dumps(doc))
    line = one_line_error(run("summary", str(path)), path)
    assert "'start_time' must be a number, got a string" in line


def test_wrong_types_in_every_record(tmp_path: Path) -> None:
    events = [{"event_type": "node_started", "timestamp": "soon", "node_name": "a"}]
    path = write(tmp_path, "wrong.events.json", orjson.dumps(events))
    line = one_line_error(run("summary", str(path)), path)
    assert "record 0: 'timestamp' must be a number" in line


def test_absurd_numbers(tmp_path: Path) -> None:
    events = [{"event_type": "execution_started", "timestamp": 1e300}]
    path = write(tmp_path, "absurd.events.json", orjson.dumps(events))
    line = one_line_error(run("summary", str(path)), path)
    assert "'timestamp' is out of range" in line


def test_absurd_epoch(tmp_path: Path) -> None:
    doc = orjson.loads((SAMPLES / "victor/code_review.trace.json").read_bytes())
    doc["start_time"] = 1e14
    path = write(tmp_path, "absurd.trace.json", orjson.dumps(doc))
    assert "'start_time' is out of range" in one_line_error(run("summary", str(path)), path)


def test_one_bad_record_is_skipped_with_a_warning(tmp_path: Path) -> None:
    events = orjson.loads((SAMPLES / "dagron/etl_ok.events.json").read_bytes())
    events[3]["timestamp"] = "later"
    path = write(tmp_path, "partly.events.json", orjson.dumps(events))
    result = run("summary", "--json", str(path))
    assert result.code == 0
    assert "warning: record 3: 'timestamp' must be a number" in result.err
    assert orjson.loads(result.out)["traces"][0]["events"] == len(events) - 1


def test_json_lines_with_a_broken_line_loads_the_rest(tmp_path: Path) -> None:
    lines = (SAMPLES / "cfn/execution_traces.rows.psql.jsonl").read_bytes().splitlines()
    lines[2] = lines[2][:40]
    path = write(tmp_path, "rows.jsonl", b"\n".join(lines) + b"\n")
    result = run("summary", "--json", str(path))
    assert result.code == 0, result.err
    assert len(orjson.loads(result.out)["traces"]) == len(lines) - 1
    assert "warning: line 3: not valid JSON" in result.err


def test_json_lines_with_a_half_written_last_line(tmp_path: Path) -> None:
    data = (SAMPLES / "cfn/execution_traces.rows.psql.jsonl").read_bytes().rstrip(b"\n")
    path = write(tmp_path, "rows.jsonl", data[:-30])
    result = run("summary", "--json", str(path))
    assert result.code == 0
    assert "incomplete last record" in result.err


def test_missing_file() -> None:
    result = run("summary", "no/such/trace.json")
    assert one_line_error(result, "no/such/trace.json").endswith("no such file")


def test_an_empty_directory(tmp_path: Path) -> None:
    """A folder is read for the traces in it; one with none is an error."""
    assert "no trace files found" in one_line_error(run("summary", str(tmp_path)), tmp_path)
    assert "is a directory" in one_line_error(run("export", str(tmp_path), "--to", "csv"), tmp_path)


def test_summary_and_validate_take_several_paths() -> None:
    paths = [sample("dagron/etl_fail.events.json"), sample("victor/code_review.trace.json")]
    documents = orjson.loads(run("summary", "--json", *paths).out)
    assert [d["traces"][0]["dialect"] for d in documents] == ["dagron", "victor"]
    checked = run("validate", *paths)
    assert checked.code == 1 and checked.out.count(" finding") == 1  # the victor one


def test_hostile_file_content_is_not_echoed_raw(tmp_path: Path) -> None:
    path = write(tmp_path, "evil.txt", b"\x1b]52;c;aGVsbG8=\x07 nope\n")
    result = run("summary", str(path))
    assert result.code == 2
    assert "\x1b" not in result.err
    assert "\x07" not in result.err


def test_a_forced_dialect_that_plainly_does_not_fit_says_so() -> None:
    result = run("summary", "--dialect", "chrome", sample("dagron/etl_fail.events.json"))
    assert result.code == 2
    assert "not a chrome trace: by its content it is dagron" in result.err


def test_a_victor_node_with_malformed_tool_calls_is_kept_and_the_calls_named() -> None:
    record = orjson.loads((SAMPLES / "victor/code_review.trace.json").read_bytes())
    first = record["nodes"][0]
    first["tool_calls"] = {"read_file": 1}
    trace = load_bytes(orjson.dumps(record), "v.json").traces[0]
    assert trace.spans[0].name == first["node_id"]
    assert sum(1 for s in trace.nodes()) == len(record["nodes"])
    assert any(
        "'tool_calls' must be an array" in w and "tool calls skipped" in w for w in trace.warnings
    )
