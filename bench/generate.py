"""Write realistic traces of every dialect at a given size (nodes), with failures and nesting.

python -m bench.generate --dialect dagron --nodes 100000 --out bench/out
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

WORDS = (
    "user order invoice payment shipment account session token cart item price tax region "
    "tenant batch chunk shard replica index cursor ledger report export import schema column "
    "field record queue topic partition offset consumer producer worker lease lock quota bucket "
    "object blob key secret config flag rollout canary build image layer artifact package "
    "release deploy cluster node pod volume mount socket stream frame packet header body"
).split()
HOSTS = ["db", "cache", "api", "auth", "search", "queue", "storage", "billing"]


def _timeout(r: random.Random) -> str:
    return f"timeout after {r.randint(1, 30) * 500}ms on 10.0.{r.randint(0, 9)}.{r.randint(1, 254)}"


def _refused(r: random.Random) -> str:
    port = r.randint(1000, 9999)
    return f"connection refused: {r.choice(HOSTS)}-{r.randint(1, 9)}.internal:{port}"


def _http(r: random.Random) -> str:
    status = r.choice([500, 502, 503, 504])
    return f"HTTP {status} from https://{r.choice(HOSTS)}.example.com/v{r.randint(1, 3)}/x"


def _parse(r: random.Random) -> str:
    where = r.randint(1, 900)
    return f"failed to parse {r.choice(WORDS)} {r.choice(WORDS)}: unexpected token at line {where}"


def _deadlock(r: random.Random) -> str:
    table = f"{r.choice(WORDS)}_{r.choice(WORDS)}"
    return f"deadlock detected while locking {r.choice(WORDS)} rows in {table}"


TEMPLATES: list[Callable[[random.Random], str]] = [
    _timeout,
    lambda r: f"KeyError: '{r.choice(WORDS)}_{r.choice(WORDS)}'",
    _refused,
    lambda r: f"disk quota exceeded on /mnt/{r.choice(WORDS)}/data{r.randint(1, 99)}",
    _http,
    lambda r: f"AssertionError: expected {r.randint(0, 999)}, got {r.randint(0, 999)}",
    _parse,
    lambda r: f"{r.choice(WORDS)} {r.choice(WORDS)} not found (id {r.getrandbits(128):032x})",
    lambda r: f"validation failed for {r.choice(WORDS)}.{r.choice(WORDS)}: must be positive",
    lambda r: f"OOMKilled: container {r.choice(WORDS)} exceeded {r.randint(1, 64)}Gi",
    _deadlock,
    lambda r: f"permission denied: {r.choice(WORDS)}:write on {r.choice(WORDS)}",
]
TOOLS = ["read_file", "grep", "edit_file", "shell", "http_get", "sql_query", "search", "llm_call"]
FAILURE_RATE = 0.04
SKIP_RATE = 0.01


def error_text(rng: random.Random) -> str:
    """A varied but realistic error message."""
    text = rng.choice(TEMPLATES)(rng)
    if rng.random() < 0.1:
        text += f"\n  at {rng.choice(WORDS)}.py:{rng.randint(1, 500)}"
    return text


def dagron_events(nodes: int, rng: random.Random) -> Iterator[dict[str, object]]:
    """DAGExecutor events: steps of nodes, failures, downstream skips, cache hits."""
    width = max(1, min(200, nodes // 50))
    clock = 1.7e-7
    yield {"event_type": "execution_started", "timestamp": clock}
    made = 0
    step = 0
    while made < nodes:
        yield {"event_type": "step_started", "timestamp": clock, "step_index": step}
        count = min(width, nodes - made)
        names = [f"s{step:05d}_n{i:04d}" for i in range(count)]
        finished = []
        for name in names:
            clock += rng.random() * 1e-4
            roll = rng.random()
            if roll < SKIP_RATE:
                yield {"event_type": "node_skipped", "timestamp": clock, "node_name": name}
                continue
            if roll < SKIP_RATE * 2:
                yield {
                    "event_type": "node_cache_hit",
                    "timestamp": clock,
                    "node_name": name,
                    "metadata": {"cache_key": f"{rng.getrandbits(256):064x}"},
                }
                continue
            yield {"event_type": "node_started", "timestamp": clock, "node_name": name}
            finished.append(name)
        for name in finished:
            run = rng.expovariate(1 / 0.01)
            clock += run * 0.2
            if rng.random() < FAILURE_RATE:
                yield {
                    "event_type": "node_failed",
                    "timestamp": clock,
                    "node_name": name,
                    "duration": run,
                    "error": error_text(rng),
                }
            else:
                yield {
                    "event_type": "node_completed",
                    "timestamp": clock,
                    "node_name": name,
                    "duration": run,
                }
        yield {"event_type": "step_completed", "timestamp": clock, "step_index": step}
        made += count
        step += 1
    yield {"event_type": "execution_completed", "timestamp": clock}


def write_dagron(path: Path, nodes: int, rng: random.Random) -> None:
    """dagron ``to_json()``: one pretty array (indent 2), as dagron writes it."""
    events = list(dagron_events(nodes, rng))
    path.write_bytes(orjson.dumps(events, option=orjson.OPT_INDENT_2))


def write_chrome(path: Path, nodes: int, rng: random.Random) -> None:
    """Chrome Trace Event Format: B/E per node on its own lane, X events nested beneath."""
    events: list[dict[str, object]] = [
        {"name": "process_name", "ph": "M", "pid": 1, "args": {"name": "pipeline"}},
    ]
    clock = 0.0
    for i in range(nodes // 2):
        tid = i % 64 + 1
        start = clock
        events.append(
            {"name": f"task_{i}", "cat": "node", "ph": "B", "ts": start, "pid": 1, "tid": tid}
        )
        events.append(
            {
                "name": "io",
                "cat": "io",
                "ph": "X",
                "ts": start + 1.5,
                "dur": rng.random() * 50,
                "pid": 1,
                "tid": tid,
            }
        )
        end = start + 60 + rng.expovariate(1 / 500)
        args: dict[str, object] = {"status": "ok"}
        if rng.random() < FAILURE_RATE:
            args = {"status": "error", "error": error_text(rng)}
        events.append(
            {
                "name": f"task_{i}",
                "cat": "node",
                "ph": "E",
                "ts": end,
                "pid": 1,
                "tid": tid,
                "args": args,
            }
        )
        clock += rng.random() * 20
    path.write_bytes(orjson.dumps({"traceEvents": events, "displayTimeUnit": "ms"}))


def victor_node(i: int, clock: float, rng: random.Random) -> dict[str, object]:
    """A WorkflowTracer node with tool calls."""
    ok = rng.random() >= FAILURE_RATE
    tools = []
    for _ in range(rng.randint(0, 3)):
        tool_ok = rng.random() >= FAILURE_RATE
        tools.append(
            {
                "tool_name": rng.choice(TOOLS),
                "duration_seconds": rng.random() * 0.5,
                "success": tool_ok,
                "error": None if tool_ok else error_text(rng),
            }
        )
    return {
        "node_id": f"node_{i}",
        "node_type": rng.choice(["agent", "compute", "transform"]),
        "timestamp": clock,
        "duration_seconds": rng.expovariate(1 / 0.2),
        "success": ok,
        "error": None if ok else error_text(rng),
        "inputs": {"task": rng.choice(WORDS), "n": i},
        "outputs": {"ok": ok} if ok else None,
        "tool_calls": tools,
    }


def write_victor(path: Path, nodes: int, rng: random.Random) -> None:
    """One WorkflowTracer export with ``nodes`` nodes."""
    start = 1_795_000_000.0
    clock = start
    rendered = []
    for i in range(nodes):
        rendered.append(victor_node(i, clock, rng))
        clock += rng.random() * 0.05
    doc = {
        "trace_id": f"{rng.getrandbits(128):032x}",
        "workflow_name": "bench",
        "start_time": start,
        "end_time": clock + 1,
        "duration_seconds": clock + 1 - start,
        "inputs": {},
        "outputs": None,
        "metadata": {"bench": True},
        "nodes": rendered,
    }
    path.write_bytes(orjson.dumps(doc, option=orjson.OPT_INDENT_2))


def write_cfn(path: Path, nodes: int, rng: random.Random) -> None:
    """An ``execution_traces`` table export (psql ``row_to_json``, one row a line)."""
    steps_per_trace = 20
    base = datetime(2026, 11, 1, tzinfo=UTC)
    lines = []
    for t in range(max(1, nodes // steps_per_trace)):
        started = base + timedelta(seconds=t * 7.3)
        clock = started
        steps = []
        failed_message = None
        for s in range(steps_per_trace):
            millis = int(rng.expovariate(1 / 40))
            clock += timedelta(milliseconds=millis)
            step: dict[str, object] = {
                "name": f"step-{s}",
                "status": "success",
                "timestamp": clock.replace(tzinfo=None).isoformat(),
                "duration_ms": millis,
            }
            if rng.random() < FAILURE_RATE:
                step["status"] = "failed"
                step["error_message"] = error_text(rng)
                failed_message = failed_message or step["error_message"]
            steps.append(step)
        lines.append(
            orjson.dumps(
                {
                    "trace_id": f"{rng.getrandbits(128):032x}",
                    "started_at": started.replace(tzinfo=None).isoformat(),
                    "skill_name": rng.choice(["docker-build", "deploy", "db-migrate", "lint"]),
                    "completed_at": clock.replace(tzinfo=None).isoformat(),
                    "total_duration_ms": sum(int(str(s["duration_ms"])) for s in steps),
                    "status": "failed" if failed_message else "success",
                    "steps": steps,
                    "error_message": failed_message,
                    "metadata": {"env": "bench"},
                }
            )
        )
    path.write_bytes(b"\n".join(lines) + b"\n")


def write_graphenix(path: Path, nodes: int, rng: random.Random) -> None:
    """A GraphExecutionTrace: per node, started/completed with units and model invocations."""
    clock = datetime(2026, 6, 6, 12, tzinfo=UTC)
    events = []
    number = 0

    def stamp() -> str:
        return clock.isoformat(timespec="milliseconds").replace("+00:00", "Z")

    def event(kind: str, **fields: object) -> None:
        nonlocal number
        number += 1
        events.append(
            {"id": f"evt:{number}", "ts": stamp(), "level": "info", "type": kind, **fields}
        )

    for i in range(nodes):
        node = f"node:n{i}"
        event("node.started", nodeId=node)
        for phase, kind in (("pre", "externalPreUtility"), ("main", "mainSkill")):
            unit = f"unit:{node}:{phase}:0"
            clock += timedelta(milliseconds=rng.randint(1, 40))
            event("unit.started", nodeId=node, unitId=unit, unitKind=kind)
            clock += timedelta(milliseconds=rng.randint(1, 400))
            event(
                "model.invocation.completed", nodeId=node, unitId=unit, modelSlot="preActionModel"
            )
            event("unit.completed", nodeId=node, unitId=unit)
        if rng.random() < FAILURE_RATE:
            event("node.failed", nodeId=node, level="error", message=error_text(rng))
        else:
            event("node.completed", nodeId=node)
    doc = {
        "format": "graphenix.execution-trace/v1",
        "traceId": "trace:bench",
        "jobId": "bench",
        "createdAt": "2026-06-06T12:00:00.000Z",
        "status": "completed",
        "source": {"graphId": "graph:bench"},
        "events": events,
        "nodeExecutions": {},
    }
    path.write_bytes(orjson.dumps(doc))


def write_failures(path: Path, nodes: int, rng: random.Random) -> None:
    """A Victor run in which every node failed: a pile of failures to group and rank."""
    start = 1_795_000_000.0
    rendered: list[dict[str, object]] = [
        {
            "node_id": f"node_{i}",
            "node_type": "compute",
            "timestamp": start + i * 0.001,
            "duration_seconds": rng.random(),
            "success": False,
            "error": error_text(rng),
            "inputs": {},
            "outputs": None,
            "tool_calls": [],
        }
        for i in range(nodes)
    ]
    doc = {
        "trace_id": "failures",
        "workflow_name": "failures",
        "start_time": start,
        "end_time": start + nodes * 0.001 + 1,
        "duration_seconds": nodes * 0.001 + 1,
        "inputs": {},
        "outputs": None,
        "metadata": {},
        "nodes": rendered,
    }
    path.write_bytes(orjson.dumps(doc))


WRITERS: dict[str, Callable[[Path, int, random.Random], None]] = {
    "dagron": write_dagron,
    "chrome": write_chrome,
    "victor": write_victor,
    "cfn": write_cfn,
    "graphenix": write_graphenix,
}
EXTRA_WRITERS = {"failures": write_failures}


def file_for(out: Path, dialect: str, nodes: int, seed: int = 1) -> Path:
    """Generate (once) and return the file for a dialect, size and seed."""
    out.mkdir(parents=True, exist_ok=True)
    suffix = "jsonl" if dialect == "cfn" else "json"
    path = out / f"{dialect}_{nodes}_s{seed}.{suffix}"
    if not path.exists():
        partial = path.with_suffix(".partial")
        {**WRITERS, **EXTRA_WRITERS}[dialect](partial, nodes, random.Random(seed))
        partial.rename(path)
    return path


def main() -> None:
    """Command line: write one file."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dialect", choices=sorted({**WRITERS, **EXTRA_WRITERS}), required=True)
    parser.add_argument("--nodes", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("bench/out"))
    args = parser.parse_args()
    print(file_for(args.out, args.dialect, args.nodes, args.seed))


if __name__ == "__main__":
    main()
