"""Property-based fuzzing of every reader and everything computed from what it loads.

Every sample file (and the OTLP and model-JSON exports of a few) is mutated as a hostile or
broken producer would: bytes flipped, cut short, fields deleted, values swapped for other
types, keys duplicated, numbers huge, nesting deep, ids pointing at themselves. Loading,
summary, validate, failures, diff, every export and the explorer's pure views must either
succeed or raise the project's own ``TraceError``, in bounded time.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from functools import cache
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import SAMPLES, trace_files
from tracetui.analysis.diff import diff
from tracetui.analysis.failures import collect, find_similar_failures, group, rank
from tracetui.analysis.report import build_report
from tracetui.analysis.runs import run_rows, workflow_stats
from tracetui.analysis.summary import summarize
from tracetui.analysis.validate import validate
from tracetui.errors import TraceError
from tracetui.formats.json_text import dumps
from tracetui.loaders import load_bytes
from tracetui.reports.exports import EXPORT_FORMATS, render_export
from tracetui.reports.incident import report_html, report_markdown
from tracetui.reports.summary import summary_json, summary_text
from tracetui.reports.validate import validate_json, validate_text
from tracetui.view.content import span_detail, trace_summary
from tracetui.view.outline import flatten
from tracetui.view.rows import RowModel, SearchIndex, failures
from tracetui.view.timeaxis import TimeAxis, bar, ruler

# CI runs a fixed set of examples (reproducible); TRACETUI_FUZZ_EXAMPLES=5000 explores more.
EXAMPLES = int(os.environ.get("TRACETUI_FUZZ_EXAMPLES", "600"))
SECONDS_PER_CASE = 10

HOSTILE_TEXT = [
    "",
    "[/]",
    "fetch[/api/v1]",
    "[bold red]X[/]",
    "\x1b[2J\x1b]52;c;aGVsbG8=\x07",
    "\u202eevil\u2066x\u2069",
    "名前\u0301\u200b😀",
    "2026-13-45T99:99:99",
    "NaN",
    "=cmd|' /C calc'!A0",
    "x" * 3000,
]


def _deep(depth: int) -> Any:
    value: Any = "bottom"
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    return value


WEIRD = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(HOSTILE_TEXT),
    st.text(max_size=12),
    st.sampled_from([[], {}, [1, "a"], {"id": 1}, ["a"], {"a": {}}]),
    st.sampled_from([300, 900]).map(_deep),
)


@cache
def seeds() -> list[bytes]:
    """Every bundled sample file, plus OTLP and model-JSON exports of some."""
    files = [p for p in trace_files(SAMPLES) if p.suffix in (".json", ".jsonl", ".csv")]
    found = [p.read_bytes() for p in files]
    for path in files[:8]:
        try:
            loaded = load_bytes(path.read_bytes(), str(path))
        except TraceError:
            continue
        found.append(render_export(loaded, "otlp").encode())
        found.append(render_export(loaded, "json").encode())
    return found


def _places(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Every (path, value) in a JSON value, breadth-limited so huge arrays stay cheap."""
    pending = [(path, value)]
    while pending:
        where, item = pending.pop()
        yield where, item
        if isinstance(item, dict):
            pending.extend(((*where, k), v) for k, v in list(item.items())[:40])
        elif isinstance(item, list):
            pending.extend(((*where, i), v) for i, v in enumerate(item[:40]))


def _set(root: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    holder = root
    for step in path[:-1]:
        holder = holder[step]
    holder[path[-1]] = value
    return root


def _delete(root: Any, path: tuple[Any, ...]) -> Any:
    if not path:
        return root
    holder = root
    for step in path[:-1]:
        holder = holder[step]
    if isinstance(holder, dict):
        holder.pop(path[-1], None)
    else:
        holder.pop(path[-1])
    return root


def _mutate_value(value: Any, draw: st.DrawFn) -> Any:
    for _ in range(draw(st.integers(1, 4))):
        places = list(_places(value))
        where, _ = places[draw(st.integers(0, len(places) - 1))]
        action = draw(st.sampled_from(["swap", "swap", "delete", "alias", "repeat"]))
        if action == "swap":
            value = _set(value, where, draw(WEIRD))
        elif action == "delete":
            value = _delete(value, where)
        elif action == "alias":
            # Another scalar of the same document in this place: ids naming themselves,
            # parents naming their children, times copied across.
            scalars = [v for _, v in places if isinstance(v, str | int) and not isinstance(v, bool)]
            if scalars:
                value = _set(value, where, scalars[draw(st.integers(0, len(scalars) - 1))])
        elif isinstance(_get(value, where), str):
            value = _set(value, where, _get(value, where) * draw(st.integers(2, 40)))
    return value


def _get(root: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        root = root[step]
    return root


def _mutate_text(data: bytes, draw: st.DrawFn) -> bytes:
    """Structure-aware mutation of JSON, JSON lines and CSV."""
    text = data.decode("utf-8")
    try:
        return dumps(_mutate_value(orjson.loads(data), draw)).encode()
    except orjson.JSONDecodeError:
        pass
    lines = text.splitlines()
    if not lines:
        return data
    position = draw(st.integers(0, len(lines) - 1))
    try:
        record = orjson.loads(lines[position])
        lines[position] = dumps(_mutate_value(record, draw)).rstrip()
    except orjson.JSONDecodeError:  # CSV: a hostile cell
        cells = lines[position].split(",")
        cells[draw(st.integers(0, len(cells) - 1))] = draw(
            st.sampled_from(["nan", "inf", "-1e999", "=1+1", '"', "", "1e308", "-0"])
        )
        lines[position] = ",".join(cells)
    return "\n".join(lines).encode()


def _duplicate_key(data: bytes, draw: st.DrawFn) -> bytes:
    """A key written twice in one object (the parser keeps the last)."""
    brace = data.find(b"{", draw(st.integers(0, max(0, len(data) - 1))))
    if brace < 0:
        return data
    key = draw(st.sampled_from([b'"id"', b'"parent"', b'"status"', b'"name"', b'"ph"', b'"ts"']))
    value = draw(st.sampled_from([b"null", b"[]", b"{}", b'"x"', b"1e400", b"-1", b"true"]))
    return data[: brace + 1] + key + b":" + value + b"," + data[brace + 1 :]


@st.composite
def hostile_inputs(draw: st.DrawFn) -> bytes:
    """A sample file mutated in one of several ways."""
    data = draw(st.sampled_from(seeds()))
    how = draw(st.sampled_from(["structure", "structure", "structure", "bytes", "cut", "key"]))
    if how == "bytes":
        flipped = bytearray(data)
        for _ in range(draw(st.integers(1, 6))):
            flipped[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
        return bytes(flipped)
    if how == "cut":
        return data[: draw(st.integers(0, len(data)))]
    if how == "key":
        return _duplicate_key(data, draw)
    return _mutate_text(data, draw)


class OverranError(Exception):
    """A case took longer than it may."""


@contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """Raise OverranError when the body runs longer than ``seconds`` (an endless loop, say)."""

    def expire(signum: int, frame: object) -> None:
        raise OverranError(f"took over {seconds}s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def exercise(data: bytes) -> None:
    """Everything a user can ask of a file, headless and in the explorer's pure views."""
    try:
        traces = load_bytes(data, "fuzzed")
    except TraceError:
        return
    summary_json(traces)
    summary_text(traces)
    findings = validate(traces)
    validate_text(traces.source, findings)
    validate_json(traces.source, findings)
    found = collect([traces])
    group(found)
    rank(found, "connection timed out after 30s")
    find_similar_failures([traces], "error timeout", limit=5)
    workflow_stats(run_rows([traces]))
    for to in EXPORT_FORMATS:
        text = render_export(traces, to)
        if to in ("json", "otlp"):
            with suppress(TraceError):
                load_bytes(text.encode(), "exported")
    for trace in traces.traces[:3]:
        diff([trace], trace)
        report = build_report(traces, trace, [trace], traces.traces)
        report_html(report)
        report_markdown(report, "fuzzed")
        model = RowModel(trace)
        rows = model.rows()
        SearchIndex(trace)
        failures(trace)
        axis = TimeAxis.for_trace(trace)
        ruler(axis, 60)
        for row in rows[:50]:
            span = trace.spans[row.span]
            bar(span, axis, 40, [trace.spans[c] for c in span.children])
            flatten(span_detail(trace, row.span))
        flatten(trace_summary(summarize(trace)))


@pytest.mark.skipif(not hasattr(signal, "SIGALRM"), reason="needs SIGALRM for the time limit")
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize="TRACETUI_FUZZ_EXAMPLES" not in os.environ,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(hostile_inputs())
def test_hostile_files_load_or_fail_with_our_own_error(data: bytes) -> None:
    with time_limit(SECONDS_PER_CASE):
        exercise(data)


def test_the_fuzzer_has_every_kind_of_seed() -> None:
    kinds = {Path(p).suffix for p in trace_files(SAMPLES)}
    assert {".json", ".jsonl", ".csv"} <= kinds
    assert len(seeds()) > len(trace_files(SAMPLES))
