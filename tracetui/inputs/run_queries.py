"""The SQL tracetui sends to claude-flow's ``execution_traces``: a filter as a WHERE clause,
statistics over every matching row, pages of runs (keyset on ``started_at, trace_id``) and
the rows that hold a failure. Only text and parameters here; ``database`` runs them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tracetui.model import Status
from tracetui.runfilter import BUCKETS, RunFilter

# The model's statuses and the table's CHECK words.
STATUS_WORDS = {
    Status.OK: "success",
    Status.FAILED: "failed",
    Status.TIMED_OUT: "timeout",
    Status.RUNNING: "running",
}
FAILED_WORDS = ("failed", "timeout")
LIST_COLUMNS = (
    "trace_id",
    "started_at",
    "skill_name",
    "completed_at",
    "total_duration_ms",
    "status",
    "error_message",
    "metadata",
)
# A row's wall time in seconds, as the loader takes it: completed_at less started_at.
DURATION_S = (
    "CASE WHEN completed_at >= started_at "
    "THEN EXTRACT(EPOCH FROM completed_at - started_at)::float8 END"
)
# Steps come with the rows that need them to say what failed; the others when opened (NULL
# here means "not read yet"; a NULL column reads as no steps, as the loader takes it).
WHOLE_STEPS = "coalesce(steps, '[]'::jsonb)"
LISTED_STEPS = f"CASE WHEN status <> 'success' THEN {WHOLE_STEPS} END"
# A step whose status the loader reads as a failure (cfn._STATUS, any case, spaces around).
_FAILING_STEP = (
    '$[*] ? (@.status like_regex "^\\\\s*(failed|failure|error|timeout|timed_out|cancelled'
    '|canceled)\\\\s*$" flag "i")'
)
# A step (``step``, an element of the steps array) whose status the loader reads as a failure.
STEP_FAILS = (
    "(step->>'status') ~* '^\\s*(failed|failure|error|timeout|timed_out|cancelled|canceled)\\s*$'"
)
# Rows with a failing step, and rows whose steps are JSON text the loader decodes itself.
FAILING_ROW = f"(steps @? '{_FAILING_STEP}' OR jsonb_typeof(steps) = 'string')"
# The steps as an array, whatever the column holds (a string or object reads as none).
_STEP_ARRAY = "CASE WHEN jsonb_typeof(steps) = 'array' THEN steps ELSE '[]'::jsonb END"


@dataclass(frozen=True, slots=True)
class Query:
    """SQL text with named parameters."""

    sql: str
    params: dict[str, Any] = field(default_factory=dict)


def naive_utc(moment: datetime) -> datetime:
    """The table stores naive UTC timestamps."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def _like(text: str) -> str:
    """``text`` as a LIKE pattern that matches it anywhere, its own % and _ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def where(wanted: RunFilter, *more: str) -> Query:
    """The filter (without its limit) as `` WHERE ...``, with ``more`` conditions ANDed."""
    conditions: list[str] = []
    params: dict[str, Any] = {}
    if wanted.name is not None:
        conditions.append("skill_name = %(name)s")
        params["name"] = wanted.name
    if wanted.since is not None:
        conditions.append("started_at >= %(since)s")
        params["since"] = naive_utc(wanted.since)
    if wanted.until is not None:
        conditions.append("started_at <= %(until)s")
        params["until"] = naive_utc(wanted.until)
    if wanted.statuses is not None:
        conditions.append("status = ANY(%(statuses)s)")
        params["statuses"] = sorted(STATUS_WORDS[s] for s in wanted.statuses if s in STATUS_WORDS)
    if wanted.text:
        conditions.append(
            "(skill_name ILIKE %(text)s OR trace_id ILIKE %(text)s OR error_message ILIKE %(text)s)"
        )
        params["text"] = _like(wanted.text)
    conditions.extend(more)
    return Query((" WHERE " + " AND ".join(conditions)) if conditions else "", params)


def count(table: str, wanted: RunFilter, *more: str) -> Query:
    """How many runs match (and meet ``more`` conditions), with how many failed, timed out
    and are running, and the first and last start among them."""
    filtered = where(wanted, *more)
    return Query(
        "SELECT count(*), count(*) FILTER (WHERE status IN ('failed', 'timeout')), "
        "count(*) FILTER (WHERE status = 'timeout'), count(*) FILTER (WHERE status = 'running'), "
        f"min(started_at), max(started_at) FROM {table}{filtered.sql}",
        filtered.params,
    )


def statistics(table: str, wanted: RunFilter, bucket: str) -> Query:
    """In one scan: runs, failed, timed out, P50 and P95 of the wall time (percentile_cont,
    linear between ranks) over all matching runs, per skill and per ``bucket`` of
    ``started_at``. Rows: (by_skill, by_bucket, skill, bucket start, runs, failed, timed out,
    p50, p95, first start, last start), where by_skill/by_bucket are 0 for the grouping the
    row belongs to.

    Each group's durations are gathered (``array_agg``) and sorted once for both
    percentiles, rather than ``percentile_cont`` sorting the rows of every grouping: the same
    figures, a quarter less time at a million rows."""
    if bucket not in BUCKETS:
        raise ValueError(f"{bucket!r} is not a bucket (say {', '.join(BUCKETS)})")
    filtered = where(wanted)
    sql = (
        "SELECT by_skill, by_bucket, skill_name, bucket, runs, failed, timed_out, p[1], p[2], "
        "first_at, last_at "
        "FROM (SELECT GROUPING(skill_name) AS by_skill, GROUPING(bucket) AS by_bucket, "
        "skill_name, bucket, count(*) AS runs, "
        "count(*) FILTER (WHERE status IN ('failed', 'timeout')) AS failed, "
        "count(*) FILTER (WHERE status = 'timeout') AS timed_out, "
        "array_agg(duration_s) FILTER (WHERE duration_s IS NOT NULL) AS durations, "
        "min(started_at) AS first_at, max(started_at) AS last_at "
        f"FROM (SELECT skill_name, status, started_at, "
        f"date_trunc('{bucket}', started_at) AS bucket, "
        f"{DURATION_S} AS duration_s FROM {table}{filtered.sql}) AS runs "
        "GROUP BY GROUPING SETS ((), (skill_name), (bucket))) AS groups, "
        "LATERAL (SELECT percentile_cont(ARRAY[0.5, 0.95]) WITHIN GROUP (ORDER BY d) AS p "
        "FROM unnest(durations) AS d) AS percentiles"
    )
    return Query(sql, filtered.params)


# Orders of the runs list: (SQL ORDER BY, whether pages are found by keyset). Keyset pages
# need an order on (started_at, trace_id) alone; the others page by OFFSET.
ORDERS: dict[str, tuple[str, bool]] = {
    "newest": ("started_at DESC, trace_id DESC", True),
    "oldest": ("started_at ASC, trace_id ASC", True),
    "slowest": (f"{DURATION_S} DESC NULLS LAST, started_at DESC, trace_id DESC", False),
    "name": ("lower(skill_name), skill_name, started_at DESC, trace_id DESC", False),
    "status": (
        "CASE WHEN status IN ('failed', 'timeout') THEN 0 ELSE 1 END, status, "
        "started_at DESC, trace_id DESC",
        False,
    ),
}
_REVERSED = {"newest": "oldest", "oldest": "newest"}


def page(
    table: str,
    wanted: RunFilter,
    order: str,
    size: int,
    *,
    after: tuple[datetime, str] | None = None,
    before: tuple[datetime, str] | None = None,
    offset: int = 0,
    steps: str = LISTED_STEPS,
    within: tuple[datetime | None, datetime | None] = (None, None),
) -> Query:
    """``size`` runs in ``order``: those just after the key ``after``, just before the key
    ``before`` (read backwards; the caller reverses them), or from ``offset``. ``within``
    bounds ``started_at`` (from, to; None: open) so that the server reads only the
    partitions a page can come from: claude-flow's table has no index on ``started_at``."""
    sql_order, keyset = ORDERS[order]
    more = []
    params: dict[str, Any] = {"size": size}
    if within[0] is not None:
        more.append("started_at >= %(within_from)s")
        params["within_from"] = within[0]
    if within[1] is not None:
        more.append("started_at <= %(within_to)s")
        params["within_to"] = within[1]
    if after is not None or before is not None:
        if not keyset:
            raise ValueError(f"runs sorted by {order} page by offset, not by key")
        key = after if after is not None else before
        assert key is not None
        params["key_at"], params["key_id"] = key
        ascending = (order == "oldest") == (after is not None)
        more.append(f"(started_at, trace_id) {'>' if ascending else '<'} (%(key_at)s, %(key_id)s)")
        if before is not None:
            sql_order = ORDERS[_REVERSED[order]][0]
    filtered = where(wanted, *more)
    params.update(filtered.params)
    sql = (
        f"SELECT {', '.join(LIST_COLUMNS)}, {steps} AS steps FROM {table}{filtered.sql} "
        f"ORDER BY {sql_order} LIMIT %(size)s"
    )
    if offset:
        sql += " OFFSET %(offset)s"
        params["offset"] = offset
    return Query(sql, params)


def last_page(
    table: str,
    wanted: RunFilter,
    order: str,
    size: int,
    within: tuple[datetime | None, datetime | None] = (None, None),
) -> Query:
    """The ``size`` last runs in ``order`` (a keyset order), read backwards."""
    return page(table, wanted, _REVERSED[order], size, within=within)


def failure_messages(table: str, wanted: RunFilter, cap: int | None = None) -> Query:
    """Each distinct error message of a failing step (NULL for none), with how many failing
    steps have it (at most ``cap`` of them): what a similar search scores before it reads a
    row."""
    filtered = where(wanted, FAILING_ROW, STEP_FAILS)
    sql = (
        f"SELECT step->>'error_message', count(*) FROM {table}, "
        f"jsonb_array_elements({_STEP_ARRAY}) AS step{filtered.sql} GROUP BY 1"
    )
    if cap is None:
        return Query(sql, filtered.params)
    return Query(sql + " LIMIT %(cap)s", {**filtered.params, "cap": cap})


def failing_rows(
    table: str,
    wanted: RunFilter,
    *,
    messages: tuple[list[str], bool] | None = None,
    similar: str | None = None,
    similarity: float = 0.0,
) -> Query:
    """Every row with a failing step, newest first (at most ``wanted.limit``), for one
    server-side cursor to hand over a page at a time. With ``messages`` (chosen messages,
    and whether steps without one are wanted), only rows with such a failing step. With
    ``similar`` (pg_trgm installed), only rows whose error, or a step's, shares words with
    it: ``word_similarity`` at least ``similarity`` either way round."""
    more = [FAILING_ROW]
    params: dict[str, Any] = {}
    if messages is not None:
        chosen, without = messages
        params["messages"] = chosen
        unsaid = " OR coalesce(step->>'error_message', '') = ''" if without else ""
        more.append(
            f"(jsonb_typeof(steps) = 'string' OR EXISTS (SELECT 1 FROM "
            f"jsonb_array_elements({_STEP_ARRAY}) AS step WHERE {STEP_FAILS} AND "
            f"(step->>'error_message' = ANY(%(messages)s){unsaid})))"
        )
    if similar is not None:
        params["similar"], params["similarity"] = similar, similarity
        alike = (
            "(word_similarity(%(similar)s, {0}) >= %(similarity)s "
            "OR word_similarity({0}, %(similar)s) >= %(similarity)s)"
        )
        step_error = "(step->>'error_message')"
        more.append(
            f"({alike.format('error_message')} OR EXISTS (SELECT 1 FROM "
            f"jsonb_array_elements({_STEP_ARRAY}) AS step WHERE {alike.format(step_error)}))"
        )
    filtered = where(wanted, *more)
    params.update(filtered.params)
    sql = (
        f"SELECT {', '.join(LIST_COLUMNS)}, {WHOLE_STEPS} FROM {table}{filtered.sql} "
        "ORDER BY started_at DESC, trace_id DESC"
    )
    if wanted.limit is not None:
        sql += " LIMIT %(limit)s"
        params["limit"] = wanted.limit
    return Query(sql, params)


def one_run(table: str, trace_id: str | None, started_at: datetime | None) -> Query:
    """One run, with its steps, by the table's key."""
    return Query(
        f"SELECT {', '.join(LIST_COLUMNS)}, {WHOLE_STEPS} FROM {table} "
        "WHERE trace_id = %(trace_id)s AND started_at = %(started_at)s",
        {"trace_id": trace_id, "started_at": started_at},
    )


def cfn_failed(table: str, window: int | None) -> Query:
    """claude-flow's own query in ``find_similar_failures``: failed rows with an error
    message, newest first, ``LIMIT 100`` (None: all of them)."""
    sql = (
        f"SELECT {', '.join(LIST_COLUMNS)}, NULL AS steps FROM {table} "
        "WHERE status = 'failed' AND error_message IS NOT NULL ORDER BY started_at DESC"
    )
    if window is None:
        return Query(sql)
    return Query(sql + " LIMIT %(window)s", {"window": window})
