"""Follow mode: a test appends to a trace in steps and checks the view after each."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import orjson
from textual.pilot import Pilot

from tests.helpers import SAMPLES
from tracetui.app.app import TraceApp
from tracetui.app.explorer import ExplorerScreen
from tracetui.app.span_list import SpanList
from tracetui.inputs.follow import FileChange, FileWatcher, FollowedFile
from tracetui.inputs.start import Explore
from tracetui.loaders import load_path
from tracetui.model import Status, TraceSet
from tracetui.reports.model_json import traceset_dict


def line(event: dict[str, object]) -> bytes:
    return orjson.dumps(event) + b"\n"


START = [
    {"event_type": "execution_started", "timestamp": 0.0},
    {"event_type": "step_started", "timestamp": 0.01, "step_index": 0},
    {"event_type": "node_started", "timestamp": 0.02, "node_name": "extract"},
]


@asynccontextmanager
async def following(path: Path) -> AsyncIterator[tuple[Pilot[int], ExplorerScreen, SpanList]]:
    """The explorer following ``path``, at 110x30: its pilot, screen and span list."""
    app = TraceApp(Explore(load_path(str(path)), follow=str(path)))
    async with app.run_test(size=(110, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, ExplorerScreen)
        yield pilot, screen, screen.query_one(SpanList)


async def reload(pilot: Pilot[int], screen: ExplorerScreen) -> None:
    """What the follow timer does on its next tick, waited for until it is shown."""
    screen.check_file()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def statuses(screen: ExplorerScreen) -> dict[str, Status]:
    return {s.name: s.status for s in screen.trace.nodes()}


def test_watcher_tells_growth_truncation_and_replacement(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_bytes(b"a")
    watcher = FileWatcher(str(path))
    assert watcher.check() is None
    with path.open("ab") as out:
        out.write(b"bc")
    assert watcher.check() is FileChange.GROWN
    path.write_bytes(b"x")
    assert watcher.check() is FileChange.TRUNCATED
    other = tmp_path / "new.jsonl"
    other.write_bytes(b"yyyy")
    os.replace(other, path)
    assert watcher.check() is FileChange.REPLACED
    path.unlink()
    assert watcher.check() is FileChange.GONE


async def test_follow_a_jsonl_trace_as_it_is_written(tmp_path: Path) -> None:
    path = tmp_path / "live.events.jsonl"
    path.write_bytes(b"".join(line(e) for e in START))
    async with following(path) as (pilot, screen, spans):
        assert statuses(screen) == {"extract": Status.RUNNING}
        assert "LIVE" in str(screen.query_one("#title").render())
        await pilot.press("j")  # select extract (under step 0)
        assert spans.trace.spans[spans.selected_span or 0].name == "extract"

        # Step 1: extract completes, transform starts.
        with path.open("ab") as out:
            out.write(
                line(
                    {
                        "event_type": "node_completed",
                        "timestamp": 0.5,
                        "node_name": "extract",
                        "duration": 0.45,
                    }
                )
            )
            out.write(
                line({"event_type": "node_started", "timestamp": 0.51, "node_name": "transform"})
            )
        await reload(pilot, screen)
        assert statuses(screen) == {"extract": Status.OK, "transform": Status.RUNNING}
        assert spans.trace.spans[spans.selected_span or 0].name == "extract"  # selection kept
        assert screen.updates == 1

        # Step 2: a half-written record waits for the rest.
        half = line(
            {
                "event_type": "node_failed",
                "timestamp": 0.9,
                "node_name": "transform",
                "duration": 0.3,
                "error": "bad row 17",
            }
        )
        with path.open("ab") as out:
            out.write(half[:25])
        await reload(pilot, screen)
        assert statuses(screen)["transform"] is Status.RUNNING
        assert any("incomplete last record" in w for w in screen.trace.warnings)

        # Step 3: the rest of the record arrives.
        with path.open("ab") as out:
            out.write(half[25:])
        await reload(pilot, screen)
        assert statuses(screen)["transform"] is Status.FAILED
        assert not any("incomplete" in w for w in screen.trace.warnings)
        await pilot.press("right_square_bracket")
        assert spans.trace.spans[spans.selected_span or 0].error == "bad row 17"

        # Step 4: the file is truncated (the producer started over).
        path.write_bytes(b"".join(line(e) for e in START[:2]))
        await reload(pilot, screen)
        assert statuses(screen) == {}
        assert screen.trace.status is Status.RUNNING

        # Step 5: the file is replaced by a finished run.
        finished = tmp_path / "next.jsonl"
        events = orjson.loads((SAMPLES / "dagron/etl_ok.events.json").read_bytes())
        finished.write_bytes(b"".join(line(e) for e in events))
        os.replace(finished, path)
        await reload(pilot, screen)
        assert set(statuses(screen).values()) == {Status.OK}
        assert screen.trace.status.value == "ok"  # after the reload


async def test_follow_keeps_filter_and_folds(tmp_path: Path) -> None:
    path = tmp_path / "live.events.json"
    events = orjson.loads((SAMPLES / "dagron/etl_fail.events.json").read_bytes())
    path.write_bytes(orjson.dumps(events[:12], option=orjson.OPT_INDENT_2))
    async with following(path) as (pilot, screen, spans):
        await pilot.press("f")
        await pilot.pause()
        await pilot.press("down", "enter")  # failures only
        await pilot.pause()
        before = len(spans.rows)
        # A pretty JSON array still being written: its closing bracket is not there yet.
        text = orjson.dumps(events, option=orjson.OPT_INDENT_2)
        path.write_bytes(text[: text.rindex(b"}") + 1])
        await reload(pilot, screen)
        assert spans.model.status_filter is not None
        assert len(spans.rows) == before
        assert {s.name: s.status for s in screen.trace.nodes()}["load"] is Status.SKIPPED


def same_run(left: TraceSet, right: TraceSet) -> None:
    """Two loads of one file give the same runs, spans and warnings."""
    assert [t.status for t in left.traces] == [t.status for t in right.traces]
    for a, b in zip(left.traces, right.traces, strict=True):
        assert [(s.key, s.status, s.start, s.end, s.error) for s in a.spans] == [
            (s.key, s.status, s.start, s.end, s.error) for s in b.spans
        ]
        assert a.warnings == b.warnings


def test_a_growing_jsonl_file_is_parsed_from_where_the_last_read_ended(tmp_path: Path) -> None:
    events = orjson.loads((SAMPLES / "dagron/etl_fail.events.json").read_bytes())
    path = tmp_path / "live.jsonl"
    path.write_bytes(b"".join(line(e) for e in events[:5]))
    followed = FollowedFile(str(path))
    first = followed.load(None)
    assert followed.bytes_parsed == path.stat().st_size
    for cut in range(6, len(events) + 1, 3):
        before = path.stat().st_size
        with path.open("ab") as out:
            out.write(b"".join(line(e) for e in events[cut - 3 : cut]))
        parsed = followed.bytes_parsed
        grown = followed.load(FileChange.GROWN)
        assert followed.bytes_parsed - parsed == path.stat().st_size - before  # only the new
        same_run(grown, load_path(str(path)))
    assert first.traces[0].status is Status.RUNNING


def test_a_record_cut_mid_write_waits_and_bad_lines_stay_said(tmp_path: Path) -> None:
    path = tmp_path / "live.jsonl"
    path.write_bytes(b"".join(line(e) for e in START) + b"{not json}\n")
    followed = FollowedFile(str(path))
    assert any("line 4: not valid JSON" in w for w in followed.load(None).warnings)
    record = line({"event_type": "node_completed", "timestamp": 0.5, "node_name": "extract"})
    with path.open("ab") as out:
        out.write(record[:20])
    waiting = followed.load(FileChange.GROWN)
    assert any("line 5: incomplete last record" in w for w in waiting.traces[0].warnings)
    assert any("line 4: not valid JSON" in w for w in waiting.warnings)
    with path.open("ab") as out:
        out.write(record[20:])
    done = followed.load(FileChange.GROWN)
    same_run(done, load_path(str(path)))
    assert not any("incomplete" in w for w in done.traces[0].warnings)
    # A truncated file is read again whole.
    path.write_bytes(b"".join(line(e) for e in START[:2]))
    same_run(followed.load(FileChange.TRUNCATED), load_path(str(path)))


def test_a_json_document_or_gzip_is_read_whole(tmp_path: Path) -> None:
    import gzip

    document = tmp_path / "doc.json"
    document.write_bytes((SAMPLES / "dagron/etl_ok.events.json").read_bytes())
    followed = FollowedFile(str(document))
    followed.load(None)
    followed.load(FileChange.GROWN)
    assert followed.bytes_parsed == 2 * document.stat().st_size
    packed = tmp_path / "live.jsonl.gz"
    packed.write_bytes(gzip.compress(b"".join(line(e) for e in START)))
    zipped = FollowedFile(str(packed))
    zipped.load(None)
    zipped.load(FileChange.GROWN)
    assert zipped.bytes_parsed == 2 * len(b"".join(line(e) for e in START))


async def test_follow_keeps_a_search_and_finds_what_was_appended(tmp_path: Path) -> None:
    path = tmp_path / "live.events.jsonl"
    path.write_bytes(b"".join(line(e) for e in START))
    async with following(path) as (pilot, screen, spans):
        assert spans.search("tra") == 1  # extract
        with path.open("ab") as out:
            out.write(
                line({"event_type": "node_started", "timestamp": 0.51, "node_name": "transform"})
            )
        await reload(pilot, screen)
        assert screen.updates == 1
        assert spans.search_text == "tra"
        names = {spans.trace.spans[i].name for i in spans.matches}
        assert names == {"extract", "transform"}
        assert screen.counts == (2, 0)


def test_a_followed_dagron_run_decodes_appended_events_typed_and_loads_as_whole(
    tmp_path: Path,
) -> None:
    events = orjson.loads((SAMPLES / "dagron/etl_fail.events.json").read_bytes())
    lines = [line(e) for e in events]
    # Odd lines among the appended ones: not JSON, a null name, a key dagron does not write.
    lines.insert(4, b"not json\n")
    lines.insert(7, line({"event_type": "node_started", "timestamp": 0.5, "node_name": None}))
    lines.insert(
        9, line({"event_type": "node_cache_miss", "timestamp": 0.6, "node_name": "x", "why": 1})
    )
    path = tmp_path / "live.events.jsonl"
    path.write_bytes(b"".join(lines[:2]))  # fewer records than detection looks at
    followed = FollowedFile(str(path))
    followed.load(None)
    for cut in range(3, len(lines) + 1, 2):
        with path.open("ab") as out:
            out.write(b"".join(lines[cut - 1 : cut + 1]))
        loaded = followed.load(FileChange.GROWN)
        assert traceset_dict(loaded) == traceset_dict(load_path(str(path)))
    assert any(type(value).__name__ == "DagronEvent" for value in followed._values)
