"""``tracetui report``: the incident report's content, its SVG charts, and what a real browser
draws of the HTML."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import orjson
import pytest

from tests.cli_helpers import run
from tests.helpers import SAMPLES, sample
from tracetui.analysis.report import build_report
from tracetui.loaders import load_path
from tracetui.model import FAILURE_STATUSES
from tracetui.reports.incident import report_html, report_markdown
from tracetui.reports.svg import MAX_LANES, timeline_svg

SVG = "{http://www.w3.org/2000/svg}"
ETL_FAIL = sample("dagron/etl_fail.events.json")


def bars(svg: str) -> list[ElementTree.Element]:
    root = ElementTree.fromstring(svg)
    return [e for e in root.iter() if e.get("data-node") is not None]


def test_the_timeline_has_one_mark_per_node_in_time_order_with_failures_marked() -> None:
    traces = load_path(ETL_FAIL)
    (trace,) = traces.traces
    report = build_report(traces, trace)
    svg = timeline_svg(trace, report.critical.spans)
    drawn = bars(svg)
    assert sorted(e.get("data-node") or "" for e in drawn) == sorted(s.name for s in trace.nodes())
    # Left to right as in time.
    by_start = sorted(drawn, key=lambda e: float(e.get("data-start") or 0))
    xs = [float(e.get("x") or (e.get("points") or "0").split(",")[0]) for e in by_start]
    assert xs == sorted(xs)
    failed = [e for e in drawn if e.get("data-status") in {s.value for s in FAILURE_STATUSES}]
    assert failed and all("failed" in (e.get("class") or "") for e in failed)
    assert "\u2717" in svg  # the glyph, readable without colour
    critical = [e for e in drawn if "critical" in (e.get("class") or "")]
    assert {e.get("data-node") for e in critical} == {
        trace.spans[i].name for i in report.critical.spans
    }
    assert "<script" not in svg
    zero = [e for e in drawn if e.tag == f"{SVG}polygon"]  # skipped nodes took no time
    assert {e.get("data-node") for e in zero} == {"transform", "load"}


def test_thousands_of_nodes_stay_drawable(tmp_path: Path) -> None:
    import random

    from bench.generate import write_dagron

    path = tmp_path / "wide.events.json"
    write_dagron(path, 5000, random.Random(3))
    traces = load_path(str(path))
    svg = timeline_svg(traces.traces[0])
    root = ElementTree.fromstring(svg)
    assert len(svg) < 3_000_000
    height = int(root.get("height") or 0)
    assert height <= 26 + 16 * (MAX_LANES + 1) + 24
    assert "more nodes" in svg or len(bars(svg)) == 5000 or 'class="bar many' in svg


def test_the_report_answers_in_order(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = run(
        "report",
        ETL_FAIL,
        "--baseline",
        sample("dagron/etl_ok.events.json"),
        "--history",
        str(SAMPLES / "dagron"),
        "-o",
        str(out),
    )
    assert result.code == 0, result.err
    page = out.read_text()
    headings = re.findall(r"<h2>(.*?)</h2>", page)
    assert headings == [
        "What happened",
        "The run",
        "What failed, and has it happened before",
        "What changed",
        "The trend",
    ]
    assert "missing column &#x27;id&#x27;" in page
    assert "Did not run to the end in the steps after it: transform (skipped)" in page
    assert "<script" not in page.lower()
    assert "last 10 runs" in page  # the run itself and its Chrome export are not history


def test_markdown_writes_its_charts_beside_it(tmp_path: Path) -> None:
    out = tmp_path / "incident.md"
    result = run(
        "report",
        sample("cfn/execution_traces.rows.psql.jsonl"),
        "--run",
        "2",
        "--history",
        sample("cfn/execution_traces.rows.psql.jsonl"),
        "-o",
        str(out),
    )
    assert result.code == 0, result.err
    text = out.read_text()
    assert "![timeline of redis-coordination](incident-timeline.svg)" in text
    for name in ("incident-timeline.svg", "incident-trend.svg"):
        ElementTree.fromstring((tmp_path / name).read_text())


def test_every_value_is_escaped() -> None:
    traces = load_path(ETL_FAIL)
    trace = traces.traces[0]
    trace.spans[0].name = "<script>alert(1)</script>\x1b[2J"
    trace.spans[-1].error = "<img src=x onerror=alert(1)>"
    page = report_html(build_report(traces, trace))
    assert "<script>" not in page and "<img" not in page and "\x1b" not in page
    text, pictures = report_markdown(build_report(traces, trace), "r")
    assert "\x1b" not in text and all("<script>" not in svg for svg in pictures.values())


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PROBE = """<!doctype html><html><body>
<iframe id="report" src="report.html" style="width:1200px;height:3000px"></iframe>
<pre id="out"></pre>
<script>
document.getElementById("report").addEventListener("load", function () {
  var page = this.contentDocument;
  var found = [];
  page.querySelectorAll("[data-node]").forEach(function (e) {
    var box = e.getBoundingClientRect();
    found.push({node: e.getAttribute("data-node"), start: +e.getAttribute("data-start"),
                x: box.left, width: box.width, height: box.height,
                status: e.getAttribute("data-status"), cls: e.getAttribute("class"),
                stroke: getComputedStyle(e).stroke, fill: getComputedStyle(e).fill});
  });
  var scripts = page.querySelectorAll("script").length;
  document.getElementById("out").textContent = JSON.stringify({marks: found, scripts: scripts,
    title: page.title});
});
</script></body></html>"""


@pytest.mark.skipif(CHROMIUM is None, reason="needs chromium (.ci/run installs it)")
def test_a_real_browser_draws_the_report(tmp_path: Path) -> None:
    """Rendered by headless Chromium: one mark per node, left to right in time order, failed
    bars red, the critical path outlined, and no script in the report."""
    out = tmp_path / "report.html"
    assert run("report", ETL_FAIL, "-o", str(out)).code == 0
    (tmp_path / "probe.html").write_text(PROBE)
    assert CHROMIUM is not None
    done = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--allow-file-access-from-files",
            "--virtual-time-budget=5000",
            "--dump-dom",
            (tmp_path / "probe.html").as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    found = re.search(r'<pre id="out">(.*?)</pre>', done.stdout, re.S)
    assert found and found.group(1), done.stderr[-2000:]
    drawn = orjson.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    assert drawn["scripts"] == 0
    (trace,) = load_path(ETL_FAIL).traces
    marks = drawn["marks"]
    assert sorted(m["node"] for m in marks) == sorted(s.name for s in trace.nodes())
    assert all(m["width"] > 0 and m["height"] > 0 for m in marks)
    in_time = sorted(marks, key=lambda m: m["start"])
    assert [m["x"] for m in in_time] == sorted(m["x"] for m in in_time)
    failed = next(m for m in marks if m["status"] == "failed")
    assert failed["fill"] == "rgb(214, 69, 69)"
    outlined = [m for m in marks if "critical" in (m["cls"] or "")]
    assert outlined and all(m["stroke"] == "rgb(17, 17, 17)" for m in outlined)


async def test_the_explorer_writes_the_report_of_the_run_on_screen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tracetui.app.app import TraceApp
    from tracetui.inputs.start import Explore

    monkeypatch.chdir(tmp_path)
    app = TraceApp(Explore(load_path(ETL_FAIL)))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("R")
        await pilot.pause()
    written = list(tmp_path.glob("tracetui-report-*.html"))
    assert len(written) == 1 and "What happened" in written[0].read_text()
