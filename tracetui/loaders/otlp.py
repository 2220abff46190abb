"""OpenTelemetry OTLP JSON: ``ExportTraceServiceRequest`` documents, one or one per line.

Reads what the collector's file exporter writes (hex ids, nanosecond times as strings) and the
plain protobuf JSON mapping (base64 ids). Spans are grouped by trace id; a trace split across
files joins again by trace id (see ``merge``).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from tracetui.errors import RecordError, TraceError
from tracetui.formats import otlp_keys as keys
from tracetui.formats.json_text import dumps
from tracetui.loaders.base import finish_duration, holds, records, worst_status
from tracetui.loaders.fields import finite, parse_time, record_label
from tracetui.model import NODE, Status, Trace, TraceSet, status_named
from tracetui.source import Document

DIALECT = "otlp"
KINDS = frozenset({"json", "jsonl"})
STATUS_CODES = {
    0: "unset",
    1: "ok",
    2: "error",
    "STATUS_CODE_UNSET": "unset",
    "STATUS_CODE_OK": "ok",
    "STATUS_CODE_ERROR": "error",
}
SPAN_KINDS = {
    0: "unspecified",
    1: "internal",
    2: "server",
    3: "client",
    4: "producer",
    5: "consumer",
}

# (resource attributes, scope, span record): what a trace is rebuilt from when files join.
SpanRecord = tuple[dict[str, Any], dict[str, Any], dict[str, Any]]


def is_request(value: Any) -> bool:
    """An ExportTraceServiceRequest: an object with ``resourceSpans``."""
    return isinstance(value, dict) and isinstance(value.get("resourceSpans"), list)


def detect(doc: Document) -> bool:
    """One request, or an array / JSON lines of them (the collector's file exporter)."""
    return holds(doc, is_request)


# AnyValues nested deeper than this are kept as they are written, not unwrapped further.
MAX_VALUE_DEPTH = 64


def any_value(value: Any, depth: int = 0) -> Any:
    """An OTLP AnyValue as plain JSON data; a value of an unexpected shape is kept as written."""
    if not isinstance(value, dict) or depth > MAX_VALUE_DEPTH:
        return value
    if "stringValue" in value:
        return value["stringValue"]
    if "boolValue" in value:
        return value["boolValue"]
    if "intValue" in value:
        return _int_value(value["intValue"])
    if "doubleValue" in value:
        return _double_value(value["doubleValue"])
    if "arrayValue" in value:
        return [any_value(v, depth + 1) for v in _values(value["arrayValue"])]
    if "kvlistValue" in value:
        return attributes(_values(value["kvlistValue"]), depth + 1)
    if "bytesValue" in value:
        return value["bytesValue"]
    return None


def _int_value(raw: Any) -> Any:
    """An int64 (a string in protobuf JSON); anything else is kept as written."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, str):
        try:
            return int(raw)
        except ValueError:
            return raw
    return raw


def _double_value(raw: Any) -> Any:
    """A double (a number, or "NaN"/"Infinity" as protobuf JSON writes them)."""
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return float(raw)
    if isinstance(raw, str):
        try:
            return float(raw)
        except ValueError:
            return raw
    return raw


def _values(container: Any) -> list[Any]:
    """The ``values`` list of an ArrayValue or KeyValueList (empty when malformed)."""
    if not isinstance(container, dict):
        return []
    values = container.get("values")
    return values if isinstance(values, list) else []


def attributes(items: Any, depth: int = 0) -> dict[str, Any]:
    """A list of ``{"key", "value"}`` as a dict."""
    if not isinstance(items, list):
        return {}
    return {
        str(item.get("key")): any_value(item.get("value"), depth)
        for item in items
        if isinstance(item, dict) and "key" in item
    }


def _object(value: Any, key: str) -> dict[str, Any]:
    """The object at ``key``, or an empty one when absent or not an object."""
    found = value.get(key) if isinstance(value, dict) else None
    return found if isinstance(found, dict) else {}


def _list(value: dict[str, Any], *keys: str) -> list[Any]:
    """The first of ``keys`` holding a non-empty list, or an empty list."""
    for key in keys:
        found = value.get(key)
        if isinstance(found, list) and found:
            return found
    return []


def hex_id(value: Any, size: int) -> str | None:
    """A trace or span id as lower-case hex, from hex (OTLP JSON) or base64 (protobuf JSON)."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise RecordError(f"an id must be a string, got {type(value).__name__}")
    text = value.strip()
    if len(text) == size * 2 and all(c in "0123456789abcdefABCDEF" for c in text):
        return text.lower()
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise RecordError(f"id {text[:40]!r} is neither hex nor base64") from None
    if len(raw) != size:
        raise RecordError(f"id {text[:40]!r} is not {size} bytes")
    return raw.hex()


def nanos(value: Any, key: str) -> int | None:
    """Unix nanoseconds, written as a string or a number."""
    if value in (None, "", 0, "0"):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise RecordError(f"'{key}' must be nanoseconds, got {str(value)[:30]!r}") from None
    if not 0 < number < 253402300799 * 10**9:
        raise RecordError(f"'{key}' is out of range: {value!r}")
    return number


def span_records(value: Any) -> list[SpanRecord]:
    """Every span of a request with its resource attributes and scope."""
    found: list[SpanRecord] = []
    if not isinstance(value, dict):
        return found
    for resource_spans in _list(value, "resourceSpans"):
        if not isinstance(resource_spans, dict):
            continue
        resource = attributes(_object(resource_spans, "resource").get("attributes"))
        for scope_spans in _list(resource_spans, "scopeSpans", "instrumentationLibrarySpans"):
            if not isinstance(scope_spans, dict):
                continue
            scope = _object(scope_spans, "scope") or _object(scope_spans, "instrumentationLibrary")
            for span in _list(scope_spans, "spans"):
                if isinstance(span, dict):
                    found.append((resource, scope, span))
    return found


def load(doc: Document) -> list[Trace]:
    """One trace per trace id, across every request in the document."""
    collected: list[SpanRecord] = []
    problems: list[str] = []
    for position, line, value in records(doc):
        if not is_request(value):
            problems.append(f"{record_label(position, line)}: not an OTLP request, skipped")
            continue
        collected.extend(span_records(value))
    traces = build(collected, doc.source)
    if not traces:
        raise TraceError(problems[0] if problems else "no spans in the OTLP document")
    for trace in traces:
        trace.warnings.extend(problems)
    return traces


def build(collected: list[SpanRecord], source: str) -> list[Trace]:
    """Traces from span records, grouped by trace id, in order of first appearance."""
    groups: dict[str, list[SpanRecord]] = {}
    problems: dict[str, list[str]] = {}
    for record in collected:
        try:
            trace_id = hex_id(record[2].get("traceId"), 16) or "unknown"
        except RecordError as exc:
            problems.setdefault("unknown", []).append(str(exc))
            trace_id = "unknown"
        groups.setdefault(trace_id, []).append(record)
    traces = []
    for trace_id, members in groups.items():
        trace = _trace(trace_id, members, source)
        trace.cut_cycles()
        trace.warnings.extend(problems.get(trace_id, []))
        traces.append(trace)
    return traces


def _status(span: dict[str, Any], attrs: dict[str, Any], ended: bool) -> tuple[Status, str | None]:
    recorded = attrs.get(keys.STATUS)
    status_record = _object(span, "status")
    message = status_record.get("message")
    if message is not None and not isinstance(message, str):
        message = dumps(message).rstrip("\n")
    message = message or None
    named = status_named(recorded)
    if named is not None:
        return named, message
    code = status_record.get("code", 0)
    word = STATUS_CODES.get(code, "unset") if isinstance(code, int | str) else "unset"
    if word == "error":
        return Status.FAILED, message
    if not ended:
        return Status.RUNNING, message
    return Status.OK, message


def _trace(trace_id: str, members: list[SpanRecord], source: str) -> Trace:
    trace = Trace(dialect=DIALECT, source=source, id=trace_id, raw=members)
    parsed = []
    for resource, scope, span in members:
        try:
            start = nanos(span.get("startTimeUnixNano"), "startTimeUnixNano")
            end = nanos(span.get("endTimeUnixNano"), "endTimeUnixNano")
            span_id = hex_id(span.get("spanId"), 8)
            parent_id = hex_id(span.get("parentSpanId"), 8)
        except RecordError as exc:
            trace.warn(f"span {str(span.get('name'))[:40]!r}: {exc}, skipped")
            continue
        parsed.append((resource, scope, span, start, end, span_id, parent_id))
    if not parsed:
        trace.warn("no readable spans")
        return trace
    starts = [p[3] for p in parsed if p[3] is not None]
    origin = min(starts) if starts else 0
    trace.started_at = datetime.fromtimestamp(origin / 1e9, UTC) if starts else None
    # A tracetui export says where the run really started (spans may begin before it).
    exported = next((r for r, _, _, _, _, _, _ in parsed if keys.DIALECT in r), None)
    if exported is not None:
        if exported.get(keys.RELATIVE_TIMES):
            origin, trace.started_at = 0, None
        elif isinstance(exported.get(keys.STARTED_AT), str):
            try:
                trace.started_at = parse_time(exported[keys.STARTED_AT])
                origin = round(trace.started_at.timestamp() * 1e9)
            except RecordError as exc:
                trace.warn(f"tracetui.started_at: {exc}; times are from the earliest span")
    index_of: dict[str, int] = {}
    for resource, scope, span, start, end, span_id, parent_id in sorted(
        parsed, key=lambda p: (p[3] is None, p[3] or 0)
    ):
        attrs = attributes(span.get("attributes"))
        if attrs.get(keys.PLACEHOLDER):
            continue  # stands for a run that had no spans
        status, message = _status(span, attrs, end is not None)
        kind = str(attrs.pop(keys.KIND, NODE))
        attrs.pop(keys.STATUS, None)
        key = str(attrs.pop(keys.KEY, span_id or span.get("name")))
        reported = finite(attrs.pop(keys.REPORTED_DURATION, None))
        start_s = (start - origin) / 1e9 if start is not None else None
        end_s = (end - origin) / 1e9 if end is not None else None
        if attrs.pop(keys.OPEN, False):
            end_s = None
        if attrs.pop(keys.NO_START, False):
            start_s = None  # the exported start stood in for a time the source lacked
        duration = (
            reported
            if reported is not None
            else (end_s - start_s if start_s is not None and end_s is not None else None)
        )
        created = trace.add_span(
            key,
            str(span.get("name", "")),
            kind,
            start=start_s,
            end=end_s,
            duration=duration,
            status=status,
            error=message,
            raw=span,
            attributes={
                **attrs,
                "span_id": span_id,
                "span_kind": _span_kind(span.get("kind", 0)),
                "scope": scope.get("name"),
            },
        )
        if parent_id is not None:
            created.attributes["parent_span_id"] = parent_id
        if resource and not trace.attributes.get("resource"):
            trace.attributes["resource"] = resource
        if span_id is not None:
            index_of[span_id] = created.index
        for event in _list(span, "events"):
            if not isinstance(event, dict):
                continue
            try:
                at = nanos(event.get("timeUnixNano"), "timeUnixNano")
            except RecordError:
                at = None
            event_attrs = attributes(event.get("attributes"))
            name = str(event.get("name", ""))
            default_kind = "exception" if name == "exception" else "span_event"
            trace.add_event(
                (at - origin) / 1e9 if at is not None else None,
                str(event_attrs.pop(keys.KIND, default_kind)),
                name,
                created.index,
                event_attrs,
                event,
            )
            if name == "exception" and created.error is None:
                created.error = (
                    str(
                        event_attrs.get("exception.message")
                        or event_attrs.get("exception.type")
                        or ""
                    )
                    or None
                )
    # Parents: resolved now that every span of the trace (from every file) is known.
    orphans = 0
    for created in trace.spans:
        parent_id = created.attributes.get("parent_span_id")
        if parent_id is None:
            continue
        parent = index_of.get(parent_id)
        if parent is None or parent == created.index:
            orphans += 1
            continue
        created.parent = parent
        trace.adopt(parent, created.index)
    if orphans:
        trace.warn(
            f"{orphans} spans name a parent that is not in what was read "
            "(open the other files of the trace too)"
        )
    resource = trace.attributes.get("resource") or {}
    roots = [s for s in trace.spans if s.parent is None]
    trace.name = str(resource.get("service.name") or (roots[0].name if roots else trace_id))
    trace.record_count = len(parsed)
    trace.status = worst_status([s.status for s in trace.spans])
    if exported is not None:
        trace.attributes["exported_from"] = exported.get(keys.DIALECT)
        exported_duration = finite(exported.get(keys.DURATION))
        if exported_duration is not None:
            trace.duration = exported_duration
        run_status = exported.get(keys.RUN_STATUS)
        named = status_named(run_status)
        if named is not None:
            trace.status = named
        elif run_status is not None:
            trace.warn(f"tracetui.run_status {str(run_status)[:40]!r} is not a status, ignored")
        if isinstance(exported.get(keys.RUN_ERROR), str):
            trace.error = exported[keys.RUN_ERROR]
        # The run's own id and name, as written (the OTLP trace id is a hex stand-in).
        if isinstance(exported.get(keys.RUN_ID), str):
            trace.attributes["otlp_trace_id"] = trace.id
            trace.id = exported[keys.RUN_ID]
        run_name = exported.get(keys.RUN_NAME)
        trace.name = run_name if isinstance(run_name, str) else None
    finish_duration(trace)
    return trace


def _span_kind(kind: Any) -> str:
    """The span kind's word: from a number or an enum name, else as written."""
    if isinstance(kind, int | str) and not isinstance(kind, bool) and kind in SPAN_KINDS:
        return SPAN_KINDS[kind]
    return str(kind)


def merge(sets: list[TraceSet]) -> list[TraceSet]:
    """The sets with the OTLP traces that share a trace id across files joined into one trace,
    kept where the first part was; the sets given are left as they were."""
    by_id: dict[str, list[tuple[TraceSet, Trace]]] = {}
    for traces in sets:
        for trace in traces.traces:
            if trace.dialect == DIALECT and trace.id:
                by_id.setdefault(trace.id, []).append((traces, trace))
    replaced: dict[int, Trace | None] = {}  # id() of a part: the joined trace, or None (dropped)
    for parts in by_id.values():
        if len(parts) < 2:
            continue
        records_: list[SpanRecord] = [r for _, t in parts for r in (t.raw or [])]
        sources = " + ".join(dict.fromkeys(s.source for s, _ in parts))
        rebuilt = build(records_, sources)
        if len(rebuilt) != 1:
            continue
        replaced[id(parts[0][1])] = rebuilt[0]
        replaced.update((id(trace), None) for _, trace in parts[1:])
    if not replaced:
        return sets
    result = []
    for traces in sets:
        kept = [replaced.get(id(t), t) for t in traces.traces]
        joined = [t for t in kept if t is not None]
        if joined:
            result.append(replace(traces, traces=joined, warnings=list(traces.warnings)))
    return result
