"""claude-flow's PostgreSQL table as a source: against a real server on loopback, no mocks."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from tests.cli_helpers import run
from tests.helpers import ROOT, sample
from tests.pg_server import PASSWORD, Server, find_bin, running_server
from tracetui.app.app import TraceApp
from tracetui.app.explorer import ExplorerScreen
from tracetui.app.run_list import RunList
from tracetui.app.runs import RunsScreen
from tracetui.errors import TraceError
from tracetui.inputs.database import load_database
from tracetui.inputs.database_url import is_database_url, redact
from tracetui.inputs.start import ListRuns
from tracetui.loaders import load_path
from tracetui.model import Status, Trace
from tracetui.runfilter import RunFilter

psycopg = pytest.importorskip("psycopg", reason="the postgres extra is not installed")

# CI must not skip these: .ci/run installs PostgreSQL, so missing binaries there are a failure.
if find_bin() is None and not os.environ.get("CI") and not os.environ.get("TRACETUI_TEST_PG"):
    pytest.skip("no PostgreSQL server binaries here", allow_module_level=True)


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with running_server() as running:
        yield running


def rows_by_id() -> dict[str | None, Trace]:
    return {t.id: t for t in load_path(sample("cfn/execution_traces.rows.psql.jsonl")).traces}


def test_runs_load_exactly_as_the_file_exports(server: Server) -> None:
    traces = load_database(server.url())
    expected = rows_by_id()
    assert len(traces.traces) == 10
    starts = [t.started_at.timestamp() if t.started_at else 0.0 for t in traces.traces]
    assert starts == sorted(starts, reverse=True)  # newest first, as query_by_skill
    for trace in traces.traces:
        twin = expected[trace.id]
        assert (trace.name, trace.status, trace.started_at, trace.error) == (
            twin.name,
            twin.status,
            twin.started_at,
            twin.error,
        )
        full = traces.complete(trace) if traces.complete else trace
        assert [(s.name, s.status, s.duration, s.error) for s in full.nodes()] == [
            (s.name, s.status, s.duration, s.error) for s in twin.nodes()
        ]
        assert full.attributes["metadata"] == twin.attributes["metadata"]


def test_successful_runs_are_listed_without_steps_until_opened(server: Server) -> None:
    traces = load_database(server.url())
    lint = next(t for t in traces.traces if t.name == "lint-code")
    assert "partial" in lint.attributes and list(lint.nodes()) == []
    assert traces.complete is not None
    full = traces.complete(lint)
    twin = rows_by_id()[lint.id]
    assert [s.name for s in full.nodes()] == [s.name for s in twin.nodes()]
    assert list(full.nodes())
    failed = next(t for t in traces.traces if t.name == "database-backup")
    assert "partial" not in failed.attributes and list(failed.nodes())


def test_filters_run_in_sql(server: Server) -> None:
    from datetime import UTC, datetime

    redis = load_database(server.url(), RunFilter(name="redis-coordination"))
    assert [t.id for t in redis.traces] == [
        "98bdcdc7-f5f0-4e55-975d-0ea047c7e51e",
        "f954051c-8860-4315-b8a2-522640854db4",
    ]
    assert len(load_database(server.url(), RunFilter(limit=3)).traces) == 3
    timeouts = load_database(server.url(), RunFilter(statuses=frozenset({Status.TIMED_OUT})))
    assert [t.name for t in timeouts.traces] == ["deploy-staging"]
    window = load_database(
        server.url(),
        RunFilter(
            since=datetime(2026, 11, 22, 2, 2, 34, 199000, tzinfo=UTC),
            until=datetime(2026, 11, 22, 2, 2, 34, 240000, tzinfo=UTC),
        ),
    )
    assert {t.name for t in window.traces} == {
        "docker-build",
        "redis-coordination",
        "database-migration",
    }


def test_nothing_is_ever_written(server: Server) -> None:
    traces = load_database(server.url())
    assert traces.complete is not None
    database = traces.complete.__self__  # type: ignore[attr-defined]
    assert database.connection.read_only is True
    with pytest.raises(TraceError, match="read-only transaction"):
        database._query("DELETE FROM execution_traces")
    assert len(load_database(server.url()).traces) == 10


def test_credentials_the_libpq_way(
    server: Server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url = server.url(password=None)
    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    assert len(load_database(url).traces) == 10
    monkeypatch.delenv("PGPASSWORD")
    passfile = tmp_path / "pgpass"
    passfile.write_text(f"127.0.0.1:{server.port}:claude:postgres:{PASSWORD}\n")
    passfile.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(passfile))
    assert len(load_database(url).traces) == 10


def test_urls_are_recognised_and_redacted() -> None:
    assert is_database_url("postgresql://u@h/db") and is_database_url("postgres://h/db")
    assert not is_database_url("trace.json")
    assert redact("postgresql://bob:hunter2@db:5432/x") == "postgresql://bob:***@db:5432/x"


def test_cli_runs_and_failures_from_the_database(server: Server) -> None:
    url = server.url()
    runs = run("runs", url, "--name", "redis-coordination", "--json")
    assert runs.code == 0, runs.err
    doc = orjson.loads(runs.out)
    assert [r["id"] for r in doc["runs"]] == [
        "98bdcdc7-f5f0-4e55-975d-0ea047c7e51e",
        "f954051c-8860-4315-b8a2-522640854db4",
    ]
    assert PASSWORD not in runs.out + runs.err
    assert doc["runs"][0]["source"] == redact(url)
    similar = run(
        "failures", url, "--similar", "connection timeout redis", "--cfn-compatible", "--json"
    )
    assert (
        orjson.loads(similar.out)
        == orjson.loads((ROOT / "sample_traces/cfn/find_similar_failures.json").read_bytes())[
            "connection timeout redis"
        ]
    )
    families = orjson.loads(run("failures", url, "--json").out)
    assert families["failures"] == 8


@pytest.mark.parametrize(
    ("make_url", "message"),
    [
        (lambda s: s.url(password="wrong"), "password authentication failed"),
        (
            lambda s: f"postgresql://postgres@127.0.0.1:{s.port + 1}/claude",
            "cannot reach the server",
        ),
        (lambda s: s.url(database="nope"), 'database "nope" does not exist'),
    ],
)
def test_connection_problems_are_one_line_and_exit_2(
    server: Server, make_url: object, message: str
) -> None:
    url = make_url(server)  # type: ignore[operator]
    result = run("runs", url)
    assert result.code == 2
    assert len(result.err.splitlines()) == 1
    assert message in result.err
    assert "wrong" not in result.err and PASSWORD not in result.err
    assert result.err.startswith(f"tracetui: {redact(url)}: ")


def test_missing_table_and_table_of_another_shape(server: Server) -> None:
    server.psql("DROP DATABASE IF EXISTS other WITH (FORCE)", database="postgres")
    server.psql("CREATE DATABASE other", database="postgres")
    missing = run("runs", server.url(database="other"))
    assert missing.code == 2 and "no table execution_traces" in missing.err
    server.psql(
        "CREATE TABLE execution_traces (trace_id text, started_at timestamp)", database="other"
    )
    shape = run("runs", server.url(database="other"))
    assert shape.code == 2 and "has another shape" in shape.err
    assert "steps" in shape.err


def test_without_the_driver_the_url_says_how_to_install_it(server: Server) -> None:
    code = (
        "import sys; sys.modules['psycopg'] = None; from tracetui.cli import main; "
        f"sys.exit(main(['runs', {server.url()!r}]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=ROOT
    )
    assert done.returncode == 2
    assert "pip install '.[postgres]'" in done.stderr


async def test_open_the_database_in_the_runs_view(server: Server) -> None:
    sets = [load_database(server.url())]
    app = TraceApp(ListRuns(sets))
    async with app.run_test(size=(120, 30)) as pilot:
        assert isinstance(app.screen, RunsScreen)
        view = app.screen.query_one(RunList)
        assert len(view.rows) == 10
        position = next(i for i, r in enumerate(view.rows) if r.name == "lint-code")
        view.cursor = position
        await pilot.press("enter")
        assert isinstance(app.screen, ExplorerScreen)
        assert "partial" not in app.screen.trace.attributes


def test_a_cap_says_how_much_it_left_out(server: Server) -> None:
    capped = load_database(server.url(), RunFilter(limit=3))
    assert len(capped.traces) == 3
    assert any("newest 3 of 10 matching runs" in w for w in capped.warnings)
    assert not load_database(server.url(), RunFilter(limit=50)).warnings
    result = run("failures", server.url(), "--max-runs", "2")
    failing = sum(1 for t in rows_by_id().values() if any(s.status.is_failure for s in t.nodes()))
    assert result.code == 0 and f"newest 2 of {failing} runs with a failure" in result.err


def test_ok_runs_listed_from_the_table_have_their_wall_time(server: Server) -> None:
    traces = load_database(server.url())
    lint = next(t for t in traces.traces if t.name == "lint-code")
    assert "partial" in lint.attributes and lint.duration is not None and lint.duration > 0
    twin = rows_by_id()[lint.id]
    assert lint.duration == twin.duration  # as the same row read from a file
