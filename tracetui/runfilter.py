"""Which runs to show: one filter for the CLI's flags, the runs view's query and the database
(which turns it into SQL), and the words a status may be called by."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tracetui.model import Status

# The model's words, and the producers' own words for the same states.
STATUS_ALIASES = {
    **{status.value: status for status in Status},
    "timed out": Status.TIMED_OUT,
    "timeout": Status.TIMED_OUT,  # claude-flow
    "success": Status.OK,  # claude-flow
    "succeeded": Status.OK,
    "completed": Status.OK,
    "error": Status.FAILED,
    "failure": Status.FAILED,
    "canceled": Status.CANCELLED,
}
_ALL_WORDS = ", ".join(status.value for status in Status)
# How runs are put in time buckets for statistics: PostgreSQL's date_trunc fields.
BUCKETS = ("hour", "day", "week", "month")


def parse_statuses(text: str) -> frozenset[Status]:
    """``failed,timeout`` as statuses; raises ValueError naming the valid words."""
    found = set()
    for word in (w.strip().lower() for w in text.split(",")):
        if not word:
            continue
        status = STATUS_ALIASES.get(word)
        if status is None:
            raise ValueError(f"{word!r} is not a status (say {_ALL_WORDS}; or timeout, success)")
        found.add(status)
    if not found:
        raise ValueError(f"no status given (say {_ALL_WORDS})")
    return frozenset(found)


_RELATIVE = re.compile(r"^(\d+(?:\.\d+)?)\s*([smhdw])$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_when(text: str, now: datetime | None = None, *, end_of_day: bool = False) -> datetime:
    """An ISO date or time (naive means UTC), or a span back from now: ``30m``, ``24h``, ``7d``.
    With ``end_of_day``, a bare date means the last moment of that day (``until:2026-11-22``
    keeps the runs of the 22nd)."""
    text = text.strip()
    match = _RELATIVE.match(text)
    if match:
        now = now or datetime.now(UTC)
        return now - timedelta(seconds=float(match.group(1)) * _SECONDS[match.group(2)])
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"not a time: {text!r} (use ISO-8601 like 2026-11-22 or "
            "2026-11-22T08:00, or 30m, 24h, 7d)"
        ) from None
    if end_of_day and _DATE_ONLY.match(text):
        moment += timedelta(days=1, microseconds=-1)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class RunFilter:
    """Runs of one workflow, in a time range, of some statuses, containing a text; the newest
    ``limit`` of them. None everywhere means every run."""

    name: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    statuses: frozenset[Status] | None = None
    text: str | None = None
    limit: int | None = None

    def describe(self) -> str:
        """The filter as the runs view's query language (empty when it filters nothing)."""
        parts = []
        if self.name is not None:
            parts.append(f"name:{self.name}")
        if self.since is not None:
            parts.append(f"since:{self.since.isoformat()}")
        if self.until is not None:
            parts.append(f"until:{self.until.isoformat()}")
        if self.statuses is not None:
            parts.append("status:" + ",".join(sorted(s.value for s in self.statuses)))
        if self.limit is not None:
            parts.append(f"limit:{self.limit}")
        if self.text:
            parts.append(self.text)
        return " ".join(parts)


def parse_query(query: str, now: datetime | None = None) -> RunFilter:
    """``name:X since:24h until:2026-11-22 status:failed limit:20 words`` as a filter; raises
    ValueError for a word it cannot read."""
    name = since = until = statuses = limit = None
    words = []
    for token in query.split():
        key, _, value = token.partition(":")
        if key == "name" and value:
            name = value
        elif key == "since" and value:
            since = parse_when(value, now)
        elif key == "until" and value:
            until = parse_when(value, now, end_of_day=True)
        elif key == "status" and value:
            statuses = parse_statuses(value)
        elif key == "limit" and value.isdigit():
            limit = int(value)
        else:
            words.append(token)
    return RunFilter(name, since, until, statuses, " ".join(words) or None, limit)
