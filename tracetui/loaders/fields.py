"""Typed access to untrusted records: each getter raises RecordError naming the field."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from tracetui.errors import RecordError

# Relative times and durations beyond ~30 years are not real measurements.
MAX_SECONDS = 1e9
# Epoch seconds must fall between 1970 and 9999 to be a date at all.
MAX_EPOCH = 253402300799.0


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def number(record: dict[str, Any], key: str, *, limit: float = MAX_SECONDS) -> float:
    """A finite number of sane size at ``key``."""
    value = record.get(key)
    if type(value) is float and -limit <= value <= limit:  # the common case, checked at once
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RecordError(f"'{key}' must be a number, got {_describe(value)}")
    result = float(value)
    if not math.isfinite(result) or abs(result) > limit:
        raise RecordError(f"'{key}' is out of range: {value!r}")
    return result


def finite(value: Any, limit: float = MAX_SECONDS) -> float | None:
    """``value`` as a float when it is a finite number of sane size, else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    result = float(value)
    return result if math.isfinite(result) and abs(result) <= limit else None


def optional_number(
    record: dict[str, Any], key: str, *, limit: float = MAX_SECONDS
) -> float | None:
    """A number at ``key``, or None when absent or null."""
    if record.get(key) is None:
        return None
    return number(record, key, limit=limit)


def epoch(record: dict[str, Any], key: str) -> float:
    """Unix epoch seconds at ``key``, checked to be a real date."""
    value = record.get(key)
    if type(value) is float and 0 <= value <= MAX_EPOCH:
        return value
    value = number(record, key, limit=MAX_EPOCH)
    if value < 0:
        raise RecordError(f"'{key}' is out of range: {value!r}")
    return value


def optional_epoch(record: dict[str, Any], key: str) -> float | None:
    """Epoch seconds at ``key``, or None when absent or null."""
    if record.get(key) is None:
        return None
    return epoch(record, key)


def string(record: dict[str, Any], key: str) -> str:
    """A string at ``key``."""
    value = record.get(key)
    if not isinstance(value, str):
        raise RecordError(f"'{key}' must be a string, got {_describe(value)}")
    return value


def optional_string(record: dict[str, Any], key: str) -> str | None:
    """A string at ``key``, or None when absent or null; other scalars are turned into text."""
    value = record.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return str(value)
    raise RecordError(f"'{key}' must be a string, got {_describe(value)}")


def obj(record: dict[str, Any], key: str) -> dict[str, Any]:
    """An object at ``key`` (absent or null gives an empty one)."""
    value = record.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise RecordError(f"'{key}' must be an object, got {_describe(value)}")
    return value


def array(record: dict[str, Any], key: str) -> list[Any]:
    """An array at ``key`` (absent or null gives an empty one)."""
    value = record.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise RecordError(f"'{key}' must be an array, got {_describe(value)}")
    return value


def timestamp(record: dict[str, Any], key: str) -> datetime:
    """An ISO-8601 time at ``key`` (or a time a database driver already read); naive times
    are taken as UTC, as the producers write them."""
    value = record.get(key)
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return parse_time(string(record, key), key)


def optional_timestamp(record: dict[str, Any], key: str) -> datetime | None:
    """An ISO-8601 time at ``key``, or None when absent, null or empty."""
    value = record.get(key)
    if value is None or value == "":
        return None
    return timestamp(record, key)


def parse_time(value: str, key: str = "time") -> datetime:
    """Parse ISO-8601 (``T`` or space, optional fraction and zone); naive means UTC."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise RecordError(f"'{key}' is not an ISO-8601 time: {value[:40]!r}") from None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed


def extras(record: dict[str, Any], known: frozenset[str]) -> dict[str, Any]:
    """The fields of a record that the loader did not map, kept as attributes."""
    if record.keys() <= known:
        return {}
    return {k: v for k, v in record.items() if k not in known}


def record_label(position: int, line: int | None) -> str:
    """How a warning names a record: by line where the source has lines, else by index."""
    return f"line {line}" if line is not None else f"record {position}"
