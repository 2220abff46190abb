"""The least any pure-Python model of a dagron run costs, beside tracetui's own load.

    python -m bench.python_floor FILE      prints one JSON object (seconds, medians of 3)

In one process, with the collector paused: ``orjson.loads`` of the file (the floor), msgspec
decoding it into typed events alone, and that decoding plus the least a model built in
Python does: one loop over the events that makes one ``Span`` a node, ends it on its
completion and appends each event's time, type, node and attributes to columns; nothing
checked, no steps, no re-runs, no chains of events. Then tracetui's whole load of the same
file. The gap between the last two is what tracetui's checks and bookkeeping cost; the ratio
of the least model to the floor is how near the floor a Python loop over the events can get.
"""

from __future__ import annotations

import gc
import statistics
import sys
import time
from array import array
from pathlib import Path
from typing import Any

import orjson

from tracetui.loaders import load_path
from tracetui.loaders.dagron_typed import decode_piece
from tracetui.model import NODE, Span, Status


def least_model(events: list[Any]) -> list[Span]:
    """One span a node and four columns an event: what no Python model can do without."""
    spans: list[Span] = []
    node_of: dict[str, Span] = {}
    times, codes, owners = array("d"), array("H"), array("i")
    stored: list[Any] = []
    running, ok = Status.RUNNING, Status.OK
    for event in events:
        etype = event.event_type
        if etype == "node_started":
            index = len(spans)
            name = event.node_name
            span = Span(index, name, name, NODE, None, event.timestamp, None, None, running)
            spans.append(span)
            node_of[name] = span
            times.append(event.timestamp)
            codes.append(1)
            owners.append(index)
            stored.append(None)
        elif etype == "node_completed":
            span = node_of[event.node_name]
            span.end = event.timestamp
            span.duration = event.duration
            span.status = ok
            times.append(event.timestamp)
            codes.append(2)
            owners.append(span.index)
            stored.append(event.duration)
        else:
            times.append(event.timestamp)
            codes.append(3)
            owners.append(-1)
            stored.append(None)
    return spans


def _median_seconds(action: Any, repeat: int = 3) -> float:
    runs = []
    for _ in range(repeat):
        begin = time.perf_counter()
        action()
        runs.append(time.perf_counter() - begin)
    return statistics.median(runs)


def measure(path: Path) -> dict[str, float]:
    """The four timings, each a median of three, in this process."""
    data = path.read_bytes()
    gc.disable()
    loads_s = _median_seconds(lambda: orjson.loads(data))
    decode_s = _median_seconds(lambda: decode_piece(data))
    least_s = _median_seconds(lambda: least_model(decode_piece(data)))
    load_s = _median_seconds(lambda: load_path(str(path)))
    return {"loads_s": loads_s, "decode_s": decode_s, "least_s": least_s, "load_s": load_s}


def main() -> None:
    """Measure the file named on the command line; print JSON."""
    sys.stdout.write(orjson.dumps(measure(Path(sys.argv[1]))).decode() + "\n")


if __name__ == "__main__":
    main()
