"""claude-flow's database at production size: a PostgreSQL on loopback filled with a million
rows shaped like the corpus's (tests/pg_bulk.py), then tracetui measured next to the same SQL
run alone in ``psql`` (the floor, measured in the same run):

- ``runs --json`` with its statistics (per skill, per day, overall; P50/P95 by PostgreSQL)
- the runs view's first screen in a real terminal (tmux), and jumping to the oldest run
- ``failures --json`` (about 10% of runs fail), and ``failures --similar``
- peak memory of each

python -m bench.database [--rows 1000000] [--repeat 3]

Needs the PostgreSQL server binaries (Debian's postgresql), psql and tmux. Prints a table of
seconds and ratios to the floor; nothing here is asserted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from tests.pg_bulk import fill
from tests.pg_server import Server, find_bin, start, stop
from tracetui.inputs import run_queries
from tracetui.inputs.database import CfnDatabase
from tracetui.inputs.run_pages import first_page
from tracetui.runfilter import RunFilter

DATABASE = "bench"
TABLE = "execution_traces"
LISTED = 50  # runs --limit


def psql_command(server: Server) -> list[str]:
    """The psql client, talking to the bench database over the server's socket."""
    binaries = find_bin()
    psql = shutil.which("psql") or (str(binaries / "psql") if binaries else "psql")
    return [psql, "-X", "-q", "-h", server.socket_dir, "-p", str(server.port), "-U", "postgres"]


def literal_sql(server: Server, query: run_queries.Query) -> str:
    """A built query with its parameters written in, as psql takes it."""
    import psycopg

    with psycopg.connect(
        host=server.socket_dir, port=server.port, user="postgres", dbname=DATABASE
    ) as connection:
        text: str = psycopg.ClientCursor(connection).mogrify(query.sql, query.params)
        return text


def psql_seconds(server: Server, statements: list[str]) -> float:
    """Seconds psql takes to run the statements and write their rows (to /dev/null)."""
    script = ";\n".join(statements) + ";\n"
    started = time.perf_counter()
    subprocess.run(
        [*psql_command(server), "-d", DATABASE, "-o", os.devnull, "-v", "ON_ERROR_STOP=1"],
        input=script.encode(),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def command_seconds_and_peak(command: list[str]) -> tuple[float, int]:
    """Seconds and peak resident bytes of one command run alone (a wrapper process reads
    its child's peak, so the bench's own memory is not counted)."""
    wrapper = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True)\n"
        "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    done = subprocess.run(
        [sys.executable, "-c", wrapper, *command], capture_output=True, text=True, check=True
    )
    seconds, peak_kb = done.stdout.split()
    return float(seconds), int(peak_kb) * 1024


def peak_of(pid: int) -> int:
    """A live process's peak resident bytes (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def terminal(url: str, total: int, oldest: str) -> dict[str, float]:
    """In tmux at 120x30: seconds from launch until the first screen shows the runs and
    their total, then from pressing G until the oldest run is on screen; the app's peak
    memory."""
    name = f"benchdb-{os.getpid()}-{time.monotonic_ns()}"
    tmux = ["tmux", "-L", name, "-f", os.devnull]
    command = f"exec {sys.executable} -m tracetui open '{url}'"
    started = time.perf_counter()
    subprocess.run(
        [*tmux, "new-session", "-d", "-x", "120", "-y", "30", "-s", name, command], check=True
    )

    def screen() -> str:
        return subprocess.run(
            [*tmux, "capture-pane", "-p", "-t", name], capture_output=True, text=True, check=False
        ).stdout

    def wait(done: Callable[[str], bool]) -> float:
        begin = time.perf_counter()
        while time.perf_counter() - begin < 120:
            if done(screen()):
                return time.perf_counter()
            time.sleep(0.01)
        raise RuntimeError(f"the screen never showed what was awaited:\n{screen()}")

    try:
        first = wait(lambda s: f"{total:,} runs" in s and "\u2026 reading" not in s) - started
        pid = int(
            subprocess.run(
                [*tmux, "list-panes", "-t", name, "-F", "#{pane_pid}"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split()[0]
        )
        pressed = time.perf_counter()
        subprocess.run([*tmux, "send-keys", "-t", name, "G"], check=True)
        jump = wait(lambda s: oldest in s) - pressed
        peak = peak_of(pid)
    finally:
        subprocess.run([*tmux, "kill-server"], check=False, capture_output=True)
    return {"first_screen_s": first, "oldest_s": jump, "peak_bytes": float(peak)}


def similar_floor(server: Server, text: str, limit: int) -> list[str]:
    """The SQL a similar search sends: the distinct messages, then the rows holding the
    ones it lists."""
    import psycopg

    from tracetui.analysis.failures import alike_messages
    from tracetui.analysis.signature import DEFAULT_MIN_SCORE

    messages = run_queries.failure_messages(TABLE, RunFilter())
    with psycopg.connect(
        host=server.socket_dir, port=server.port, user="postgres", dbname=DATABASE
    ) as connection:
        counts: dict[str | None, int] = dict(
            connection.execute(messages.sql, messages.params).fetchall()
        )
    chosen = alike_messages(counts, text, DEFAULT_MIN_SCORE, limit)
    rows = run_queries.failing_rows(TABLE, RunFilter(), messages=chosen)
    return [literal_sql(server, messages), literal_sql(server, rows)]


def median(values: list[float]) -> float:
    return statistics.median(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if find_bin() is None or not shutil.which("tmux"):
        raise SystemExit("bench.database needs PostgreSQL's server binaries and tmux")
    base = Path(tempfile.mkdtemp(prefix="tracetui-bench-pg-"))
    try:
        server = start(base)
        began = time.perf_counter()
        fill(server, DATABASE, args.rows)
        print(f"filled {args.rows:,} rows in {time.perf_counter() - began:.0f} s", flush=True)
        report(server, args.rows, args.repeat)
    finally:
        stop(base)


def report(server: Server, rows: int, repeat: int) -> None:
    """Measure each task and its floor ``repeat`` times; print medians and ratios."""
    import psycopg

    url = server.url(database=DATABASE)
    everything = RunFilter()
    stats_sql = literal_sql(server, run_queries.statistics(TABLE, everything, "day"))
    newest_sql = literal_sql(server, run_queries.page(TABLE, everything, "newest", LISTED))
    count_sql = literal_sql(server, run_queries.count(TABLE, everything))
    # The page queries the runs view sends (each within the stretch of time it reads).
    database = CfnDatabase(url)
    pages = first_page(database, everything)
    first_sql = [literal_sql(server, query) for query in pages.sent]
    sent = len(pages.sent)
    pages.load(pages.page_count - 1)
    last_sql = [literal_sql(server, query) for query in pages.sent[sent:]]
    database.close()
    failing_sql = literal_sql(server, run_queries.failing_rows(TABLE, everything))
    with psycopg.connect(
        host=server.socket_dir, port=server.port, user="postgres", dbname=DATABASE
    ) as connection:
        oldest = connection.execute(f"SELECT min(started_at) FROM {TABLE}").fetchone()
        assert oldest is not None
        oldest_text = oldest[0].strftime("%m-%d %H:%M:%S")
    tracetui = [sys.executable, "-m", "tracetui"]
    similar = "Redis connection timeout after 500ms"
    tasks: dict[str, tuple[list[str], list[str]]] = {
        "runs --json (statistics + newest 50)": (
            [*tracetui, "runs", url, "--json", "--limit", str(LISTED)],
            [stats_sql, newest_sql],
        ),
        "failures (families of every failure)": (
            [*tracetui, "failures", url],
            [failing_sql],
        ),
        "failures --json (each failure listed)": (
            [*tracetui, "failures", url, "--json"],
            [failing_sql],
        ),
        "failures --similar --limit 20": (
            [*tracetui, "failures", url, "--similar", similar, "--limit", "20", "--json"],
            similar_floor(server, similar, 20),
        ),
    }
    results: list[tuple[str, float, float, int]] = []
    for label, (command, floor) in tasks.items():
        ours, peaks, floors = [], [], []
        for _ in range(repeat):
            floors.append(psql_seconds(server, floor))
            seconds, peak = command_seconds_and_peak(command)
            ours.append(seconds)
            peaks.append(peak)
        results.append((label, median(ours), median(floors), max(peaks)))
        print(f"measured {label}", flush=True)
    screens = [terminal(url, rows, oldest_text) for _ in range(repeat)]
    first_floor = median([psql_seconds(server, [count_sql, *first_sql]) for _ in range(repeat)])
    last_floor = median([psql_seconds(server, last_sql) for _ in range(repeat)])
    peak = int(max(s["peak_bytes"] for s in screens))
    results.append(
        (
            "runs view: first screen (tmux)",
            median([s["first_screen_s"] for s in screens]),
            first_floor,
            peak,
        )
    )
    results.append(
        (
            "runs view: G to the oldest run",
            median([s["oldest_s"] for s in screens]),
            last_floor,
            peak,
        )
    )
    print()
    print(f"{rows:,} rows; medians of {repeat}; floor = the same SQL alone in psql")
    print(f"{'task':<40} {'tracetui':>9} {'floor':>8} {'ratio':>6} {'peak MB':>8}")
    for label, ours_s, floor_s, peak_bytes in results:
        print(
            f"{label:<40} {ours_s:>8.2f}s {floor_s:>7.2f}s {ours_s / floor_s:>5.1f}x "
            f"{peak_bytes / 1e6:>8.0f}"
        )


if __name__ == "__main__":
    main()
