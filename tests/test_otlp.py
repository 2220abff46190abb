"""OpenTelemetry: OTLP JSON from the SDK's own encoder, the collector's file format, files that
share a trace, and the round trip through ``export --to otlp``."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.cli_helpers import run
from tests.helpers import SAMPLES, trace_files
from tracetui.inputs.load import load_sources
from tracetui.loaders import load_bytes, load_path
from tracetui.model import Status
from tracetui.reports.otlp import otlp_request

sdk_trace = pytest.importorskip("opentelemetry.sdk.trace", reason="OpenTelemetry SDK missing")
from google.protobuf.json_format import MessageToDict, ParseDict  # noqa: E402
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans  # noqa: E402
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (  # noqa: E402
    ExportTraceServiceRequest,
)
from opentelemetry.sdk.resources import Resource  # noqa: E402
from opentelemetry.sdk.trace.export import SimpleSpanProcessor  # noqa: E402
from opentelemetry.sdk.trace.export.in_memory_span_exporter import (  # noqa: E402
    InMemorySpanExporter,
)
from opentelemetry.trace import Status as OtelStatus  # noqa: E402
from opentelemetry.trace import StatusCode  # noqa: E402


def sdk_spans() -> list[Any]:
    """Spans recorded by the real SDK: a root, a child with an event, a failing child."""
    exporter = InMemorySpanExporter()
    provider = sdk_trace.TracerProvider(resource=Resource.create({"service.name": "checkout"}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("tests", "1.0")
    with tracer.start_as_current_span("pipeline") as root:
        root.set_attribute("run.id", 7)
        root.set_attribute("dry_run", False)
        with tracer.start_as_current_span("fetch") as fetch:
            fetch.set_attribute("rows", [1, 2, 3])
            fetch.set_attribute("ratio", 0.5)
            fetch.add_event("retry", {"attempt": 2})
        with tracer.start_as_current_span("parse") as parse:
            parse.record_exception(ValueError("bad row 17"))
            parse.set_status(OtelStatus(StatusCode.ERROR, "bad row 17"))
    return list(exporter.get_finished_spans())


def protobuf_json(spans: list[Any]) -> dict[str, Any]:
    """The SDK's encoder, then the protobuf JSON mapping (base64 ids, enum names)."""
    result: dict[str, Any] = MessageToDict(encode_spans(spans))
    return result


def collector_json(document: dict[str, Any]) -> dict[str, Any]:
    """As the collector's file exporter writes it: hex ids, numeric enums."""
    kinds = {"SPAN_KIND_INTERNAL": 1, "SPAN_KIND_SERVER": 2, "SPAN_KIND_CLIENT": 3}
    codes = {"STATUS_CODE_UNSET": 0, "STATUS_CODE_OK": 1, "STATUS_CODE_ERROR": 2}
    for resource in document["resourceSpans"]:
        for scope in resource["scopeSpans"]:
            for span in scope["spans"]:
                for key in ("traceId", "spanId", "parentSpanId"):
                    if span.get(key):
                        span[key] = base64.b64decode(span[key]).hex()
                span["kind"] = kinds.get(span.get("kind", ""), 1)
                if "status" in span:
                    span["status"]["code"] = codes.get(span["status"].get("code", ""), 0)
    return document


def check_sdk_trace(data: bytes, source: str = "otlp.json") -> None:
    (trace,) = load_bytes(data, source).traces
    assert trace.dialect == "otlp"
    assert trace.name == "checkout"
    assert len(trace.id or "") == 32
    spans = {s.name: s for s in trace.spans}
    assert set(spans) == {"pipeline", "fetch", "parse"}
    assert spans["fetch"].parent == spans["pipeline"].index
    assert spans["parse"].parent == spans["pipeline"].index
    assert spans["parse"].status is Status.FAILED
    assert spans["parse"].error == "bad row 17"
    assert spans["pipeline"].status is Status.OK
    assert trace.status is Status.FAILED
    assert spans["fetch"].attributes["rows"] == [1, 2, 3]
    assert spans["fetch"].attributes["ratio"] == 0.5
    assert spans["pipeline"].attributes["run.id"] == 7
    assert spans["pipeline"].attributes["dry_run"] is False
    kinds = {e.type: e.kind for e in trace.events}
    assert kinds == {"retry": "span_event", "exception": "exception"}
    retry = next(e for e in trace.events if e.type == "retry")
    assert retry.attributes == {"attempt": 2} and retry.span == spans["fetch"].index
    assert spans["pipeline"].start == 0.0
    assert all(s.end is not None and s.start is not None and s.end >= s.start for s in trace.spans)
    assert trace.started_at is not None and trace.started_at.year >= 2026


def test_request_from_the_sdk_encoder_protobuf_json_mapping() -> None:
    check_sdk_trace(orjson.dumps(protobuf_json(sdk_spans())))


def test_collector_file_exporter_one_request_per_line() -> None:
    spans = sdk_spans()
    lines = [collector_json(protobuf_json([s])) for s in spans]  # one request per span
    check_sdk_trace(b"\n".join(orjson.dumps(line) for line in lines) + b"\n", "otlp.jsonl")


def test_a_trace_split_across_files_joins_by_trace_id(tmp_path: Path) -> None:
    spans = sdk_spans()
    root = [s for s in spans if s.parent is None]
    children = [s for s in spans if s.parent is not None]
    (tmp_path / "a.json").write_bytes(orjson.dumps(collector_json(protobuf_json(children))))
    (tmp_path / "b.json").write_bytes(orjson.dumps(collector_json(protobuf_json(root))))
    alone = load_path(str(tmp_path / "a.json")).traces[0]
    assert any("parent that is not in what was read" in w for w in alone.warnings)
    loaded = load_sources([str(tmp_path)])
    traces = [t for s in loaded.sets for t in s.traces]
    assert len(traces) == 1
    (joined,) = traces
    assert joined.warnings == []
    check_sdk_trace(orjson.dumps(otlp_request(loaded.sets[0])))
    runs = orjson.loads(
        run("runs", str(tmp_path / "a.json"), str(tmp_path / "b.json"), "--json").out
    )
    assert len(runs["runs"]) == 1 and runs["runs"][0]["status"] == "failed"


@pytest.mark.parametrize("path", trace_files(SAMPLES), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_round_trip_through_otlp(path: Path) -> None:
    original = load_path(str(path))
    exported = otlp_request(original)
    # The export is a valid ExportTraceServiceRequest (ids as bytes in the protobuf mapping).
    as_protobuf = orjson.loads(orjson.dumps(exported))
    for resource in as_protobuf["resourceSpans"]:
        for span in resource["scopeSpans"][0]["spans"]:
            for key in ("traceId", "spanId", "parentSpanId"):
                if key in span:
                    span[key] = base64.b64encode(bytes.fromhex(span[key])).decode()
    ParseDict(as_protobuf, ExportTraceServiceRequest())
    back = load_bytes(orjson.dumps(exported), "back.json")
    assert len(back.traces) == len(original.traces)
    for before, after in zip(original.traces, back.traces, strict=True):
        assert after.status is before.status
        assert after.duration == pytest.approx(before.duration, abs=1e-6)
        assert sorted(s.key for s in after.spans) == sorted(s.key for s in before.spans)
        by_key = {s.key: s for s in after.spans}
        for span in before.spans:
            twin = by_key[span.key]
            assert (twin.name, twin.kind, twin.status, twin.error) == (
                span.name,
                span.kind,
                span.status,
                span.error,
            )
            if span.start is not None:
                assert twin.start == pytest.approx(span.start, abs=2e-6)
            if span.end is not None and span.start is not None:
                assert twin.end == pytest.approx(span.end, abs=2e-6)
            parent = before.spans[span.parent].key if span.parent is not None else None
            assert (after.spans[twin.parent].key if twin.parent is not None else None) == parent


def test_statuses_otel_lacks_travel_as_attributes() -> None:
    (dagron,) = load_path(str(SAMPLES / "dagron/cache_partial.events.json")).traces
    exported = otlp_request(load_path(str(SAMPLES / "dagron/cache_partial.events.json")))
    spans = exported["resourceSpans"][0]["scopeSpans"][0]["spans"]
    cached = next(s for s in spans if s["name"] == "extract")
    assert {"key": "tracetui.status", "value": {"stringValue": "cached"}} in cached["attributes"]
    failed = next(s for s in spans if s["name"] == "audit")
    assert failed["status"] == {"code": 2, "message": "disk quota exceeded"}
    assert dagron.status is Status.FAILED


def test_cli_export_otlp() -> None:
    result = run("export", str(SAMPLES / "victor/code_review.trace.json"), "--to", "otlp")
    assert result.code == 0
    doc = orjson.loads(result.out)
    assert doc["resourceSpans"][0]["scopeSpans"][0]["scope"] == {"name": "tracetui"}


async def test_a_trace_split_across_files_is_one_run_in_the_runs_view(tmp_path: Path) -> None:
    """`tracetui open DIR` lists what `tracetui runs DIR` lists: the parts joined."""
    from tracetui.app.app import TraceApp
    from tracetui.app.runs import RunsScreen
    from tracetui.inputs.start import start_for

    spans = sdk_spans()
    root = [s for s in spans if s.parent is None]
    children = [s for s in spans if s.parent is not None]
    (tmp_path / "a.json").write_bytes(orjson.dumps(collector_json(protobuf_json(children))))
    (tmp_path / "b.json").write_bytes(orjson.dumps(collector_json(protobuf_json(root))))
    app = TraceApp(start_for([str(tmp_path)]))
    async with app.run_test(size=(120, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RunsScreen)
        assert len(screen.all_rows) == 1
        assert screen.all_rows[0].trace.warnings == []


def test_run_ids_names_and_unknown_times_survive_the_round_trip(tmp_path: Path) -> None:
    document = {
        "format": "tracetui.model/v1",
        "traces": [
            {
                "id": "trace:job-001",
                "name": None,
                "status": "failed",
                "spans": [
                    {"key": "a", "name": "a", "status": "ok", "start": 0.0, "end": 1.0},
                    {"key": "b", "name": "b", "status": "failed", "error": "no time known"},
                ],
            }
        ],
    }
    path = tmp_path / "model.json"
    path.write_bytes(orjson.dumps(document))
    (back,) = load_bytes(orjson.dumps(otlp_request(load_path(str(path)))), "o.json").traces
    assert back.id == "trace:job-001" and back.name is None
    untimed = next(s for s in back.spans if s.name == "b")
    assert untimed.start is None and untimed.end is None and untimed.elapsed is None
    summary = orjson.loads(run("summary", "--json", str(path)).out)["traces"][0]
    assert [s["node"] for s in summary["slowest"]] == ["a"]
