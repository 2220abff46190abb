"""Reaching a database, before any driver is loaded: telling a URL from a path, keeping its
secrets out of anything printed, and how long a statement may run."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

# A query that runs longer is cancelled by the server and reported: never a hung screen.
STATEMENT_TIMEOUT_S = 30.0


@dataclass(slots=True)
class _Settings:
    timeout_s: float = STATEMENT_TIMEOUT_S


SETTINGS = _Settings()


def set_statement_timeout(seconds: float) -> None:
    """How long a statement may run before the server cancels it (``--statement-timeout``)."""
    SETTINGS.timeout_s = seconds


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
