"""A throwaway PostgreSQL server on loopback, with claude-flow's schema and the corpus rows.

Importable without third-party packages, so ``.ci/run`` can start the server with the system
Python before the test environment exists: ``python3 -m tests.pg_server start DIR``.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from tests.helpers import SAMPLES

PASSWORD = "s3cret-pw"


def schema(first: datetime, months: int) -> str:
    """claude-flow's table as its migration 006 makes it (CORPUS.md: the primary key, no
    other index), partitioned by month, with a partition from ``first``'s month for each of
    ``months`` months after it too."""
    parts = []
    start = first.replace(day=1)
    for _ in range(months + 1):
        following = (start + timedelta(days=32)).replace(day=1)
        parts.append(
            f"CREATE TABLE execution_traces_{start:%Y_%m} PARTITION OF execution_traces "
            f"FOR VALUES FROM ('{start:%Y-%m-%d}') TO ('{following:%Y-%m-%d}');"
        )
        start = following
    return """
CREATE TABLE execution_traces (
    trace_id VARCHAR(255) NOT NULL,
    started_at TIMESTAMP NOT NULL,
    skill_name VARCHAR(255) NOT NULL,
    completed_at TIMESTAMP DEFAULT NOW(),
    total_duration_ms INTEGER,
    status VARCHAR(50) NOT NULL CHECK (status IN ('running', 'success', 'failed', 'timeout')),
    steps JSONB DEFAULT '[]'::jsonb,
    error_message TEXT,
    metadata JSONB DEFAULT '{}'::jsonb,
    PRIMARY KEY (trace_id, started_at)
) PARTITION BY RANGE (started_at);
""" + "\n".join(parts)


# The corpus rows' table: October to December 2026.
SCHEMA = schema(datetime(2026, 10, 1), 2)


def find_bin() -> Path | None:
    """The PostgreSQL server binaries, if installed."""
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(candidate, "initdb").exists() and Path(candidate, "pg_ctl").exists():
            return Path(candidate)
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Server:
    """Where the test server listens and how to reach it."""

    port: int
    socket_dir: str

    def url(
        self, user: str = "postgres", password: str | None = PASSWORD, database: str = "claude"
    ) -> str:
        auth = f"{user}:{password}" if password is not None else user
        return f"postgresql://{auth}@127.0.0.1:{self.port}/{database}"

    def psql(self, sql: str, database: str = "claude") -> None:
        import psycopg

        with psycopg.connect(
            host=self.socket_dir, port=self.port, user="postgres", dbname=database, autocommit=True
        ) as conn:
            conn.execute(sql)


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


def start(base: Path) -> Server:
    """Create and start a cluster in ``base`` (an empty folder), listening on loopback only."""
    binaries = find_bin()
    if binaries is None:
        raise RuntimeError("PostgreSQL server binaries not found")
    data = base / "data"
    pwfile = base / "pw"
    pwfile.write_text(PASSWORD + "\n")
    if os.geteuid() == 0:
        uid = pwd.getpwnam("postgres")
        for path in (base, pwfile):
            os.chown(path, uid.pw_uid, uid.pw_gid)
    port = free_port()
    subprocess.run(
        _as_server_user(
            [
                str(binaries / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                f"--pwfile={pwfile}",
                "--no-sync",
                "-E",
                "UTF8",
            ]
        ),
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        _as_server_user(
            [
                str(binaries / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-w",
                "-l",
                str(base / "log"),
                "start",
            ]
        ),
        check=True,
        capture_output=True,
    )
    return Server(port, str(base))


def stop(base: Path) -> None:
    """Stop the cluster in ``base`` and remove it."""
    binaries = find_bin()
    if binaries is not None:
        subprocess.run(
            _as_server_user(
                [str(binaries / "pg_ctl"), "-D", str(base / "data"), "-m", "immediate", "stop"]
            ),
            check=False,
            capture_output=True,
        )
    shutil.rmtree(base, ignore_errors=True)


def prepare(server: Server, database: str = "claude") -> None:
    """A fresh database with claude-flow's schema and the corpus rows."""
    server.psql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)", database="postgres")
    server.psql(f"CREATE DATABASE {database}", database="postgres")
    server.psql(SCHEMA, database=database)
    load_corpus_rows(server, database)


@contextmanager
def running_server() -> Iterator[Server]:
    """The server .ci/run started (TRACETUI_TEST_PG=port:socket_dir), or one of our own."""
    given = os.environ.get("TRACETUI_TEST_PG")
    if given:
        port, socket_dir = given.split(":", 1)
        server = Server(int(port), socket_dir)
        prepare(server)
        yield server
        return
    base = Path(tempfile.mkdtemp(prefix="tracetui-pg-"))
    try:
        server = start(base)
        prepare(server)
        yield server
    finally:
        stop(base)


def main() -> None:
    """``python -m tests.pg_server start DIR`` prints PORT:SOCKET_DIR; ``stop DIR`` ends it."""
    import sys

    action, folder = sys.argv[1], Path(sys.argv[2])
    if action == "start":
        folder.mkdir(parents=True, exist_ok=True)
        server = start(folder)
        print(f"{server.port}:{server.socket_dir}")
    else:
        stop(folder)


if __name__ == "__main__":
    main()


def load_corpus_rows(server: Server, database: str = "claude") -> None:
    """The rows claude-flow wrote, as they came out of its table."""
    import orjson
    import psycopg
    from psycopg.types.json import Jsonb

    lines = (SAMPLES / "cfn/execution_traces.rows.psql.jsonl").read_bytes().splitlines()
    with psycopg.connect(
        host=server.socket_dir, port=server.port, user="postgres", dbname=database, autocommit=True
    ) as conn:
        for line in lines:
            row = orjson.loads(line)
            conn.execute(
                "INSERT INTO execution_traces VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                (
                    row["trace_id"],
                    row["started_at"],
                    row["skill_name"],
                    row["completed_at"],
                    row["total_duration_ms"],
                    row["status"],
                    Jsonb(row["steps"]),
                    row["error_message"],
                    Jsonb(row["metadata"]),
                ),
            )
