"""Export one CSV row per span."""

from __future__ import annotations

import csv
import io

from tracetui.formats.json_text import dumps
from tracetui.model import TraceSet
from tracetui.text import safe

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


# A cell starting with one of these is a formula to a spreadsheet (OWASP's list).
_FORMULA_LEAD = ("=", "+", "-", "@", "\t", "\r")


def cell(text: str) -> str:
    """Text from a trace made safe for a spreadsheet: control and format characters shown
    as stand-ins, and a leading formula character escaped with a quote (OWASP's rule)."""
    text = safe(text)
    return "'" + text if text.startswith(_FORMULA_LEAD) else text


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
                    cell(trace.id or ""),
                    cell(trace.name or ""),
                    cell(trace.dialect),
                    trace.status.value,
                    span.index,
                    cell(span.key),
                    cell(span.name),
                    cell(span.kind),
                    cell(parent),
                    _number(span.start),
                    _number(span.end),
                    _number(span.elapsed),
                    span.status.value,
                    cell(span.error or ""),
                    cell(dumps(span.attributes).rstrip("\n")),
                ]
            )
    return out.getvalue()
