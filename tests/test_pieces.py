"""Big arrays are parsed and loaded in pieces: the same model, or the usual path when unsure."""

from __future__ import annotations

import gc
import json
import random

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tracetui.loaders
import tracetui.source
from tests.helpers import SAMPLES
from tracetui.errors import TraceError
from tracetui.formats.json_text import dumps
from tracetui.loaders import load_bytes
from tracetui.reports.model_json import traceset_dict
from tracetui.source import PieceError, array_pieces


def events(count: int, seed: int = 0) -> list[dict[str, object]]:
    """A dagron event stream whose texts contain the very bytes pieces are cut at."""
    rng = random.Random(seed)
    out: list[dict[str, object]] = [{"event_type": "execution_started", "timestamp": 0.0}]
    clock = 0.0
    for n in range(count):
        name = f"node-{n}"
        out.append({"event_type": "node_started", "timestamp": clock, "node_name": name})
        clock += rng.random()
        draw = rng.random()
        if draw < 0.1:
            out.append(
                {
                    "event_type": "node_failed",
                    "timestamp": clock,
                    "node_name": name,
                    "duration": 0.5,
                    "error": 'bad row },{ "x": 1 }, {',
                    "metadata": {"rows": [{"a": 1}, {"b": 2}]},
                }
            )
        elif draw < 0.2:
            out.append(
                {
                    "event_type": "node_failed",
                    "timestamp": clock,
                    "node_name": name,
                    "duration": 0.25,
                    "error": "" if n % 3 else "KeyError: 'k'\n  at line 2",
                }
            )
        elif draw < 0.25:
            out.append(
                {
                    "event_type": "node_timed_out",
                    "timestamp": clock,
                    "node_name": name,
                    "duration": 9.0,
                }
            )
        else:
            out.append(
                {
                    "event_type": "node_completed",
                    "timestamp": clock,
                    "node_name": name,
                    "duration": 1.0,
                }
            )
    out.append({"event_type": "execution_completed", "timestamp": clock})
    return out


@pytest.mark.parametrize("indent", [False, True])
def test_pieces_that_all_parse_are_exactly_the_array(indent: bool) -> None:
    value = [{"n": i, "pad": "x" * (i % 50)} for i in range(3000)]
    data = orjson.dumps(value, option=orjson.OPT_INDENT_2 if indent else 0)
    pieces = array_pieces(data, piece_bytes=1000)
    assert pieces is not None
    parts = list(pieces)
    assert len(parts) > 10
    assert [item for part in parts for item in part] == value


def test_a_cut_inside_a_string_or_a_nested_array_is_cut_again_further_on() -> None:
    data = orjson.dumps(events(400))
    for size in range(50, 400, 7):
        pieces = array_pieces(data, piece_bytes=size)
        assert pieces is not None
        assert [item for part in pieces for item in part] == orjson.loads(data)


def test_a_broken_array_says_to_read_it_whole() -> None:
    data = orjson.dumps(events(100))
    middle = data.index(b'},{"event_type"', len(data) // 2)
    broken = data[:middle] + b"},,{" + data[middle + 3 :]
    pieces = array_pieces(broken, piece_bytes=200)
    assert pieces is not None
    with pytest.raises(PieceError):
        list(pieces)


def test_not_an_array_of_objects_is_not_cut() -> None:
    assert array_pieces(b'{"traceEvents": []}') is None
    assert array_pieces(b"[1, 2, 3]") is None
    assert array_pieces(b"[]") is None
    assert array_pieces(b"  ") is None


@pytest.fixture
def small_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    """Take the piecewise path for small files too, cutting every few hundred bytes."""
    monkeypatch.setattr(tracetui.loaders, "PIECES_FROM_BYTES", 0)
    monkeypatch.setattr("tracetui.source.PIECE_BYTES", 300)


def _whole(data: bytes) -> dict[str, object]:
    document = tracetui.source.parse(data, "t.json")
    return traceset_dict(tracetui.loaders.load_document(document))


@pytest.mark.usefixtures("small_pieces")
def test_a_dagron_file_loads_the_same_in_pieces() -> None:
    data = orjson.dumps(events(300, seed=3), option=orjson.OPT_INDENT_2)
    fractions: list[float] = []
    loaded = load_bytes(data, "t.json", progress=fractions.append)
    assert traceset_dict(loaded) == _whole(data)
    assert len(fractions) > 5 and fractions == sorted(fractions) and fractions[-1] > 0.99
    # Every event's source record is rebuilt: the same keys, values and order.
    records = orjson.loads(data)
    trace = loaded.traces[0]
    assert [trace.events[i].raw for i in range(len(records))] == records


@pytest.mark.usefixtures("small_pieces")
def test_every_dagron_sample_loads_the_same_in_pieces() -> None:
    for path in sorted((SAMPLES / "dagron").glob("*.json")):
        data = path.read_bytes()
        assert traceset_dict(load_bytes(data, "t.json")) == _whole(data), path.name


@pytest.mark.usefixtures("small_pieces")
def test_a_truncated_big_file_is_salvaged_the_usual_way() -> None:
    data = orjson.dumps(events(200), option=orjson.OPT_INDENT_2)
    cut = data[: len(data) * 2 // 3]
    loaded = load_bytes(cut, "t.json")
    assert any("ends early" in w for w in loaded.traces[0].warnings)
    assert 0 < len(loaded.traces[0].events) < len(orjson.loads(data))


@pytest.mark.usefixtures("small_pieces")
def test_other_dialects_and_broken_files_take_the_usual_path() -> None:
    chrome = orjson.dumps([{"name": "a", "ph": "X", "ts": 1, "dur": 2, "pid": 1, "tid": 1}] * 50)
    assert load_bytes(chrome, "c.json").traces[0].dialect == "chrome"
    with pytest.raises(TraceError, match="line 1"):
        load_bytes(b'[{"event_type": "node_started"} {"x": 1}]' * 20, "bad.json")


@pytest.mark.parametrize(
    "name",
    [
        "victor/code_review.trace.json",
        "dagron/etl_fail.chrome.json",
        "graphenix/readme_example.running.trace.json",
        "cfn/docker_build_failed.in_memory.json",
    ],
)
def test_a_break_is_salvaged_the_same_whether_read_from_the_start_or_near_it(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import random

    from tracetui import source

    data = (SAMPLES / name).read_bytes()
    # Escapes and brackets inside strings, so that a cut can land anywhere.
    data = data.replace(b'": "', b'": "a \\\\\\" [{, quoted\\\\ ', 3)
    assert orjson.loads(data)
    chooser = random.Random(name)
    for cut in sorted(chooser.sample(range(1, len(data)), 60)):
        broken = data[:cut]

        def salvaged(window: int, broken: bytes = broken) -> object:
            monkeypatch.setattr(source, "SALVAGE_WINDOW", window)
            try:
                return source.parse(broken, "t.json").value
            except TraceError as exc:
                return str(exc)

        assert salvaged(1 << 30) == salvaged(7), cut


# Records a typed decoding cannot hold, each beside plain ones: the piece holding it is read
# as dicts and the record takes the general path, with the same model and warnings.
ODD_RECORDS: list[object] = [
    {"event_type": "node_started", "timestamp": 0.5, "node_name": "n1", "extra": [1, {"a": 2}]},
    {"event_type": "node_started", "timestamp": 0.5, "node_name": None},
    {"event_type": "node_started", "timestamp": 0.5},
    {"event_type": "node_completed", "timestamp": 0.5, "duration": 1.0},
    {"event_type": "node_failed", "timestamp": 0.5, "error": "no node"},
    {"event_type": "step_completed", "timestamp": 0.5},
    {"event_type": "node_started", "timestamp": "0.5", "node_name": "n2"},
    {"event_type": "node_started", "timestamp": True, "node_name": "n3"},
    {"event_type": "node_started", "timestamp": 3, "node_name": "int-time"},
    {"event_type": "node_completed", "timestamp": 4.0, "node_name": "int-time", "duration": -1.0},
    {"event_type": "node_completed", "timestamp": 4.0, "node_name": "n4", "duration": None},
    {"event_type": "node_failed", "timestamp": 4.0, "node_name": "n5", "error": None},
    {"event_type": "step_started", "timestamp": 1.0, "step_index": 1.5},
    {"event_type": "step_started", "timestamp": 1.0, "step_index": 2**70},
    {"event_type": "node_cache_hit", "timestamp": 1.0, "node_name": "c", "metadata": [1]},
    {"event_type": "node_started", "timestamp": 1e12, "node_name": "far"},
    {"event_type": 7, "timestamp": 1.0},
    "not an object",
    [1, 2],
    {"event_type": "node_exploded", "timestamp": 2.0, "node_name": "n1", "why": "\x1b[2J"},
]


@pytest.mark.usefixtures("small_pieces")
@pytest.mark.parametrize("odd", ODD_RECORDS, ids=range(len(ODD_RECORDS)))
def test_a_record_that_does_not_fit_the_typed_shape_loads_as_it_would_whole(odd: object) -> None:
    stream: list[object] = list(events(60, seed=5))
    for at in (1, len(stream) // 2, len(stream) - 1):
        stream.insert(at, odd)
    data = json.dumps(stream, indent=2).encode()  # the standard library writes huge integers
    assert _outcome(data, pieces=True) == _outcome(data, pieces=False)


@pytest.mark.usefixtures("small_pieces")
def test_plain_pieces_are_decoded_typed_and_odd_ones_as_dicts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tracetui.loaders import dagron_typed

    kinds: list[str] = []
    decode = dagron_typed.decode_piece

    def spy(data: bytes) -> list[object]:
        piece = decode(data)
        kinds.extend(type(record).__name__ for record in piece)
        return piece

    monkeypatch.setattr(dagron_typed, "decode_piece", spy)
    stream: list[object] = list(events(40, seed=1))
    stream.insert(30, {"event_type": "node_started", "timestamp": 1.0, "node_name": None})
    load_bytes(orjson.dumps(stream), "t.json")
    assert kinds.count("dict") and kinds.count("dict") < 10
    assert kinds.count("DagronEvent") == len(stream) - kinds.count("dict")


@pytest.mark.usefixtures("small_pieces")
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_mix_of_plain_and_odd_records_loads_as_it_would_whole(data: st.DataObject) -> None:
    stream: list[object] = list(events(30, seed=data.draw(st.integers(0, 99))))
    value = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**66), 2**66),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=5),
        st.just({"k": [1]}),
    )
    # Nodes run again (``name#2``), before or after their first run ended.
    for _ in range(data.draw(st.integers(0, 3))):
        again = data.draw(st.sampled_from(stream[1:-1]))
        stream.insert(data.draw(st.integers(1, len(stream) - 1)), again)
    for _ in range(data.draw(st.integers(0, 6))):
        at = data.draw(st.integers(0, len(stream) - 1))
        record = stream[at]
        assert isinstance(record, dict)
        changed = dict(record)
        key = data.draw(st.sampled_from([*changed, "duration", "error", "metadata", "step_index"]))
        if data.draw(st.booleans()):
            changed.pop(key, None)  # a key left out
        else:
            changed[key] = data.draw(value)
        stream[at] = changed
    encoded = json.dumps(stream).encode()
    assert _outcome(encoded, pieces=True) == _outcome(encoded, pieces=False)


def _outcome(data: bytes, *, pieces: bool) -> object:
    """The loaded model, or the error's message."""
    try:
        return traceset_dict(load_bytes(data, "t.json")) if pieces else _whole(data)
    except TraceError as exc:
        return str(exc)


@pytest.mark.usefixtures("small_pieces")
def test_a_run_loaded_from_typed_pieces_holds_no_reference_cycle() -> None:
    """Nothing decoded stays behind: dropping the trace frees it without the collector."""
    data = orjson.dumps(events(200, seed=9))
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        loaded = load_bytes(data, "t.json")
        loaded.traces[0].events.raw_of(3)
        del loaded
        assert gc.collect() == 0
    finally:
        if was_enabled:
            gc.enable()


@pytest.mark.usefixtures("small_pieces")
@pytest.mark.parametrize("depth", [500, 1500, 100_000])
@pytest.mark.parametrize("key", ["metadata", "error", "node_name"])
def test_deep_nesting_in_a_big_file_loads_or_fails_as_it_would_whole(key: str, depth: int) -> None:
    deep = b"[" * depth + b"]" * depth
    record = b'{"event_type": "node_cache_hit", "timestamp": 1.0, "node_name": "x", "%s": %s}'
    middle = record.replace(b'"node_name": "x", ', b"") if key == "node_name" else record
    data = orjson.dumps(events(40, seed=2))
    cut = data.index(b',{"event_type"', len(data) // 2)
    data = data[:cut] + b"," + middle % (key.encode(), deep) + data[cut:]
    # Compared as JSON text: a value this deep is past what == can walk.
    assert dumps(_outcome(data, pieces=True)) == dumps(_outcome(data, pieces=False))
