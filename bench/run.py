"""The benchmark: tracetui against the physical floor measured in the same run.

    python -m bench.run              10k and 100k nodes of every dialect, 1M nodes of dagron
    python -m bench.run --quick      10k nodes, one repeat: a smoke test small enough for CI
    python -m bench.run --sizes 10000,100000 --dialects dagron,victor --repeat 5

Timings are medians over --repeat runs, each in a fresh process; ratios are to the floor
(reading the bytes, ``orjson.loads`` with the garbage collector paused) measured in that run.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from bench.generate import WRITERS, file_for

OUT = Path(__file__).resolve().parent / "out"
JQ_SUMMARY = {
    # What `tracetui summary` reports, computed by jq: counts by type, unique nodes, failures.
    "dagron": (
        "{events: length, nodes: ([.[] | .node_name // empty] | unique | length),"
        " by_type: (group_by(.event_type) | map({key: .[0].event_type, value: length})"
        ' | from_entries), failures: [.[] | select(.event_type == "node_failed")'
        " | {node: .node_name, error}], slowest: ([.[] | select(.duration) |"
        " {node: .node_name, duration}] | sort_by(-.duration) | .[:10])}"
    ),
    "victor": (
        "{nodes: (.nodes | length), ok: ([.nodes[] | select(.success)] | length),"
        " failures: [.nodes[] | select(.success | not) | {node: .node_id, error}],"
        " tools: ([.nodes[].tool_calls[].tool_name] | group_by(.) |"
        " map({tool: .[0], calls: length})), slowest: (.nodes | sort_by(-.duration_seconds)"
        " | .[:10] | map({node: .node_id, duration: .duration_seconds}))}"
    ),
}


# The same question in DuckDB's CLI (``pip install duckdb-cli``), over the same file: counts
# by status, the slowest 10 and the failures, as ``tracetui summary`` answers them.
DUCKDB_SUMMARY = {
    "dagron": (
        "SELECT event_type, count(*) FROM read_json_auto('{path}') GROUP BY 1;"
        "SELECT node_name, duration FROM read_json_auto('{path}') WHERE duration IS NOT NULL"
        " ORDER BY duration DESC LIMIT 10;"
        "SELECT node_name, error FROM read_json_auto('{path}')"
        " WHERE event_type = 'node_failed';"
    ),
    "victor": (
        "CREATE TEMP VIEW n AS SELECT unnest(nodes, recursive := true)"
        " FROM read_json_auto('{path}', maximum_object_size = 1073741824);"
        "SELECT success, count(*) FROM n GROUP BY 1;"
        "SELECT node_id, duration_seconds FROM n ORDER BY duration_seconds DESC LIMIT 10;"
        "SELECT node_id, error FROM n WHERE NOT success;"
    ),
}


def duckdb_cli() -> str | None:
    """DuckDB's command-line program: on the PATH, or beside this Python (a venv's bin)."""
    found = shutil.which("duckdb")
    if found:
        return found
    beside = Path(sys.executable).parent / "duckdb"
    return str(beside) if beside.exists() else None


def ratio(peer: float | None, ours: float) -> str:
    """How many times longer the peer took, or ``-`` where it was not run."""
    return f"{peer / ours:.1f}x" if peer else "-"


def run_json(args: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run a measurement process and parse its JSON line."""
    done = subprocess.run(
        [sys.executable, *args], capture_output=True, check=False, env={**os.environ, **(env or {})}
    )
    if done.returncode != 0:
        sys.stderr.write(done.stderr.decode(errors="replace"))
        raise SystemExit(f"bench: {' '.join(args)} failed")
    result: dict[str, Any] = orjson.loads(done.stdout.splitlines()[-1])
    return result


def wall(command: list[str]) -> float:
    """Seconds a command takes, end to end, output discarded."""
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def terminal_paint(path: Path) -> dict[str, float]:
    """Seconds from launching ``tracetui open`` in a real terminal (tmux, 120x40) until the
    first rows are on screen, and until the whole file is shown (no "loading" in the title)."""
    name = f"bench-{os.getpid()}-{time.monotonic_ns()}"
    command = f"{sys.executable} -m tracetui open {path}; sleep 60"
    tmux = ["tmux", "-L", name, "-f", os.devnull]  # a server of its own, stopped afterwards
    for _ in range(5):
        start = time.perf_counter()
        launched = subprocess.run(
            [*tmux, "new-session", "-d", "-x", "120", "-y", "40", "-s", name, command],
            check=False,
            capture_output=True,
        )
        if launched.returncode == 0:
            break
        time.sleep(0.5)
    else:
        raise RuntimeError(f"tmux would not start: {launched.stderr.decode(errors='replace')}")
    first = whole = None
    try:
        while time.perf_counter() - start < 300:
            screen = subprocess.run(
                [*tmux, "capture-pane", "-p", "-t", name],
                capture_output=True,
                text=True,
                check=False,
            ).stdout
            lines = screen.splitlines()
            title = lines[0] if lines else ""
            # Painted: a title and rows under it (span rows or the runs list).
            if first is None and title.strip() and sum(1 for x in lines[1:] if x.strip()) >= 3:
                first = time.perf_counter() - start
            if first is not None and "loading the whole file" not in title:
                whole = time.perf_counter() - start
                break
            time.sleep(0.02)
    finally:
        subprocess.run([*tmux, "kill-server"], check=False, capture_output=True)
    return {"first_paint_s": first or float("nan"), "fully_loaded_s": whole or float("nan")}


def median_of(samples: list[dict[str, Any]]) -> dict[str, Any]:
    """Per-key medians of numeric results."""
    keys = samples[0].keys()
    return {
        k: statistics.median(s[k] for s in samples)
        if isinstance(samples[0][k], float | int)
        else samples[0][k]
        for k in keys
    }


def bench_file(path: Path, dialect: str, repeat: int) -> dict[str, Any]:
    """Load, interactions and first paint for one file."""
    loads = [run_json(["-m", "bench.measure", "load", str(path)]) for _ in range(repeat)]
    paints = [
        run_json(["-m", "bench.measure", "paint", str(path)], {"BENCH_T0": repr(time.time())})
        for _ in range(repeat)
    ]
    result = {**median_of(loads), **median_of(paints), "dialect": dialect, "file": path.name}
    if dialect == "dagron":
        # How near the floor any Python loop over the events gets (bench.python_floor).
        least = median_of([run_json(["-m", "bench.python_floor", str(path)])])
        result.update({f"python_floor_{key}": value for key, value in least.items()})
    if shutil.which("tmux"):
        # What a person sees: the real command in a real terminal.
        result.update(median_of([terminal_paint(path) for _ in range(repeat)]))
    tracetui = [sys.executable, "-m", "tracetui", "summary", "--json", str(path)]
    result["summary_s"] = statistics.median(wall(tracetui) for _ in range(repeat))
    jq = shutil.which("jq")
    if jq and dialect in JQ_SUMMARY:
        result["jq_s"] = statistics.median(
            wall([jq, JQ_SUMMARY[dialect], str(path)]) for _ in range(repeat)
        )
    duckdb = duckdb_cli()
    if duckdb and dialect in DUCKDB_SUMMARY:
        query = DUCKDB_SUMMARY[dialect].format(path=str(path).replace("'", "''"))
        result["duckdb_s"] = statistics.median(wall([duckdb, "-c", query]) for _ in range(repeat))
    return result


def bench_diff(nodes: int, repeat: int) -> dict[str, Any]:
    """Two runs of the same workflow, headless diff end to end, against loading both."""
    first = file_for(OUT, "dagron", nodes, seed=1)
    second = file_for(OUT, "dagron", nodes, seed=2)
    command = [
        sys.executable,
        "-m",
        "tracetui",
        "diff",
        str(first),
        str(second),
        "--format",
        "json",
    ]
    diff_s = statistics.median(wall(command) for _ in range(repeat))
    floor = []
    for _ in range(repeat):
        start = time.perf_counter()
        for path in (first, second):
            orjson.loads(path.read_bytes())
        floor.append(time.perf_counter() - start)
    return {"nodes": nodes, "diff_s": diff_s, "floor_s": statistics.median(floor)}


def bench_follow(nodes: int, repeat: int) -> dict[str, Any]:
    """Keys pressed while follow mode reloads a file of ``nodes`` dagron nodes, and while the
    same run, written as JSON lines, grows from half to whole in ten appends."""
    path = file_for(OUT, "dagron", nodes)
    samples = [run_json(["-m", "bench.measure", "follow", str(path)]) for _ in range(repeat)]
    growing = [
        run_json(["-m", "bench.measure", "follow-growing", str(path)]) for _ in range(repeat)
    ]
    return {
        "nodes": nodes,
        **median_of(samples),
        **{f"growing_{key}": value for key, value in median_of(growing).items()},
    }


def bench_failures(count: int, repeat: int) -> dict[str, Any]:
    """``count`` failures: how long grouping and ranking take once loaded."""
    path = file_for(OUT, "failures", count)
    samples = [run_json(["-m", "bench.measure", "failures", str(path)]) for _ in range(repeat)]
    return median_of(samples)


def fmt_s(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"


def fmt_mb(value: float) -> str:
    return f"{value / 1e6:.0f} MB"


def table(
    results: list[dict[str, Any]],
    diffs: list[dict[str, Any]],
    piles: list[dict[str, Any]],
    follows: list[dict[str, Any]] | None = None,
) -> str:
    """The report as markdown."""
    lines = [
        "| dialect | nodes | events | file | read | orjson.loads | load | load / loads |"
        " peak RSS | peak / loads' peak | retained / event | first paint | whole file shown |"
        " key→frame (median / max) |"
        " prepare (background) | search | filter | sort | next failure | summary | jq |"
        " jq / summary | DuckDB CLI | DuckDB / summary |",
        "|" + "---|" * 24,
    ]
    for r in results:
        jq = r.get("jq_s")
        lines.append(
            f"| {r['dialect']} | {int(r['nodes']):,} | {int(r['events']):,} | {fmt_mb(r['bytes'])} "
            f"| {fmt_s(r['read_s'])} | {fmt_s(r['loads_s'])} | {fmt_s(r['load_s'])} "
            f"| {r['load_s'] / r['loads_s']:.1f}x | {fmt_mb(r['peak_bytes'])} "
            f"| {r['peak_bytes'] / r['loads_peak_bytes']:.2f}x "
            f"| {r['retained_bytes'] / max(1, r['events']):.0f} B "
            f"| {fmt_s(r['first_paint_s'])} | {fmt_s(r['fully_loaded_s'])} "
            f"| {fmt_s(r['key_median_s'])} / {fmt_s(r['key_max_s'])} "
            f"| {fmt_s(r.get('prepare_s'))} "
            f"| {fmt_s(r['search_s'])} | {fmt_s(r['filter_s'])} | {fmt_s(r['sort_s'])} "
            f"| {fmt_s(r['next_failure_s'])} | {fmt_s(r['summary_s'])} | {fmt_s(jq)} "
            f"| {ratio(jq, r['summary_s'])} | {fmt_s(r.get('duckdb_s'))} "
            f"| {ratio(r.get('duckdb_s'), r['summary_s'])} |"
        )
    floors = [r for r in results if "python_floor_loads_s" in r]
    if floors:
        lines += [
            "",
            "| dagron, in one process | nodes | orjson.loads | msgspec typed decoding "
            "| + the least Python model | tracetui's load | least / loads | load / loads |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for r in floors:
            loads = r["python_floor_loads_s"]
            lines.append(
                f"| {r['file']} | {int(r['nodes']):,} | {fmt_s(loads)} "
                f"| {fmt_s(r['python_floor_decode_s'])} | {fmt_s(r['python_floor_least_s'])} "
                f"| {fmt_s(r['python_floor_load_s'])} "
                f"| {r['python_floor_least_s'] / loads:.2f}x "
                f"| {r['python_floor_load_s'] / loads:.2f}x |"
            )
    lines += [
        "",
        "| dialect | nodes | failures | distinct signatures | families | collect | group "
        "| rank (scores ≥ 40) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['dialect']} | {int(r['nodes']):,} | {int(r['failures']):,} "
            f"| {int(r['signatures']):,} | {int(r['families']):,} "
            f"| {fmt_s(r['collect_s'])} | {fmt_s(r['group_s'])} "
            f"| {fmt_s(r['rank_s'])} |"
        )
    if piles:
        lines += [
            "",
            "| failures (all distinct texts) | distinct signatures | families "
            "| collect | group into families | index (once) | rank (scores ≥ 40) "
            "| rank (every score) |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for p in piles:
            lines.append(
                f"| {int(p['failures']):,} | {int(p['signatures']):,} | {int(p['families']):,} "
                f"| {fmt_s(p['collect_s'])} | {fmt_s(p['group_s'])} "
                f"| {fmt_s(p.get('index_s'))} | {fmt_s(p['rank_s'])} "
                f"| {fmt_s(p.get('rank_all_s'))} |"
            )
    if diffs:
        lines += [
            "",
            "| diff of two dagron runs | nodes each | end to end | floor (loads of both) | ratio |",
            "|---|---|---|---|---|",
        ]
        for d in diffs:
            lines.append(
                f"| headless `--format json` | {int(d['nodes']):,} | {fmt_s(d['diff_s'])} "
                f"| {fmt_s(d['floor_s'])} | {d['diff_s'] / d['floor_s']:.1f}x |"
            )
    if follows:
        lines += [
            "",
            "| follow mode, a reload of | reload (in a worker) | keys pressed meanwhile "
            "| key→frame median / max |",
            "|---|---|---|---|",
        ]
        for f in follows:
            lines.append(
                f"| {int(f['nodes']):,} dagron nodes | {fmt_s(f['reload_s'])} "
                f"| {int(f['keys_during_reload'])} "
                f"| {fmt_s(f['reload_key_median_s'])} / {fmt_s(f['reload_key_max_s'])} |"
            )
        lines += [
            "",
            "| follow mode, a JSON-lines run growing from half to | appends | reload median "
            "/ max | key→frame median / max | bytes parsed | if read whole each time |",
            "|---|---|---|---|---|---|",
        ]
        for f in follows:
            lines.append(
                f"| {int(f['nodes']):,} dagron nodes | {int(f['growing_appends'])} "
                f"| {fmt_s(f['growing_reload_median_s'])} / {fmt_s(f['growing_reload_max_s'])} "
                f"| {fmt_s(f['growing_key_median_s'])} / {fmt_s(f['growing_key_max_s'])} "
                f"| {fmt_mb(f['growing_bytes_parsed'])} | {fmt_mb(f['growing_bytes_if_reread'])} |"
            )
    return "\n".join(lines)


def main() -> None:
    """Generate what is missing, measure, print the table (and save it under bench/out)."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="10k nodes, one repeat")
    parser.add_argument("--sizes", help="comma-separated node counts")
    parser.add_argument("--dialects", help="comma-separated dialects")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--million", action="store_true", help="also 1M nodes of dagron")
    parser.add_argument(
        "--million-failures",
        action="store_true",
        help="also group and rank 1M failures (slow: minutes)",
    )
    args = parser.parse_args()
    dialects = args.dialects.split(",") if args.dialects else sorted(WRITERS)
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else [10_000, 100_000]
    repeat = args.repeat
    if args.quick:
        sizes, repeat = [10_000], 1
    plan = [(d, n) for n in sizes for d in dialects]
    if args.million and not args.quick:
        plan.append(("dagron", 1_000_000))
    results = []
    for dialect, nodes in plan:
        path = file_for(OUT, dialect, nodes)
        print(
            f"bench: {dialect} {nodes:,} nodes ({path.stat().st_size / 1e6:.0f} MB)",
            file=sys.stderr,
        )
        results.append(bench_file(path, dialect, repeat))
        OUT.mkdir(exist_ok=True)
        (OUT / "partial.json").write_bytes(orjson.dumps(results))
    diffs = [
        bench_diff(n, repeat) for n in sorted({min(sizes), 100_000} & set(sizes) or {min(sizes)})
    ]
    pile_sizes = (
        [10_000] if args.quick else [100_000] + ([1_000_000] if args.million_failures else [])
    )
    piles = []
    for count in pile_sizes:
        print(f"bench: {count:,} failures", file=sys.stderr)
        piles.append(bench_failures(count, repeat))
    follows = [bench_follow(n, repeat) for n in sorted({max(sizes)})]
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    report = f"Measured {stamp} on {machine}; medians of {repeat}.\n\n" + table(
        results, diffs, piles, follows
    )
    OUT.mkdir(exist_ok=True)
    (OUT / "results.md").write_text(report + "\n")
    (OUT / "results.json").write_bytes(
        orjson.dumps({"results": results, "diffs": diffs, "failures": piles, "follow": follows})
    )
    print(report)


if __name__ == "__main__":
    main()
