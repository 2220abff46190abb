"""Similar failures: signatures, families, ranking, claude-flow's own answer, and the view."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.cli_helpers import run
from tests.helpers import SAMPLES, sample
from tracetui.analysis.failures import collect, find_similar_failures, group, jaccard, rank
from tracetui.analysis.signature import signature
from tracetui.app.app import TraceApp
from tracetui.app.explorer import ExplorerScreen
from tracetui.app.failure_view import FailureList, FailuresScreen
from tracetui.app.span_list import SpanList
from tracetui.inputs.start import Explore
from tracetui.loaders import load_bytes, load_path
from tracetui.model import TraceSet

# --- signatures -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        ("timeout after 5000ms on 10.0.0.7", "timeout after <duration> on <ip>"),
        ("Timeout after 3000ms on 10.0.0.9:6379", "timeout after <duration> on <ip>"),
        ("job 6af172be-343f-4b12-ad81-abb98d1f04ba failed", "job <uuid> failed"),
        ("bad pointer 0xDEADBEEF", "bad pointer <hex>"),
        (
            "blob d56614fcfef22ea4be4dff01f89a5b204601ab06aab7f4f8ea8a0818f4b009ad gone",
            "blob <hex> gone",
        ),
        ("cannot open /var/log/app.log", "cannot open <path>"),
        ("missing C:\\data\\in.csv", "missing <path>"),
        ("KeyError: 'symbol'", "keyerror: <str>"),
        ('missing column "id"', "missing column <str>"),
        ("took 1.5 s then 30s then 2 minutes", "took <duration> then <duration> then <duration>"),
        ("at 2026-11-22T02:02:34.230519Z retry", "at <time> retry"),
        ("at 2026-11-22 02:02:34 retry at 12:30:01", "at <time> retry at <time>"),
        ("expected 200, got 500", "expected <n>, got <n>"),
        ("Step 7/12 : RUN npm ci", "step <n>/<n> : run npm ci"),
        ("see https://example.com/x?y=1 now", "see <url> now"),
        ("  many    spaces\n and lines  ", "many spaces and lines"),
    ],
)
def test_signature_rules(error: str, expected: str) -> None:
    assert signature(error) == expected


def test_numbers_and_hosts_do_not_split_a_signature() -> None:
    assert signature("timeout after 5000ms on 10.0.0.7") == signature(
        "timeout after 3000ms on 10.0.0.9"
    )


# --- collecting and grouping ----------------------------------------------------------------


def made_trace(errors: list[tuple[str, str]], name: str = "run") -> TraceSet:
    """A Victor trace whose nodes fail with the given (node, error) pairs."""
    doc: dict[str, Any] = {
        "trace_id": name,
        "workflow_name": name,
        "start_time": 1_700_000_000.0,
        "end_time": 1_700_000_100.0,
        "duration_seconds": 100.0,
        "inputs": {},
        "outputs": None,
        "metadata": {},
        "nodes": [],
    }
    for position, (node, error) in enumerate(errors):
        doc["nodes"].append(
            {
                "node_id": node,
                "node_type": "compute",
                "timestamp": 1_700_000_000.0 + position,
                "duration_seconds": 1.0 + position,
                "success": False,
                "error": error,
                "inputs": {},
                "outputs": None,
                "tool_calls": [],
            }
        )
    return load_bytes(orjson.dumps(doc), f"{name}.json")


def test_collect_covers_nodes_tool_calls_and_statuses() -> None:
    failures = collect([load_path(sample("victor/code_review.asdict.json"))])
    assert sorted((f.kind, f.node) for f in failures) == [
        ("node", "human_review"),
        ("node", "run_tests"),
        ("tool_call", "analyze / read_file"),
        ("tool_call", "run_tests / shell"),
    ]
    timed_out = collect([load_path(sample("dagron/timeout.events.json"))])
    assert [(f.node, f.status.value) for f in timed_out] == [("slow_api", "timed_out")]
    cancelled = collect([load_path(sample("dagron/cancelled.events.json"))])
    assert len(cancelled) == 12


def test_identical_signatures_group_and_similar_ones_form_families() -> None:
    traces = made_trace(
        [
            ("a", "timeout after 5000ms on 10.0.0.7"),
            ("b", "timeout after 3000ms on 10.0.0.9"),
            ("c", "Timeout after 3000 ms on 10.0.0.9 (retrying)"),
            ("d", "disk quota exceeded"),
            ("e", "disk quota exceeded"),
            ("f", "disk quota exceeded"),
        ]
    )
    families = group(collect([traces]))
    assert [(f.count, f.signature) for f in families] == [
        (3, "disk quota exceeded"),
        (3, "timeout after <duration> on <ip>"),
    ]
    assert families[1].signatures == [
        "timeout after <duration> on <ip>",
        "timeout after <duration> on <ip> (retrying)",
    ]
    strict = group(collect([traces]), threshold=100)
    assert [f.count for f in strict] == [3, 2, 1]


def test_families_sort_by_count_then_time_lost() -> None:
    traces = made_trace(
        [
            ("a", "alpha broke"),
            ("b", "beta broke badly"),
            ("c", "gamma is different entirely"),
            ("d", "gamma is different entirely"),
        ]
    )
    families = group(collect([traces]), threshold=100)
    assert [f.signature for f in families] == [
        "gamma is different entirely",
        "beta broke badly",
        "alpha broke",
    ]
    assert families[1].lost_s > families[2].lost_s


def test_failures_without_a_message_are_one_family_of_their_own() -> None:
    """Twelve cancelled nodes without a message are one family, never merged with messages."""
    traces = made_trace([("a", ""), ("b", ""), ("c", "failed")])
    families = group(collect([traces]), threshold=10)
    assert sorted(f.signature for f in families) == ["(no message) failed", "failed"]
    quiet = next(f for f in families if f.signature.startswith("(no message)"))
    assert quiet.count == 2 and quiet.example == "(no message: failed)"


def test_ids_become_placeholders_and_a_lone_quoted_value_stays() -> None:
    traces = made_trace(
        [
            ("a", "lost worker for n001_0048"),
            ("b", "lost worker for n029_0077"),
            ("c", "'user_id'"),
            ("d", "'order_id'"),
        ]
    )
    families = group(collect([traces]), threshold=100)
    assert sorted(f.signature for f in families) == [
        "'order_id'",
        "'user_id'",
        "lost worker for <id>",
    ]
    lost = next(f for f in families if f.count == 2)
    assert lost.example == "lost worker for n001_0048"  # a real message, as written


def test_a_run_in_both_its_dagron_forms_counts_once() -> None:
    sets = [load_path(sample(f"dagron/etl_fail.{form}.json")) for form in ("events", "chrome")]
    assert len(collect(sets)) == len(collect(sets[:1]))
    assert len(collect(sets[1:])) == 1  # the export alone still counts


def test_ranking_orders_by_score_then_newest() -> None:
    traces = made_trace(
        [
            ("old", "Redis connection timeout after 5000ms (ECONNRESET)"),
            ("disk", "disk quota exceeded"),
            ("new", "Redis connection timeout after 7000ms (ECONNRESET)"),
            ("db", "Connection timeout to database server"),
        ]
    )
    ranked = rank(collect([traces]), "redis connection timeout after 1s")
    assert [r.failure.node for r in ranked][:3] == ["new", "old", "db"]
    assert ranked[0].score == ranked[1].score > ranked[2].score
    assert all(r.failure.node != "disk" for r in rank(collect([traces]), "redis", min_score=60))
    assert len(rank(collect([traces]), "timeout", limit=2)) == 2
    assert list(rank(collect([traces]), "   ")) == []
    assert list(rank(collect([traces]), "timeout", limit=0)) == []


def test_ranking_across_many_files() -> None:
    sources = [
        load_path(sample("cfn/execution_traces.rows.psql.jsonl")),
        load_path(sample("victor/code_review.trace.json")),
        load_path(sample("dagron/cache_partial.events.json")),
    ]
    ranked = rank(collect(sources), "No such file or directory: 'src/other.py'")
    assert ranked[0].failure.source.endswith("code_review.trace.json")
    assert ranked[0].failure.node == "analyze / read_file"
    assert {r.failure.source for r in ranked} >= {sources[0].source, sources[1].source}


# --- claude-flow compatible mode --------------------------------------------------------------

EXPECTED = orjson.loads((SAMPLES / "cfn/find_similar_failures.json").read_bytes())


def test_jaccard_is_claude_flows() -> None:
    assert jaccard("timeout database connection", "Database server connection timeout error") == 0.6
    assert jaccard("a b", "") == 0.0


@pytest.mark.parametrize("name", ["execution_traces.rows.psql.jsonl", "execution_traces.rows.csv"])
@pytest.mark.parametrize("query", sorted(EXPECTED))
def test_cfn_compatible_mode_returns_what_claude_flow_returned(name: str, query: str) -> None:
    matches = find_similar_failures([load_path(sample(f"cfn/{name}"))], query)
    assert [
        {
            "trace_id": m.trace_id,
            "skill_name": m.skill_name,
            "error_message": m.error_message,
            "started_at": m.started_at,
            "similarity_score": m.similarity_score,
        }
        for m in matches
    ] == EXPECTED[query]


def test_cfn_compatible_mode_ignores_in_memory_traces_that_claude_flow_never_stored() -> None:
    matches = find_similar_failures(
        [load_path(sample("cfn/traces.in_memory.json"))], "connection timeout redis"
    )
    assert matches == []


# --- CLI ----------------------------------------------------------------------------------------


def test_cli_cfn_compatible_json_is_byte_for_byte_the_same_data() -> None:
    query = "connection timeout redis"
    result = run(
        "failures",
        sample("cfn/execution_traces.rows.psql.jsonl"),
        "--similar",
        query,
        "--cfn-compatible",
        "--json",
    )
    assert result.code == 0, result.err
    assert orjson.loads(result.out) == EXPECTED[query]
    table = run(
        "failures",
        sample("cfn/execution_traces.rows.psql.jsonl"),
        "--similar",
        query,
        "--cfn-compatible",
    )
    assert table.out.startswith(f"{len(EXPECTED[query])} similar failure")
    assert EXPECTED[query][0]["trace_id"] in table.out


def test_cfn_compatible_reads_only_the_100_newest_failed_runs(tmp_path: Path) -> None:
    """claude-flow's query is LIMIT 100: an older match is not found unless --scan-all."""
    rows: list[dict[str, object]] = []
    for number in range(101):
        rows.append(
            {
                "trace_id": f"00000000-0000-4000-8000-{number:012d}",
                "skill_name": "deploy",
                "started_at": f"2026-11-{1 + number // 24:02d}T{number % 24:02d}:00:00",
                "completed_at": None,
                "total_duration_ms": 5,
                "status": "failed",
                "error_message": "redis gone away" if number == 0 else f"disk full {number}",
                "steps": [],
                "metadata": {},
            }
        )
    path = tmp_path / "rows.jsonl"
    path.write_bytes(b"\n".join(orjson.dumps(r) for r in rows) + b"\n")
    args = ["failures", str(path), "--similar", "redis gone away", "--cfn-compatible", "--json"]
    assert orjson.loads(run(*args).out) == []
    found = orjson.loads(run(*args, "--scan-all").out)
    assert [m["trace_id"] for m in found] == [rows[0]["trace_id"]]
    assert orjson.loads(run(*args, "--scan-all", "--limit", "0").out) == []
    refused = run(*args, "--min-score", "50")
    assert refused.code == 2 and "does not apply" in refused.err


def test_cli_families_over_a_folder(tmp_path: Path) -> None:
    for name in ("victor/code_review.trace.json", "cfn/execution_traces.rows.psql.jsonl"):
        (tmp_path / Path(name).name).write_bytes((SAMPLES / name).read_bytes())
    (tmp_path / "notes.json").write_bytes(b'{"not": "a trace"}')
    result = run("failures", str(tmp_path), "--json")
    assert result.code == 0, result.err
    assert "notes.json: skipped: no known trace shape" in result.err
    doc = orjson.loads(result.out)
    assert doc["failures"] == 12
    counts = [f["count"] for f in doc["families"]]
    assert counts == sorted(counts, reverse=True)
    member = doc["families"][0]["members"][0]
    assert {"source", "trace_id", "node", "status", "error", "signature", "when", "lost_s"} <= set(
        member
    )


def test_cli_similar_text_and_json() -> None:
    args = (
        "failures",
        sample("cfn/execution_traces.rows.csv"),
        sample("victor/code_review.trace.json"),
        "--similar",
        "timeout after 3000ms connecting to redis",
    )
    text = run(*args)
    assert text.code == 0
    first = text.out.splitlines()[1]
    assert "Redis connection timeout after 5000ms" in first
    doc = orjson.loads(run(*args, "--json", "--limit", "2").out)
    assert len(doc["failures"]) == 2
    assert doc["failures"][0]["score"] >= doc["failures"][1]["score"]
    high = orjson.loads(run(*args, "--json", "--min-score", "80").out)
    assert all(f["score"] >= 80 for f in high["failures"])


def test_cli_glob(tmp_path: Path) -> None:
    for name in ("etl_fail", "timeout"):
        (tmp_path / f"{name}.events.json").write_bytes(
            (SAMPLES / f"dagron/{name}.events.json").read_bytes()
        )
    result = run("failures", str(tmp_path / "*.events.json"), "--json")
    assert result.code == 0
    assert orjson.loads(result.out)["failures"] == 2


def test_cli_failures_bad_named_file_is_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"{")
    result = run("failures", sample("victor/code_review.trace.json"), str(bad))
    assert result.code == 2
    assert result.err.startswith(f"tracetui: {bad}: ")


def test_cli_failures_empty_folder_is_exit_2(tmp_path: Path) -> None:
    result = run("failures", str(tmp_path))
    assert result.code == 2
    assert "no trace files found" in result.err


# --- the explorer's failures view -------------------------------------------------------------


async def test_failures_view_families_expand_and_jump_to_the_node() -> None:
    app = TraceApp(Explore(load_path(sample("cfn/execution_traces.rows.psql.jsonl"))))
    async with app.run_test(size=(110, 30)) as pilot:
        await pilot.press("F")
        await pilot.pause()
        assert isinstance(app.screen, FailuresScreen)
        view = app.screen.query_one(FailureList)
        assert view.rows[0].family is not None and view.rows[0].family.count == 2
        counts = [r.family.count for r in view.rows if r.family is not None]
        assert counts == sorted(counts, reverse=True)
        await pilot.press("enter")
        assert len(view.rows) == len(view.families) + 2
        await pilot.press("j", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ExplorerScreen)
        spans = app.screen.query_one(SpanList)
        node = spans.trace.spans[spans.selected_span or 0]
        assert node.status.is_failure
        assert node.error is not None and "timeout" in node.error.lower()
        await pilot.press("escape")
        assert not isinstance(app.screen, ExplorerScreen) or app.screen.can_go_back is False


async def test_failures_view_reranks_as_you_type() -> None:
    app = TraceApp(Explore(load_path(sample("cfn/execution_traces.rows.psql.jsonl"))))
    async with app.run_test(size=(110, 30)) as pilot:
        await pilot.press("F", "slash", *"redis timeout")
        await pilot.pause()
        view = app.screen.query_one(FailureList)
        assert view.ranked is not None
        scores = [r.score or 0.0 for r in view.rows]
        assert scores == sorted(scores, reverse=True)
        assert "redis" in view.rows[0].failure.error.lower()  # type: ignore[union-attr]
        await pilot.press("ctrl+a", "ctrl+k")
        await pilot.pause()
        assert view.ranked is None


async def test_look_alikes_of_the_selected_failed_node() -> None:
    app = TraceApp(Explore(load_path(sample("cfn/execution_traces.rows.psql.jsonl"))))
    async with app.run_test(size=(110, 30)) as pilot:
        await pilot.press("slash", *"connection timeout redis", "enter", "enter")
        await pilot.press("right_square_bracket", "L")
        await pilot.pause()
        assert isinstance(app.screen, FailuresScreen)
        assert app.screen.query_one("#failure-query").value == "connection timeout redis"  # type: ignore[attr-defined]
        view = app.screen.query_one(FailureList)
        assert view.rows[0].score == 100.0
        await pilot.press("j", "enter")  # a look-alike in another run
        await pilot.pause()
        assert isinstance(app.screen, ExplorerScreen)
        assert app.screen.trace.name in {
            "redis-coordination",
            "database-migration",
            "database-backup",
        }


async def test_look_alikes_without_error_text_says_so() -> None:
    app = TraceApp(Explore(load_path(sample("victor/code_review.trace.json"))))
    async with app.run_test(size=(110, 30)) as pilot:
        await pilot.press("L")
        await pilot.pause()
        assert isinstance(app.screen, ExplorerScreen)


@pytest.mark.parametrize("seed", range(10))
def test_ranking_equals_scoring_every_failure_and_sorting(seed: int) -> None:
    import random

    from rapidfuzz import fuzz

    from tracetui.analysis.failures import FailureIndex
    from tracetui.analysis.signature import signature

    chooser = random.Random(seed)
    words = ["redis", "timeout", "disk", "quota", "connection", "refused", "db", "503", "retry"]
    errors = [
        (f"node{n}", " ".join(chooser.choice(words) for _ in range(chooser.randint(1, 4))))
        for n in range(60)
    ]
    failures = collect([made_trace(errors)])
    query = " ".join(chooser.choice(words) for _ in range(2))
    index = FailureIndex(failures)
    for min_score, limit in [(0.0, None), (50.0, None), (0.0, 7)]:
        ranked = index.rank(query, min_score=min_score, limit=limit)
        scored = [(fuzz.token_set_ratio(signature(query), f.signature), f) for f in failures]
        expected = sorted(
            ((score, f) for score, f in scored if score > 0 and score >= min_score),
            key=lambda pair: (
                -pair[0],
                -(pair[1].when.timestamp() if pair[1].when else 0),
                pair[1].node,
            ),
        )[:limit]
        assert [(r.score, r.failure.node) for r in ranked] == [
            (score, f.node) for score, f in expected
        ]
        assert [r.failure.node for r in ranked[-3:]] == [f.node for _, f in expected[-3:]]


async def test_folding_a_family_keeps_the_cursor_on_its_heading() -> None:
    app = TraceApp(Explore(load_path(sample("cfn/execution_traces.rows.psql.jsonl"))))
    async with app.run_test(size=(110, 30)) as pilot:
        await pilot.press("F")
        await pilot.pause()
        view = app.screen.query_one(FailureList)
        first, second = view.families[0], view.families[1]
        await pilot.press("space")  # unfold the first family: its members follow it
        assert view.current() is not None and view.current().family is first  # type: ignore[union-attr]
        view.cursor = 1 + first.count  # the second family's heading, after those members
        await pilot.press("space")
        current = view.current()
        assert current is not None and current.family is second and current.failure is None
        assert len(view.rows) == len(view.families) + first.count + second.count
        await pilot.press("space")  # fold it again: still on its heading
        current = view.current()
        assert current is not None and current.family is second and current.failure is None


def test_failures_of_files_take_the_same_range_as_a_database() -> None:
    rows = str(sample("cfn/execution_traces.rows.psql.jsonl"))
    every = orjson.loads(run("failures", rows, "--json").out)["failures"]
    assert every > 0
    later = orjson.loads(run("failures", rows, "--since", "2027-01-01", "--json").out)
    assert later["failures"] == 0
    redis = orjson.loads(run("failures", rows, "--name", "redis-coordination", "--json").out)
    assert 0 < redis["failures"] < every
    assert {m["trace_name"] for f in redis["families"] for m in f["members"]} == {
        "redis-coordination"
    }
