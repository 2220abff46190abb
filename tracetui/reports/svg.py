"""Charts of a run as SVG text (no scripts, every value escaped): the timeline (Gantt) of its
nodes, the largest changes against a baseline, and the workflow's duration trend."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from html import escape

from tracetui.analysis.diff import Pair
from tracetui.analysis.report import TrendPoint
from tracetui.display import GLYPH, WORD, nice_step, seconds, timestamp
from tracetui.loaders.base import worst_status
from tracetui.model import STEP, Span, Status, Trace
from tracetui.reports.html import COLOURS
from tracetui.text import safe, shorten

FONT = "font-family:system-ui,sans-serif;font-size:11px"
LANE = 16  # pixels a lane takes
BAR = 12  # a bar's height within it
MAX_LANES = 120  # beyond this, the rest of the nodes are drawn as one band of counts
# Seconds to a horizontal pixel position.
Scale = Callable[[float], float]


def _e(value: object) -> str:
    """Text for SVG: escaped, control and format characters shown as stand-ins."""
    return escape(safe(str(value)), quote=True)


def _ticks(start: float, end: float, width: float, left: float) -> list[str]:
    """Tick marks and labels along the top of a time axis."""
    span = max(end - start, 1e-9)
    step = nice_step(span / max(2, int(width // 90)))
    parts = []
    tick = math.ceil(start / step) * step
    while tick <= end + step * 1e-9:
        x = left + (tick - start) / span * width
        # Labels stay whole: the ones at either edge lean inwards.
        anchor = "start" if x < left + 20 else "end" if x > left + width - 20 else "middle"
        parts.append(
            f'<line x1="{x:.1f}" y1="14" x2="{x:.1f}" y2="20" stroke="#999"/>'
            f'<text x="{x:.1f}" y="11" text-anchor="{anchor}" style="{FONT}" fill="#555">'
            f"{_e(seconds(round(tick / step) * step if abs(tick) > step * 1e-6 else 0.0))}</text>"
        )
        tick += step
    return parts


def _lanes(spans: list[Span]) -> list[list[Span]]:
    """Spans placed on lanes so that none overlap on a lane (first lane free at its start)."""
    lanes: list[list[Span]] = []
    ends: list[float] = []
    for span in sorted(spans, key=lambda s: (_start(s), -_end(s), s.index)):
        start = _start(span)
        for position, end in enumerate(ends):
            if end <= start:
                lanes[position].append(span)
                ends[position] = max(_end(span), start)
                break
        else:
            lanes.append([span])
            ends.append(max(_end(span), start))
    return lanes


def _start(span: Span) -> float:
    if span.start is not None:
        return span.start
    return span.end if span.end is not None else 0.0


def _end(span: Span) -> float:
    if span.end is not None:
        return span.end
    return _start(span)


def timeline_svg(trace: Trace, critical: Iterable[int] = (), width: int = 960) -> str:
    """The run as a Gantt chart: one bar per timed node on one time axis, concurrent nodes in
    lanes; failures and timeouts marked by colour and glyph; the critical path outlined;
    zero-time nodes as diamonds; dagron steps as bands. Bars thinner than a pixel next to
    each other on a lane are drawn as one, and lanes past ``MAX_LANES`` as one band."""
    on_path = set(critical)
    nodes = [s for s in trace.nodes() if s.start is not None or s.end is not None]
    extent = trace.extent() or (0.0, 0.0)
    start = min(0.0, extent[0])
    end = max(extent[1], start + 1e-9)
    span = end - start
    plot = float(width - 20)
    left = 10.0

    def x(at: float) -> float:
        return left + (at - start) / span * plot

    lanes = _lanes(nodes)
    shown, rest = lanes[:MAX_LANES], lanes[MAX_LANES:]
    top = 26
    height = top + LANE * (len(shown) + (1 if rest else 0)) + 24
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="timeline of {_e(trace.label)}">',
        f"<title>{_e(trace.label)}: {len(nodes)} nodes on one time axis</title>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#fff"/>',
    ]
    parts += _ticks(start, end, plot, left)
    for step in (s for s in trace.spans if s.kind == STEP and s.start is not None):
        x0, x1 = x(_start(step)), x(_end(step))
        parts.append(
            f'<rect class="step" x="{x0:.2f}" y="{top - 4}" width="{max(1.0, x1 - x0):.2f}" '
            f'height="{height - top - 16}" fill="#eef2f7" stroke="#d5dde8">'
            f"<title>{_e(step.name)}: {_e(WORD[step.status])}</title></rect>"
        )
    for number, lane in enumerate(shown):
        y = top + number * LANE
        parts += _lane_bars(lane, y, x, on_path)
    if rest:
        y = top + len(shown) * LANE
        others = [s for lane in rest for s in lane]
        parts += _band(others, y, x, left)
    parts.append(
        f'<text x="{left}" y="{height - 6}" style="{FONT}" fill="#555">'
        f"{_e(seconds(span))} · {len(nodes)} nodes in {len(lanes)} lanes"
        f"{' (the critical path outlined)' if on_path else ''}</text></svg>"
    )
    return "".join(parts)


def _lane_bars(lane: list[Span], y: float, x: Scale, on_path: set[int]) -> list[str]:
    """The bars of one lane; runs of bars thinner than a pixel become one bar of counts."""
    parts: list[str] = []
    pending: list[Span] = []

    def flush() -> None:
        if not pending:
            return
        x0, x1 = x(_start(pending[0])), x(_end(pending[-1]))
        worst = _worst(pending)
        parts.append(
            f'<rect class="bar many {worst.value}" x="{x0:.2f}" y="{y:.1f}" '
            f'width="{max(1.0, x1 - x0):.2f}" height="{BAR}" fill="{COLOURS[worst]}" '
            f'opacity="0.7" data-count="{len(pending)}"><title>{len(pending)} nodes, '
            f"{_e(seconds(_end(pending[-1]) - _start(pending[0])))}</title></rect>"
        )
        pending.clear()

    for span in lane:
        x0, x1 = x(_start(span)), x(_end(span))
        if _end(span) == _start(span):
            flush()
            parts.append(_diamond(span, x0, y))
            continue
        if x1 - x0 < 1.0 and span.index not in on_path:
            pending.append(span)
            continue
        flush()
        parts.append(_bar(span, x0, x1, y, span.index in on_path))
    flush()
    return parts


def _bar(span: Span, x0: float, x1: float, y: float, critical: bool) -> str:
    colour = COLOURS[span.status]
    outline = ' stroke="#111" stroke-width="2"' if critical else ""
    classes = f"bar {span.status.value}" + (" critical" if critical else "")
    detail = f"{span.name}: {WORD[span.status]}, {seconds(span.elapsed)}"
    if span.error:
        detail += f"\n{span.first_error_line or ''}"
    bar = (
        f'<rect class="{classes}" x="{x0:.2f}" y="{y:.1f}" width="{max(1.0, x1 - x0):.2f}" '
        f'height="{BAR}" fill="{colour}"{outline} data-node="{_e(span.name)}" '
        f'data-start="{_start(span):.9g}" data-end="{_end(span):.9g}" '
        f'data-status="{span.status.value}"><title>{_e(detail)}</title></rect>'
    )
    if span.status in (Status.FAILED, Status.TIMED_OUT, Status.CANCELLED):
        # The glyph says it without colour (and in print).
        bar += (
            f'<text class="glyph" x="{x0 + 2:.2f}" y="{y + BAR - 2:.1f}" '
            f'style="{FONT};font-weight:bold" fill="#fff" stroke="{colour}" stroke-width="0.5">'
            f"{_e(GLYPH[span.status])}</text>"
        )
    if x1 - x0 > 60:
        bar += (
            f'<text x="{x0 + 14:.2f}" y="{y + BAR - 2:.1f}" style="{FONT}" fill="#fff">'
            f"{_e(shorten(span.name, int((x1 - x0 - 16) // 6)))}</text>"
        )
    return bar


def _diamond(span: Span, at: float, y: float) -> str:
    half = BAR / 2
    points = f"{at:.2f},{y:.1f} {at + half:.2f},{y + half:.1f} {at:.2f},{y + BAR:.1f} "
    points += f"{at - half:.2f},{y + half:.1f}"
    return (
        f'<polygon class="mark {span.status.value}" points="{points}" '
        f'fill="{COLOURS[span.status]}" data-node="{_e(span.name)}" '
        f'data-start="{_start(span):.9g}" data-end="{_end(span):.9g}" '
        f'data-status="{span.status.value}"><title>{_e(span.name)}: '
        f"{_e(WORD[span.status])} (no time spent)</title></polygon>"
    )


def _worst(spans: list[Span]) -> Status:
    """The status a group of bars drawn as one shows: its worst (failures first)."""
    return worst_status((s.status for s in spans), spans[0].status)


def _band(spans: list[Span], y: float, x: Scale, left: float) -> list[str]:
    """Nodes beyond the lanes shown: one band, a rect per pixel column they occupy."""
    columns: dict[int, list[Span]] = {}
    for span in spans:
        for column in range(int(x(_start(span))), int(x(_end(span))) + 1):
            columns.setdefault(column, []).append(span)
    parts = [
        f'<text x="{left}" y="{y + BAR - 2:.1f}" style="{FONT}" fill="#555">'
        f"+{len(spans)} more nodes</text>"
    ]
    for column, here in sorted(columns.items()):
        worst = _worst(here)
        parts.append(
            f'<rect class="band {worst.value}" x="{column}" y="{y:.1f}" width="1" '
            f'height="{BAR}" fill="{COLOURS[worst]}" opacity="0.6"/>'
        )
    return parts


def changes_svg(pairs: list[Pair], width: int = 640) -> str:
    """The largest duration changes: baseline (grey) over current (coloured), one row each."""
    row = 30
    name_room = 200
    plot = width - name_room - 90
    scale = max(
        (v for p in pairs for v in (p.seconds_before, p.seconds_after) if v is not None),
        default=1e-9,
    )
    height = 10 + row * len(pairs) + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="changes" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        'aria-label="largest changes against the baseline">',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#fff"/>',
    ]
    for number, pair in enumerate(pairs):
        y = 10 + number * row
        before = (pair.seconds_before or 0.0) / scale * plot
        after = (pair.seconds_after or 0.0) / scale * plot
        status = pair.status_after or pair.status_before or Status.UNKNOWN
        delta = pair.delta or 0.0
        parts.append(
            f'<text x="0" y="{y + 15}" style="{FONT}" fill="#222">'
            f"{_e(shorten(pair.path, 32))}</text>"
            f'<rect class="before" x="{name_room}" y="{y}" width="{max(1.0, before):.1f}" '
            f'height="9" fill="#bbb"><title>baseline {_e(seconds(pair.seconds_before))}'
            "</title></rect>"
            f'<rect class="after {status.value}" x="{name_room}" y="{y + 11}" '
            f'width="{max(1.0, after):.1f}" height="9" fill="{COLOURS[status]}">'
            f"<title>current {_e(seconds(pair.seconds_after))}</title></rect>"
            f'<text x="{name_room + plot + 6}" y="{y + 15}" style="{FONT}" '
            f'fill="{"#b00" if delta > 0 else "#070"}">'
            f"{'+' if delta > 0 else ''}{_e(seconds(delta))}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def trend_svg(points: list[TrendPoint], p50: float | None, p95: float | None) -> str:
    """Durations of the workflow's recent runs, oldest to newest, with the P50 to P95 band;
    this run marked."""
    width, height, pad = 640, 180, 36
    top = max([p.duration for p in points] + [p95 or 0.0, 1e-9]) * 1.1
    count = max(1, len(points) - 1)

    def y(value: float) -> float:
        return height - pad - value / top * (height - 2 * pad)

    def x(position: int) -> float:
        return pad + position / count * (width - 2 * pad)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="trend" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        'aria-label="duration of recent runs">',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#fff"/>',
    ]
    if p50 is not None and p95 is not None:
        parts.append(
            f'<rect class="band" x="{pad}" y="{y(p95):.1f}" width="{width - 2 * pad}" '
            f'height="{max(1.0, y(p50) - y(p95)):.1f}" fill="#e8eef8">'
            f"<title>P50 {_e(seconds(p50))} to P95 {_e(seconds(p95))}</title></rect>"
        )
        for label, value in (("P50", p50), ("P95", p95)):
            parts.append(
                f'<text x="{width - pad + 2}" y="{y(value) + 4:.1f}" style="{FONT}" '
                f'fill="#555">{label}</text>'
            )
    line = " ".join(f"{x(i):.1f},{y(p.duration):.1f}" for i, p in enumerate(points))
    parts.append(f'<polyline points="{line}" fill="none" stroke="#888" stroke-width="1.5"/>')
    for i, point in enumerate(points):
        radius = 6 if point.current else 3
        colour = "#1d4ed8" if point.current else COLOURS[point.status]
        parts.append(
            f'<circle class="run{" current" if point.current else ""}" cx="{x(i):.1f}" '
            f'cy="{y(point.duration):.1f}" r="{radius}" fill="{colour}">'
            f"<title>{_e(timestamp(point.started_at))}: {_e(seconds(point.duration))}, "
            f"{_e(WORD[point.status])}{' (this run)' if point.current else ''}</title></circle>"
        )
    parts.append(
        f'<text x="{pad}" y="{height - 10}" style="{FONT}" fill="#555">oldest</text>'
        f'<text x="{width - pad}" y="{height - 10}" text-anchor="end" style="{FONT}" '
        f'fill="#555">newest</text><text x="4" y="{pad - 10}" style="{FONT}" fill="#555">'
        f"{_e(seconds(top))}</text></svg>"
    )
    return "".join(parts)
