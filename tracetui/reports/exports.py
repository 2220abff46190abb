"""Every export format, defined once: its name, what it is, and how it is written."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tracetui.formats.json_text import dumps
from tracetui.model import TraceSet


@dataclass(frozen=True, slots=True)
class Export:
    """One format ``export --to NAME`` writes."""

    name: str
    description: str
    write: Callable[[TraceSet, bool], str]  # (traces, keep raw records) -> text


def _chrome(traces: TraceSet, raw: bool) -> str:
    from tracetui.reports.chrome import chrome_document

    return dumps(chrome_document(traces))


def _model(traces: TraceSet, raw: bool) -> str:
    from tracetui.reports.model_json import traceset_dict

    return dumps(traceset_dict(traces, raw=raw))


def _otlp(traces: TraceSet, raw: bool) -> str:
    from tracetui.reports.otlp import otlp_request

    return dumps(otlp_request(traces))


def _csv(traces: TraceSet, raw: bool) -> str:
    from tracetui.reports.table_csv import spans_csv

    return spans_csv(traces)


def _html(traces: TraceSet, raw: bool) -> str:
    from tracetui.reports.html import html_report

    return html_report(traces)


def _markdown(traces: TraceSet, raw: bool) -> str:
    from tracetui.reports.markdown import markdown_report

    return markdown_report(traces)


# In the order ``--help`` lists them. Each module is imported only when its format is written.
EXPORTS: dict[str, Export] = {
    export.name: export
    for export in (
        Export("chrome", "Chrome Trace Event Format, for Perfetto", _chrome),
        Export("json", "tracetui's model JSON (loads back into tracetui)", _model),
        Export("csv", "one row per span", _csv),
        Export("html", "a self-contained report, every value escaped", _html),
        Export("markdown", "for incident channels", _markdown),
        Export("otlp", "OpenTelemetry OTLP JSON, for Jaeger, Tempo or any backend", _otlp),
    )
}
EXPORT_FORMATS = tuple(EXPORTS)


def render_export(traces: TraceSet, to: str, raw: bool = True) -> str:
    """The export as text (``raw=False`` leaves the source records out of the JSON)."""
    return EXPORTS[to].write(traces, raw)
