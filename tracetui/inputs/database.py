"""claude-flow's PostgreSQL ``execution_traces`` table as a source of runs (read-only).

Filters run in SQL; a run's steps are fetched when it is opened. The driver (psycopg 3) is an
optional extra: ``pip install '.[postgres]'`` from a checkout. Credentials come the libpq way
(the URL, ``PGPASSWORD``, ``~/.pgpass``, ``PG*`` variables) and are never printed.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from tracetui.errors import RecordError, TraceError
from tracetui.loaders.cfn import TRACE_COLUMNS, load_trace
from tracetui.model import Status, Trace, TraceSet
from tracetui.runfilter import RunFilter

TABLE = "execution_traces"
DEFAULT_LIMIT = 1000
CONNECT_TIMEOUT_S = 5
# The model's statuses and the table's CHECK words.
STATUS_WORDS = {
    Status.OK: "success",
    Status.FAILED: "failed",
    Status.TIMED_OUT: "timeout",
    Status.RUNNING: "running",
}
_LIST_COLUMNS = (
    "trace_id, started_at, skill_name, completed_at, total_duration_ms, status, "
    "error_message, metadata"
)


def is_database_url(text: str) -> bool:
    """True for ``postgresql://`` and ``postgres://`` URLs."""
    return text.startswith(("postgresql://", "postgres://"))


# Query parameters of a libpq URL whose values are secrets.
_SECRET_QUERY = re.compile(r"([?&](?:password|sslpassword)=)([^&#]*)", re.IGNORECASE)


def _userinfo(url: str) -> tuple[str, str, str | None, str, str]:
    """(scheme, user, password or None, what follows the userinfo, query) of a URL. The
    userinfo runs to the last ``@`` before the query: a password may hold ``/``, ``:`` or
    ``@`` unescaped."""
    scheme, _, rest = url.partition("://")
    query_at = rest.find("?")
    head, query = (rest, "") if query_at < 0 else (rest[:query_at], rest[query_at:])
    at = head.rfind("@")
    if at < 0:
        return scheme, "", None, head, query
    user, colon, password = head[:at].partition(":")
    return scheme, user, password if colon else None, head[at:], query


def redact(url: str) -> str:
    """The URL without its secrets (safe to print): the password after the user name, and
    the values of ``password=`` parameters."""
    if "://" not in url:
        return _SECRET_QUERY.sub(r"\1***", url)
    scheme, user, password, after, query = _userinfo(url)
    userinfo = f"{user}:***" if password is not None else user
    return scheme + "://" + userinfo + after + _SECRET_QUERY.sub(r"\1***", query)


def secrets_in(url: str) -> list[str]:
    """The secret values a URL holds, as written and percent-decoded, longest first."""
    password = _userinfo(url)[2]
    found = [password] if password is not None else []
    found += [match.group(2) for match in _SECRET_QUERY.finditer(url)]
    found += [unquote(value) for value in found]
    return sorted({value for value in found if value}, key=len, reverse=True)


def scrub(text: str, url: str) -> str:
    """``text`` (a driver's message, say) with every secret of ``url`` replaced by ***."""
    for secret in secrets_in(url):
        text = text.replace(secret, "***")
    return text


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError:
        raise TraceError(
            "reading PostgreSQL needs the driver: pip install '.[postgres]' in tracetui's checkout"
            " (or pipx install '.[postgres]'; in any environment: pip install 'psycopg[binary]')"
        ) from None
    return psycopg


def _naive_utc(moment: datetime) -> datetime:
    """The table stores naive UTC timestamps."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


class CfnDatabase:
    """A read-only connection to claude-flow's database."""

    def __init__(self, url: str, table: str = TABLE) -> None:
        self.url = url
        self.label = redact(url)
        self.table = table
        psycopg = _psycopg()
        try:
            self.connection = psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_S)
        except psycopg.OperationalError as exc:
            raise TraceError(scrub(_connect_problem(str(exc)), url)) from None
        except (psycopg.ProgrammingError, psycopg.InterfaceError) as exc:
            problem = scrub(_first_line(str(exc)), url)
            raise TraceError(f"not a usable database URL: {problem}") from None
        # Nothing is ever written: every transaction is read-only.
        self.connection.read_only = True
        self._check_shape()

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()

    def _query(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> list[Any]:
        psycopg = _psycopg()
        try:
            with self.connection.cursor() as cursor:
                cursor.execute(sql, params)
                rows: list[Any] = cursor.fetchall()
            self.connection.rollback()  # end the read-only transaction
            return rows
        except psycopg.Error as exc:
            self.connection.rollback()
            raise TraceError(f"query failed: {scrub(_first_line(str(exc)), self.url)}") from None

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

    def runs(self, wanted: RunFilter, with_steps: bool = False) -> TraceSet:
        """Runs newest first, filtered in SQL; steps only for failed ones unless asked."""
        where: list[str] = []
        params: dict[str, Any] = {}
        if wanted.name is not None:
            where.append("skill_name = %(name)s")
            params["name"] = wanted.name
        if wanted.since is not None:
            where.append("started_at >= %(since)s")
            params["since"] = _naive_utc(wanted.since)
        if wanted.until is not None:
            where.append("started_at <= %(until)s")
            params["until"] = _naive_utc(wanted.until)
        if wanted.statuses is not None:
            words = [STATUS_WORDS[s] for s in wanted.statuses if s in STATUS_WORDS]
            where.append("status = ANY(%(statuses)s)")
            params["statuses"] = words
        steps = "steps" if with_steps else "CASE WHEN status <> 'success' THEN steps END"
        sql = f"SELECT {_LIST_COLUMNS}, {steps} AS steps FROM {self.table}"
        condition = (" WHERE " + " AND ".join(where)) if where else ""
        sql += condition + " ORDER BY started_at DESC LIMIT %(limit)s"
        limit = wanted.limit if wanted.limit is not None else DEFAULT_LIMIT
        params["limit"] = limit
        rows = self._query(sql, params)
        traces = []
        warnings = []
        if len(rows) >= limit:
            # A cap applies: say how much it left out, and how to read more.
            total = self._query(f"SELECT count(*) FROM {self.table}{condition}", params)[0][0]
            if total > len(rows):
                warnings.append(
                    f"read the newest {len(rows):,} of {total:,} matching runs "
                    "(--limit N, or --max-runs N for failures, reads more)"
                )
        for row in rows:
            try:
                traces.append(self._trace(row))
            except RecordError as exc:
                warnings.append(f"row {row[0]}: {exc}, skipped")
        return TraceSet(self.label, traces, warnings, complete=self.complete)

    def _trace(self, row: tuple[Any, ...]) -> Trace:
        names = [*_LIST_COLUMNS.split(", "), "steps"]
        record = dict(zip(names, row, strict=True))
        partial = record["steps"] is None
        for key in ("started_at", "completed_at"):
            if isinstance(record[key], datetime):
                record[key] = record[key].isoformat()
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
        started = _naive_utc(trace.started_at) if trace.started_at else None
        rows = self._query(
            f"SELECT {_LIST_COLUMNS}, steps FROM {self.table} "
            "WHERE trace_id = %s AND started_at = %s",
            (trace.id, started),
        )
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
