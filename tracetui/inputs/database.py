"""claude-flow's PostgreSQL ``execution_traces`` table as a source of runs, read-only: one
connection, every statement under a timeout. Filters, counts and statistics run in SQL; runs
are listed without their steps (read when opened); failing rows stream through one cursor.
The SQL itself is in ``run_queries``. The driver (psycopg 3) is an optional extra:
``pip install '.[postgres]'`` from a checkout. Credentials come the libpq way (the URL,
``PGPASSWORD``, ``~/.pgpass``, ``PG*`` variables) and are never printed.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from tracetui.analysis.failures import alike_messages
from tracetui.analysis.runs import RunStatistics, WorkflowStats
from tracetui.analysis.signature import DEFAULT_MIN_SCORE
from tracetui.errors import RecordError, TraceError
from tracetui.inputs import run_queries
from tracetui.inputs.database_url import SETTINGS, redact, scrub
from tracetui.inputs.run_queries import LIST_COLUMNS, Query, naive_utc
from tracetui.loaders.cfn import DIALECT, TRACE_COLUMNS, load_trace
from tracetui.model import Status, Trace, TraceSet
from tracetui.runfilter import STATUS_ALIASES, RunFilter
from tracetui.source import collector_paused

TABLE = "execution_traces"
DEFAULT_LIMIT = 1000
CONNECT_TIMEOUT_S = 5
# Memory each sort of this session's queries may use before spilling to disk.
WORK_MEM = "64MB"
# Rows read at a time when walking many (failures): memory stays bounded by a page.
FAILURE_PAGE = 2000
# Distinct failure messages a similar search scores itself; past this many, where pg_trgm is
# installed, the server chooses the rows by trigram likeness instead.
MESSAGE_CAP = 50_000
# With --trigram: how alike (pg_trgm word_similarity, 0-1) an error must be to a --similar
# text to be read at all; rapidfuzz ranks what is read.
SIMILAR_PREFILTER = 0.2


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError:
        raise TraceError(
            "reading PostgreSQL needs the driver: pip install '.[postgres]' in tracetui's checkout"
            " (or pipx install '.[postgres]'; in any environment: pip install 'psycopg[binary]')"
        ) from None
    return psycopg


@dataclass(frozen=True, slots=True)
class RunCounts:
    """How many runs a filter selects, by how they ended."""

    runs: int
    failed: int
    timed_out: int
    running: int
    first_at: datetime | None = None  # the earliest start among them (naive UTC)
    last_at: datetime | None = None  # the latest


class CfnDatabase:
    """A read-only connection to claude-flow's database: one connection, every transaction
    read-only, every statement under a timeout, safe to call from worker threads."""

    def __init__(
        self, url: str, table: str = TABLE, statement_timeout_s: float | None = None
    ) -> None:
        self.url = url
        self.label = redact(url)
        self.table = table
        self.statement_timeout_s = (
            statement_timeout_s if statement_timeout_s is not None else SETTINGS.timeout_s
        )
        self._lock = threading.Lock()
        self._trigram: bool | None = None
        self.connection = self._connect()
        self._check_shape()

    def _connect(self) -> Any:
        """A new connection: read-only, statements under the timeout."""
        psycopg = _psycopg()
        url = self.url
        try:
            connection = psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_S)
        except psycopg.OperationalError as exc:
            raise TraceError(scrub(_connect_problem(str(exc)), url)) from None
        except (psycopg.ProgrammingError, psycopg.InterfaceError) as exc:
            problem = scrub(_first_line(str(exc)), url)
            raise TraceError(f"not a usable database URL: {problem}") from None
        # Nothing is ever written: every transaction is read-only.
        connection.read_only = True
        # JSONB columns (steps, metadata) decoded by orjson: about 8x the standard library.
        psycopg.types.json.set_json_loads(orjson.loads, connection)
        timeout = f"{max(1, round(self.statement_timeout_s * 1000))}ms"
        # Statistics sort a million durations per grouping: in memory, not in files, and
        # without JIT compiling, which costs more than it saves on queries this short.
        connection.execute(
            "SELECT set_config('statement_timeout', %s, false), "
            "set_config('work_mem', %s, false), set_config('jit', 'off', false)",
            (timeout, WORK_MEM),
        )
        connection.commit()
        return connection

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()

    def _query(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> list[Any]:
        """Rows of one statement in its own read-only transaction; any failure is a
        TraceError whose one line says what happened (and holds no secret)."""
        psycopg = _psycopg()
        with self._lock:
            if self.connection.closed or self.connection.broken:
                # Dropped earlier (and said so then): connect again for this query.
                self.connection = self._connect()
            try:
                with self.connection.cursor() as cursor, collector_paused():
                    cursor.execute(sql, params)
                    rows: list[Any] = cursor.fetchall()
                self.connection.rollback()  # end the read-only transaction
                return rows
            except psycopg.Error as exc:
                problem = self._problem(exc)
                with contextlib.suppress(psycopg.Error):  # gone: the problem says so
                    self.connection.rollback()
                raise TraceError(problem) from None

    def _problem(self, exc: Exception) -> str:
        psycopg = _psycopg()
        if isinstance(exc, psycopg.errors.QueryCanceled):
            return (
                f"the query took longer than {self.statement_timeout_s:g} s and was cancelled "
                "(statement timeout): narrow it with --since, --until or --name, or allow "
                "more with --statement-timeout"
            )
        if self.connection.closed or isinstance(exc, psycopg.OperationalError):
            detail = scrub(_first_line(str(exc)), self.url)
            return f"lost the connection to the database ({detail})"
        return f"query failed: {scrub(_first_line(str(exc)), self.url)}"

    def run(self, query: Query) -> list[Any]:
        """Rows of a built query."""
        return self._query(query.sql, query.params)

    def _check_shape(self) -> None:
        rows = self._query(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s",
            (self.table,),
        )
        if not rows:
            raise TraceError(f"no table {self.table} (is this claude-flow's database?)")
        missing = TRACE_COLUMNS - {r[0] for r in rows}
        if missing:
            raise TraceError(
                f"table {self.table} has another shape (missing columns: "
                f"{', '.join(sorted(missing))})"
            )

    @property
    def has_trigram(self) -> bool:
        """Whether pg_trgm is installed in this database (tracetui never installs it)."""
        if self._trigram is None:
            rows = self._query("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
            self._trigram = bool(rows)
        return self._trigram

    def counts(self, wanted: RunFilter, *, failing: bool = False) -> RunCounts:
        """How many runs match the filter (its limit aside); with ``failing``, of those
        only the runs with a failing step."""
        more = (run_queries.FAILING_ROW,) if failing else ()
        query = run_queries.count(self.table, wanted, *more)
        runs, failed, timed_out, running, first_at, last_at = self.run(query)[0]
        return RunCounts(runs, failed, timed_out, running, first_at, last_at)

    def statistics(self, wanted: RunFilter, bucket: str = "day") -> RunStatistics:
        """Runs, failure and timeout rates, P50 and P95 over every matching run, overall,
        per skill and per time bucket, computed by PostgreSQL in one scan."""
        rows = self.run(run_queries.statistics(self.table, wanted, bucket))
        overall = WorkflowStats("all", 0, 0, None, None)
        workflows, buckets = [], []
        first_at = last_at = None
        for by_skill, by_bucket, skill, start, runs, failed, timed_out, p50, p95, *span in rows:
            if by_skill and by_bucket:
                overall = WorkflowStats("all", runs, failed, p50, p95, timed_out)
                first_at, last_at = span
            elif not by_skill:
                workflows.append(WorkflowStats(skill, runs, failed, p50, p95, timed_out))
            else:
                name = start.isoformat() if isinstance(start, datetime) else str(start)
                buckets.append(WorkflowStats(name, runs, failed, p50, p95, timed_out))
        workflows.sort(key=lambda s: (-s.runs, s.name))
        buckets.sort(key=lambda s: s.name, reverse=True)
        return RunStatistics(
            overall,
            workflows,
            buckets,
            bucket,
            computed_by="PostgreSQL",
            first_at=first_at,
            last_at=last_at,
        )

    def traces(self, query: Query) -> tuple[list[Trace], list[str]]:
        """The runs of a query's rows, and a warning per row that could not be read."""
        return self._load_rows(self.run(query))

    def _load_rows(self, rows: list[Any]) -> tuple[list[Trace], list[str]]:
        traces: list[Trace] = []
        warnings: list[str] = []
        with collector_paused():
            for row in rows:
                try:
                    traces.append(self._trace(row))
                except RecordError as exc:
                    warnings.append(f"row {row[0]}: {exc}, skipped")
        return traces, warnings

    def runs(self, wanted: RunFilter, with_steps: bool = False) -> TraceSet:
        """The newest ``wanted.limit`` runs (1,000 unless given), filtered in SQL; steps only
        for failed ones unless asked. A warning says how many runs the limit left out."""
        limit = wanted.limit if wanted.limit is not None else DEFAULT_LIMIT
        steps = run_queries.WHOLE_STEPS if with_steps else run_queries.LISTED_STEPS
        query = run_queries.page(self.table, wanted, "newest", limit, steps=steps)
        # Every row is listed; one that cannot be read as a run says why.
        traces = [self.listed(row) for row in self.run(query)]
        warnings: list[str] = []
        if len(traces) >= limit:
            # A cap applies: say how much it left out, and how to read more.
            total = self.counts(wanted).runs
            if total > limit:
                warnings.insert(
                    0,
                    f"read the newest {limit:,} of {total:,} matching runs (--limit N reads more)",
                )
        return TraceSet(self.label, traces, warnings, complete=self.complete)

    def failing_pages(
        self,
        wanted: RunFilter,
        similar: str | None = None,
        *,
        min_score: float = DEFAULT_MIN_SCORE,
        limit: int | None = None,
        trigram: bool = False,
        size: int = FAILURE_PAGE,
    ) -> Iterator[TraceSet]:
        """Every run with a failing step, newest first, a page at a time: only failing rows
        are read. With ``similar``, only the rows holding a failure ``rank`` would list (at
        least ``min_score``; enough for ``limit``): the distinct messages are scored first,
        then only rows with a chosen one are read, so the answer is a full scan's. Where
        pg_trgm is installed and the messages are too many to score (more than
        ``MESSAGE_CAP``), or with ``trigram``, rows are chosen by pg_trgm word similarity
        instead, which may miss weak matches (the first page's warning says so)."""
        messages = None
        notes: list[str] = []
        if similar is not None:
            by_trigram = trigram and self.has_trigram
            if not by_trigram:
                cap = MESSAGE_CAP + 1 if self.has_trigram else None
                found = self.run(run_queries.failure_messages(self.table, wanted, cap))
                if cap is not None and len(found) >= cap:
                    by_trigram = True
                    notes.append(
                        f"more than {MESSAGE_CAP:,} distinct failure messages: runs were "
                        f"chosen by pg_trgm word similarity (at least {SIMILAR_PREFILTER:g}), "
                        "which can miss weak matches"
                    )
                else:
                    messages = alike_messages(dict(found), similar, min_score, limit)
                    if not messages[0] and not messages[1]:
                        return
            if not by_trigram:
                similar = None

        query = run_queries.failing_rows(
            self.table, wanted, messages=messages, similar=similar, similarity=SIMILAR_PREFILTER
        )
        for rows in self.stream(query, size):
            traces, warnings = self._load_rows(rows)
            yield TraceSet(self.label, traces, notes + warnings, complete=self.complete)
            notes = []

    def stream(self, query: Query, size: int) -> Iterator[list[Any]]:
        """Rows of one statement, ``size`` at a time, through a server-side cursor: one scan
        however many pages (claude-flow's table has no index to page by). The next page is
        fetched on a thread while the caller handles this one (the driver waits without
        holding the GIL); the connection is the stream's until it ends or the caller stops."""
        pages: queue.Queue[list[Any] | BaseException | None] = queue.Queue(maxsize=2)
        stop = threading.Event()

        def fetch() -> None:
            psycopg = _psycopg()
            with self._lock:
                try:
                    if self.connection.closed or self.connection.broken:
                        self.connection = self._connect()
                    with self.connection.cursor(name="tracetui_stream") as cursor:
                        cursor.execute(query.sql, query.params)
                        while not stop.is_set():
                            with collector_paused():
                                rows = cursor.fetchmany(size)
                            if not rows:
                                break
                            pages.put(rows)
                    pages.put(None)
                except psycopg.Error as exc:
                    pages.put(TraceError(self._problem(exc)))
                except BaseException as exc:  # handed to the caller, who raises it
                    pages.put(exc)
                finally:
                    with contextlib.suppress(psycopg.Error):
                        self.connection.rollback()

        reader = threading.Thread(target=fetch, name="tracetui-stream", daemon=True)
        reader.start()
        try:
            while True:
                got = pages.get()
                if got is None:
                    return
                if isinstance(got, BaseException):
                    raise got
                yield got
        finally:
            stop.set()
            while reader.is_alive():  # let a reader blocked on a full queue finish
                with contextlib.suppress(queue.Empty):
                    pages.get(timeout=0.05)
            reader.join()

    def listed(self, row: tuple[Any, ...]) -> Trace:
        """A row as a run; one that cannot be read is a run of unknown status whose error
        and warning say why (a list shows it rather than leave a gap)."""
        try:
            return self._trace(row)
        except RecordError as exc:
            started = row[1] if isinstance(row[1], datetime) else None
            trace = Trace(
                dialect=DIALECT,
                source=self.label,
                id=str(row[0]),
                name=str(row[2]),
                started_at=started.replace(tzinfo=UTC) if started is not None else None,
                status=STATUS_ALIASES.get(str(row[5]).strip().lower(), Status.UNKNOWN),
            )
            ended = row[3] if isinstance(row[3], datetime) else None
            if started is not None and ended is not None and ended >= started:
                trace.duration = (ended - started).total_seconds()  # as the loader takes it
            trace.error = f"this row cannot be read as a run: {exc}"
            trace.warn(trace.error)
            trace.attributes["format"] = "database row"
            return trace

    def _trace(self, row: tuple[Any, ...]) -> Trace:
        record = dict(zip((*LIST_COLUMNS, "steps"), row, strict=True))
        partial = record["steps"] is None
        record["steps"] = record["steps"] or []
        trace = load_trace(record, self.label)
        trace.attributes["format"] = "database row"
        if partial:
            trace.attributes["partial"] = "steps are fetched when the run is opened"
        return trace

    def complete(self, trace: Trace) -> Trace:
        """The run with its steps read from the table."""
        if "partial" not in trace.attributes:
            return trace
        started = naive_utc(trace.started_at) if trace.started_at else None
        rows = self.run(run_queries.one_run(self.table, trace.id, started))
        if not rows:
            raise TraceError(f"run {trace.id} is no longer in {self.table}")
        return self._trace(rows[0])


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), text)


def _connect_problem(message: str) -> str:
    """libpq's error in one line, without anything that could hold a secret."""
    lowered = message.lower()
    if "password authentication failed" in lowered:
        return "password authentication failed"
    if "no password supplied" in lowered:
        return "the server wants a password (give it in the URL, PGPASSWORD or ~/.pgpass)"
    if "does not exist" in lowered and "database" in lowered:
        return _first_line(message).split("FATAL:")[-1].strip()
    if "connection refused" in lowered or "could not connect" in lowered:
        return "cannot reach the server (connection refused)"
    if "timeout" in lowered:
        return "cannot reach the server (timed out)"
    return f"cannot connect: {_first_line(message).split('FATAL:')[-1].strip()}"


def load_database(url: str, wanted: RunFilter | None = None, with_steps: bool = False) -> TraceSet:
    """Runs from a database URL (the connection stays open for ``complete``)."""
    database = CfnDatabase(url)
    return database.runs(wanted or RunFilter(), with_steps=with_steps)
