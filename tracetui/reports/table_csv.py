"""Export one CSV row per span."""

from __future__ import annotations

import csv
import io

import orjson

from tracetui.model import TraceSet

COLUMNS = [
    "trace_id",
    "trace_name",
    "dialect",
    "trace_status",
    "span_index",
    "key",
    "name",
    "kind",
    "parent_key",
    "start_s",
    "end_s",
    "duration_s",
    "status",
    "error",
    "attributes",
]


def _number(value: float | None) -> str:
    return "" if value is None else repr(value)


def spans_csv(traces: TraceSet) -> str:
    """Every span of every trace; attributes as JSON text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for trace in traces.traces:
        for span in trace.spans:
            parent = trace.spans[span.parent].key if span.parent is not None else ""
            writer.writerow(
                [
                    trace.id or "",
                    trace.name or "",
                    trace.dialect,
                    trace.status.value,
                    span.index,
                    span.key,
                    span.name,
                    span.kind,
                    parent,
                    _number(span.start),
                    _number(span.end),
                    _number(span.elapsed),
                    span.status.value,
                    span.error or "",
                    orjson.dumps(
                        span.attributes, option=orjson.OPT_NON_STR_KEYS, default=str
                    ).decode(),
                ]
            )
    return out.getvalue()
