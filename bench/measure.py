"""One measurement in a fresh process (so peak memory is this run's alone); prints JSON.

python -m bench.measure load FILE      floor, load time, memory, interactions, failures
python -m bench.measure paint FILE     time to first paint and key-to-frame latency
python -m bench.measure follow FILE    key-to-frame while follow mode reloads the file
python -m bench.measure follow-growing FILE
                                       a dagron run appended as JSON lines while followed
"""

from __future__ import annotations

import gc
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

import orjson


def rss_bytes() -> int:
    """Resident memory now (Linux)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def peak_bytes() -> int:
    """Peak resident memory of this process since the last ``reset_peak`` (Linux)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def reset_peak() -> None:
    """Start the peak over, so that it is the load's alone and not the floor's (Linux)."""
    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")
    except OSError:
        pass


def timed(action: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def measure_load(path: Path) -> dict[str, Any]:
    """Floor (read, orjson.loads with the collector paused), then tracetui's own load."""
    from tracetui.analysis.failures import FailureIndex, collect, group
    from tracetui.analysis.signature import DEFAULT_MIN_SCORE
    from tracetui.loaders import load_path
    from tracetui.model import FAILURE_STATUSES
    from tracetui.view.rows import RowModel, SearchIndex, SortKey, failures

    reset_peak()
    read_s, data = timed(path.read_bytes)
    gc.disable()
    begin = time.perf_counter()
    if path.suffix == ".jsonl":  # the floor for JSON lines is one orjson.loads a line
        value = [orjson.loads(line) for line in data.splitlines() if line]
    else:
        value = orjson.loads(data)
    loads_s = time.perf_counter() - begin
    # The floor's memory: the bytes and what orjson.loads made of them, held together.
    loads_peak = peak_bytes()
    gc.enable()
    del value, data
    gc.collect()
    before = rss_bytes()
    reset_peak()
    load_s, traces = timed(lambda: load_path(str(path)))
    load_peak = peak_bytes()
    gc.collect()
    retained = rss_bytes() - before
    gc.freeze()  # as the app does once a file is loaded
    events = sum(max(t.record_count, len(t.events)) for t in traces.traces)
    nodes = sum(1 for t in traces.traces for _ in t.nodes())
    spans = sum(len(t.spans) for t in traces.traces)
    biggest = max(traces.traces, key=lambda t: len(t.spans))
    # The explorer's answers. The first layout is part of the first paint; the other sort
    # orders and the search index are built once, off the UI thread, after it ("prepare").
    rows = RowModel(biggest)
    first_rows_s, _ = timed(lambda: len(rows.rows()))

    def prepare() -> SearchIndex:
        rows.prepare()
        return SearchIndex(biggest)

    def filtered() -> int:
        rows.set_filter(frozenset(FAILURE_STATUSES))
        return len(rows.rows())

    def sorted_rows() -> int:
        rows.set_sort(SortKey.DURATION)
        return len(rows.rows())

    prepare_s, index = timed(prepare)
    search_s, _ = timed(lambda: index.find("n00"))
    filter_s, _ = timed(filtered)
    rows.set_filter(None)
    sort_s, _ = timed(sorted_rows)
    failing = failures(biggest)
    middle = rows.tree_order()[len(rows.rows()) // 2]
    next_s, _ = timed(lambda: rows.next_of(failing, middle, 1))
    collect_s, found = timed(lambda: collect([traces]))
    group_s, families = timed(lambda: group(found))
    index = FailureIndex(found)
    # As the failures view and ``failures --similar`` rank: scores under the default left out.
    rank_s, _ = timed(lambda: index.rank("timeout after 3000ms on 10.0.0.1", DEFAULT_MIN_SCORE))
    return {
        "bytes": path.stat().st_size,
        "read_s": read_s,
        "loads_s": loads_s,
        "load_s": load_s,
        "peak_bytes": load_peak,
        "loads_peak_bytes": loads_peak,
        "retained_bytes": retained,
        "events": events,
        "nodes": nodes,
        "spans": spans,
        "rows_s": first_rows_s,
        "search_s": search_s,
        "filter_s": filter_s,
        "sort_s": sort_s,
        "prepare_s": prepare_s,
        "next_failure_s": next_s,
        "failures": len(found),
        "families": len(families),
        "signatures": len({f.signature for f in found}),
        "collect_s": collect_s,
        "group_s": group_s,
        "rank_s": rank_s,
    }


def measure_failures(path: Path) -> dict[str, Any]:
    """Collecting, grouping and ranking every failure of a file (after loading it)."""
    import statistics

    from tracetui.analysis.failures import FailureIndex, collect, group
    from tracetui.analysis.signature import DEFAULT_MIN_SCORE
    from tracetui.loaders import load_path

    traces = load_path(str(path))
    gc.freeze()  # as the app does once a file is loaded
    collect_s, found = timed(lambda: collect([traces]))
    group_s, families = timed(lambda: group(found))
    queries = [
        "timeout after 3000ms on 10.0.0.1",
        "KeyError: 'user_id'",
        "disk quota exceeded",
        "connection refused",
        "HTTP 503 from api",
    ]
    # As the failures view does: the index once, then a ranking per query typed.
    index_s, index = timed(lambda: FailureIndex(found))
    ranks = [timed(lambda q=q: index.rank(q, DEFAULT_MIN_SCORE))[0] for q in queries]
    # Every failure that shares a word with the query, scored and listed: the worst case.
    ranks_all = [timed(lambda q=q: index.rank(q))[0] for q in queries]
    return {
        "failures": len(found),
        "signatures": len({f.signature for f in found}),
        "families": len(families),
        "collect_s": collect_s,
        "group_s": group_s,
        "index_s": index_s,
        "rank_s": statistics.median(ranks),
        "rank_all_s": statistics.median(ranks_all),
    }


def measure_paint(path: Path, started: float) -> dict[str, Any]:
    """Seconds from process start to the explorer's first frame, then key-to-frame latency."""
    from tracetui.app.app import TraceApp
    from tracetui.inputs.start import start_for

    # As `tracetui open` does: a large file paints a preview, then loads in the background.
    app = TraceApp(start_for([str(path)]))
    result: dict[str, Any] = {}

    async def drive(pilot: Any) -> None:
        await pilot.pause()
        result["first_paint_s"] = time.time() - started
        from tracetui.app.explorer import ExplorerScreen

        previewing = isinstance(app.screen, ExplorerScreen) and app.screen.loading_label
        if previewing or type(app.screen).__name__ == "LoadingScreen":
            await app.workers.wait_for_complete()
            await pilot.pause()
        result["fully_loaded_s"] = time.time() - started
        # Key to frame: the key's action plus drawing every visible line of the list, which is
        # the work a frame costs (Pilot's own waits would swamp it).
        from tracetui.app.line_list import LineList
        from tracetui.app.span_list import SpanList

        # The explorer's span list, or the runs list for a file of many runs.
        for _ in range(200):  # a screen pushed by the loader may still be composing
            found = app.screen.query(LineList)
            if found:
                break
            await pilot.pause(0.01)
        spans = app.screen.query(LineList).first()
        actions = (
            [spans.action_cursor_down] * 20
            + [spans.action_page_down] * 5
            + [spans.action_cursor_last, spans.action_cursor_first]
        )
        if isinstance(spans, SpanList):
            actions += [spans.action_next_failure] * 5
        latencies = []
        for action in actions:
            begin = time.perf_counter()
            action()
            for y in range(spans.size.height):
                spans.render_line(y)
            latencies.append(time.perf_counter() - begin)
        latencies.sort()
        result["key_median_s"] = latencies[len(latencies) // 2]
        result["key_max_s"] = latencies[-1]
        app.exit()

    app.run(headless=True, size=(120, 40), auto_pilot=drive)
    return result


async def keys_until_update(screen: Any, spans: Any, updates: int, begin: float) -> list[float]:
    """Press a key every 20 ms, as a person would, until the explorer shows a new version
    (or a minute has gone); each key is timed from queued on the event loop to its rows
    drawn."""
    import asyncio

    loop = asyncio.get_running_loop()
    latencies: list[float] = []
    while screen.updates == updates and time.perf_counter() - begin < 60:
        queued = time.perf_counter()
        done: asyncio.Future[float] = loop.create_future()

        def key(done: asyncio.Future[float] = done, queued: float = queued) -> None:
            spans.action_cursor_down()
            for y in range(spans.size.height):
                spans.render_line(y)
            done.set_result(time.perf_counter() - queued)

        loop.call_soon(key)
        latencies.append(await done)
        await asyncio.sleep(0.02)
    return latencies


def measure_follow(path: Path) -> dict[str, Any]:
    """Key to frame while follow mode reloads the file: the file is touched, and while the
    reload runs (in a worker), keys are pressed as a person would, every 20 ms. Each is timed
    from the moment it is queued on the event loop to its row drawn."""

    from tracetui.app.app import TraceApp
    from tracetui.app.span_list import SpanList
    from tracetui.inputs.start import Explore
    from tracetui.loaders import load_path

    app = TraceApp(Explore(load_path(str(path)), follow=str(path)))
    result: dict[str, Any] = {}

    async def drive(pilot: Any) -> None:
        await pilot.pause()
        spans = app.screen.query_one(SpanList)
        screen: Any = app.screen
        updates = screen.updates
        os.utime(path)  # as a producer writing more would
        begin = time.perf_counter()
        screen.check_file()  # what the follow timer does on its next tick
        latencies = await keys_until_update(screen, spans, updates, begin)
        result["reload_s"] = time.perf_counter() - begin
        latencies.sort()
        result["keys_during_reload"] = len(latencies)
        result["reload_key_median_s"] = latencies[len(latencies) // 2] if latencies else None
        result["reload_key_max_s"] = latencies[-1] if latencies else None
        app.exit()

    app.run(headless=True, size=(120, 40), auto_pilot=drive)
    return result


def measure_follow_growing(path: Path, appends: int = 10) -> dict[str, Any]:
    """A dagron run written as JSON lines, followed while it grows: half of its events are
    on disk when the app opens, the rest is appended in ``appends`` writes. After each, the
    reload runs (in a worker) while keys are pressed every 20 ms; each key is timed from
    queued to its rows drawn. Also how many bytes follow mode parsed, against what a reader
    starting over each time would have parsed."""
    import tempfile

    from tracetui.app.app import TraceApp
    from tracetui.app.span_list import SpanList
    from tracetui.inputs.start import Explore
    from tracetui.loaders import load_path

    events = orjson.loads(path.read_bytes())
    lines = [orjson.dumps(event) + b"\n" for event in events]
    half = len(lines) // 2
    chunk = -(-(len(lines) - half) // appends)
    live = Path(tempfile.mkdtemp(prefix="tracetui-follow-")) / "live.events.jsonl"
    live.write_bytes(b"".join(lines[:half]))
    app = TraceApp(Explore(load_path(str(live)), follow=str(live)))
    result: dict[str, Any] = {"events": len(lines), "appends": appends}

    async def drive(pilot: Any) -> None:
        await pilot.pause()
        spans = app.screen.query_one(SpanList)
        screen: Any = app.screen
        latencies: list[float] = []
        reloads: list[float] = []
        whole_reads = 0
        for start in range(half, len(lines), chunk):
            with live.open("ab") as out:
                out.write(b"".join(lines[start : start + chunk]))
            whole_reads += live.stat().st_size
            updates = screen.updates
            begin = time.perf_counter()
            screen.check_file()
            latencies += await keys_until_update(screen, spans, updates, begin)
            reloads.append(time.perf_counter() - begin)
        latencies.sort()
        reloads.sort()
        followed = screen.followed
        result["reload_median_s"] = reloads[len(reloads) // 2]
        result["reload_max_s"] = reloads[-1]
        result["key_median_s"] = latencies[len(latencies) // 2] if latencies else None
        result["key_max_s"] = latencies[-1] if latencies else None
        result["keys"] = len(latencies)
        # The first reload reads the file whole (it was opened before follow mode kept
        # state); every later one parses only what was appended.
        result["bytes_parsed"] = followed.bytes_parsed if followed is not None else None
        result["bytes_if_reread"] = whole_reads
        result["nodes_shown"] = sum(1 for _ in screen.trace.nodes())
        app.exit()

    app.run(headless=True, size=(120, 40), auto_pilot=drive)
    return result


def main() -> None:
    """``load FILE``, ``failures FILE``, ``paint FILE`` or ``follow FILE``; prints one JSON
    object."""
    started = float(os.environ.get("BENCH_T0", time.time()))
    mode, path = sys.argv[1], Path(sys.argv[2])
    if mode == "load":
        result = measure_load(path)
    elif mode == "failures":
        result = measure_failures(path)
    elif mode == "follow":
        result = measure_follow(path)
    elif mode == "follow-growing":
        result = measure_follow_growing(path)
    else:
        result = measure_paint(path, started)
    sys.stdout.write(orjson.dumps(result).decode() + "\n")


if __name__ == "__main__":
    main()
