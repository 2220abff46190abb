"""Failures across traces: collect, reduce to signatures, group into families, rank them."""

from __future__ import annotations

from array import array
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import chain
from operator import attrgetter

from rapidfuzz import fuzz, process

from tracetui.analysis.same_run import second_forms
from tracetui.analysis.signature import signature
from tracetui.model import FAILURE_STATUSES, NODE, STEP, LazySequence, Status, Trace, TraceSet

# Signatures at least this similar (rapidfuzz token_sort_ratio, 0-100) merge into a family.
DEFAULT_FAMILY_THRESHOLD = 85.0


@dataclass(slots=True)
class Failure:
    """One unit of work that failed, timed out or was cancelled, and where it happened."""

    source: str
    trace_position: int
    trace: Trace
    span: int
    node: str
    kind: str
    status: Status
    error: str
    signature: str
    when: datetime | None
    lost_s: float

    @property
    def first_line(self) -> str:
        """The error's first non-empty line."""
        for line in self.error.splitlines():
            if line.strip():
                return line.strip()
        return ""


@dataclass(slots=True)
class Family:
    """Failures whose signatures are the same or close enough."""

    signature: str  # the leading (most frequent) signature
    signatures: list[str] = field(default_factory=list)
    members: list[Failure] = field(default_factory=list)

    @property
    def count(self) -> int:
        """How many failures belong to the family."""
        return len(self.members)

    @property
    def lost_s(self) -> float:
        """Time spent in the failing work, summed."""
        return sum(f.lost_s for f in self.members)

    @property
    def example(self) -> str:
        """A real message of the family, as written (its leading signature's first
        occurrence), for headlines: signatures are lower-cased and full of placeholders."""
        leader = next((f for f in self.members if f.signature == self.signature), None)
        chosen = leader or (self.members[0] if self.members else None)
        if chosen is None:
            return self.signature
        return chosen.first_line or f"(no message: {chosen.status.value.replace('_', ' ')})"

    @property
    def first(self) -> datetime | None:
        """The earliest occurrence with a known time."""
        times = [f.when for f in self.members if f.when is not None]
        return min(times) if times else None

    @property
    def last(self) -> datetime | None:
        """The latest occurrence with a known time."""
        times = [f.when for f in self.members if f.when is not None]
        return max(times) if times else None


@dataclass(slots=True)
class Ranked:
    """A failure and how similar it is to the query (0-100)."""

    score: float
    failure: Failure


def aware(moment: datetime) -> datetime:
    """A time that compares with any other: naive local times (Victor CSV) are taken as UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


EARLIEST = datetime.min.replace(tzinfo=UTC)


def start_time(moment: datetime | None) -> float:
    """When a run started, as epoch seconds to sort by (runs without a time first)."""
    return aware(moment).timestamp() if moment is not None else float("-inf")


NO_MESSAGE = "(no message) "


def collect(sources: list[TraceSet], cache: dict[str, str] | None = None) -> list[Failure]:
    """Every failing span in every trace, with a signature of its error. A run loaded in two
    forms (dagron events and their Chrome export) counts once. ``cache`` keeps signatures
    worked out (error -> signature) across calls."""
    cache = {} if cache is None else cache
    failures: list[Failure] = []
    twice = second_forms(sources)
    for traces in sources:
        for position, trace in enumerate(traces.traces):
            if id(trace) in twice:
                continue
            for span in trace.spans:
                if span.status not in FAILURE_STATUSES or span.kind == STEP:
                    continue
                error = span.error or ""
                if error:
                    sig = cache.get(error)
                    if sig is None:
                        sig = cache[error] = signature(error)
                else:
                    # Without a message, how it ended is all there is to match on: every
                    # cancelled node without one is one family, whatever it is called.
                    sig = f"{NO_MESSAGE}{span.status.value}"
                when = None
                if trace.started_at is not None:
                    offset = span.start if span.start is not None else span.end
                    when = aware(trace.started_at) + timedelta(seconds=offset or 0.0)
                failures.append(
                    Failure(
                        source=traces.source,
                        trace_position=position,
                        trace=trace,
                        span=span.index,
                        node=trace.path(span.index) if span.kind != NODE else span.name,
                        kind=span.kind,
                        status=span.status,
                        error=error,
                        signature=sig,
                        when=when,
                        lost_s=max(0.0, span.elapsed or 0.0),
                    )
                )
    return failures


def group(failures: list[Failure], threshold: float = DEFAULT_FAMILY_THRESHOLD) -> list[Family]:
    """Identical signatures group; similar ones (token_sort_ratio >= threshold) form families.

    Families come most frequent first, then by time lost.
    """
    by_signature: dict[str, list[Failure]] = {}
    for failure in failures:
        by_signature.setdefault(failure.signature, []).append(failure)
    # Leaders are picked most frequent first, so a family is named by its commonest form.
    ordered = sorted(by_signature, key=lambda s: (-len(by_signature[s]), s))
    families: list[Family] = []
    # token_sort_ratio(a, b) is ratio() of the two with their words sorted: sort each
    # signature's words once here instead of in every one of millions of comparisons.
    leaders: list[str] = []
    for sig in ordered:
        match = None
        if sig.startswith(NO_MESSAGE):
            family = Family(sig)
            families.append(family)
            leaders.append("")  # keeps positions aligned; never matches
            family.signatures.append(sig)
            family.members.extend(by_signature[sig])
            continue
        words = " ".join(sorted(sig.split()))
        if threshold <= 100 and leaders:
            match = process.extractOne(
                words, leaders, scorer=fuzz.ratio, processor=None, score_cutoff=threshold
            )
        if match is None:
            family = Family(sig)
            families.append(family)
            leaders.append(words)
        else:
            family = families[match[2]]
        family.signatures.append(sig)
        family.members.extend(by_signature[sig])
    for family in families:
        family.members.sort(key=lambda f: (f.when is None, f.when or EARLIEST, f.node))
    families.sort(key=lambda f: (-f.count, -f.lost_s, f.signature))
    return families


def score_levels(query: str, signatures: list[str], min_score: float) -> dict[float, list[str]]:
    """How alike each signature is to the query (rapidfuzz token_set_ratio of the query's
    signature, 0-100), grouped by score; scores under ``min_score``, and 0, left out. The one
    rule of a similar search, in memory and for a database alike."""
    scored = process.extract(
        signature(query),
        signatures,
        scorer=fuzz.token_set_ratio,
        limit=None,
        score_cutoff=max(min_score, 0.0),
    )
    levels: dict[float, list[str]] = {}
    for choice, score, _ in scored:
        if score > 0:
            levels.setdefault(score, []).append(choice)
    return levels


def rank(
    failures: list[Failure], query: str, min_score: float = 0.0, limit: int | None = None
) -> RankedFailures:
    """Failures most similar to the query text first (scored on signatures, 0-100)."""
    return FailureIndex(failures).rank(query, min_score, limit)


class FailureIndex:
    """Failures prepared once for ranking again and again (as a query is typed): their
    distinct signatures, and each signature's failures newest first."""

    def __init__(self, failures: list[Failure]) -> None:
        # Newest first, then by node: two stable sorts with keys computed in C.
        order = sorted(failures, key=attrgetter("node"))
        order.sort(key=_when, reverse=True)
        self._order = order
        self._positions: dict[str, list[int]] = {}
        for position, failure in enumerate(order):
            self._positions.setdefault(failure.signature, []).append(position)
        self._distinct = list(self._positions)

    def rank(self, query: str, min_score: float = 0.0, limit: int | None = None) -> RankedFailures:
        """Failures most similar to the query first; equal scores newest first, then by node."""
        if not query.strip() or (limit is not None and limit <= 0):
            return RankedFailures(self._order, array("i"), [], [])
        # Scoring distinct signatures, not raw messages: thousands of strings, not millions.
        # Best score first; within one score, the signatures' failures merged newest first.
        by_score = score_levels(query, self._distinct, min_score)
        positions = array("i")
        ends: list[int] = []
        scores: list[float] = []
        failures_of = self._positions.__getitem__
        for score in sorted(by_score, reverse=True):
            names = by_score[score]
            if len(names) == 1:
                positions.extend(failures_of(names[0]))
            else:
                positions.extend(sorted(chain.from_iterable(map(failures_of, names))))
            ends.append(len(positions))
            scores.append(float(score))
            if limit is not None and len(positions) >= limit:
                del positions[limit:]
                ends[-1] = limit
                break
        return RankedFailures(self._order, positions, ends, scores)


def alike_messages(
    messages: dict[str | None, int], query: str, min_score: float, limit: int | None
) -> tuple[list[str], bool]:
    """Of distinct error messages (with how many failures each has; None or "" for failures
    with no message), those whose failures ``rank`` would list for ``query``: every message whose
    signature scores at least ``min_score``, best first, whole score levels until ``limit``
    failures are covered. Also whether failures without a message score (as "(no message)
    failed" and the like). What a database reads for a similar search, no more, no less."""
    if not query.strip() or (limit is not None and limit <= 0):
        return [], False
    signatures: dict[str, list[str | None]] = {}
    for message in messages:
        if not message:
            for status in FAILURE_STATUSES:
                signatures.setdefault(f"{NO_MESSAGE}{status.value}", []).append(message)
        else:
            signatures.setdefault(signature(message), []).append(message)
    by_score = score_levels(query, list(signatures), min_score)
    chosen: list[str] = []
    without = False
    covered = 0
    for score in sorted(by_score, reverse=True):
        for sig in by_score[score]:
            for message in signatures[sig]:
                if not message:
                    covered += 0 if without else messages[message]
                    without = True
                elif message not in chosen:
                    chosen.append(message)
                    covered += messages[message]
        if limit is not None and covered >= limit:
            break
    return chosen, without


class RankedFailures(LazySequence[Ranked]):
    """Ranked failures, made one by one when read: a query that matches 100k failures costs
    an array of positions, not 100k objects."""

    def __init__(
        self, order: list[Failure], positions: array[int], ends: list[int], scores: list[float]
    ) -> None:
        self._order = order
        self._positions = positions  # into ``order``, best first
        self._ends = ends  # where each run of one score ends
        self._scores = scores

    def __len__(self) -> int:
        return len(self._positions)

    def _item(self, index: int) -> Ranked:
        score = self._scores[bisect_right(self._ends, index)]
        return Ranked(score, self._order[self._positions[index]])


def _when(failure: Failure) -> datetime:
    return failure.when or EARLIEST


# --- claude-flow compatible mode --------------------------------------------------------------

CFN_THRESHOLD = 0.30
# claude-flow's query reads only this many of the newest failed rows (``LIMIT 100``).
CFN_WINDOW = 100


@dataclass(slots=True)
class CfnMatch:
    """One result of claude-flow's ``find_similar_failures``."""

    trace_id: str | None
    skill_name: str | None
    error_message: str
    started_at: str | None
    similarity_score: float


def _tokens(text: str) -> set[str]:
    return set(text.lower().split())


def jaccard(a: str, b: str) -> float:
    """Token Jaccard over lower-cased whitespace tokens, as claude-flow computes it."""
    left, right = _tokens(a), _tokens(b)
    union = left | right
    return len(left & right) / len(union) if union else 0.0


def _recorded_failed(trace: Trace) -> bool:
    recorded = trace.attributes.get("recorded_status")
    if trace.dialect == "cfn" and isinstance(recorded, str):
        return recorded == "failed"
    return trace.status is Status.FAILED


def find_similar_failures(
    sources: list[TraceSet],
    error: str,
    limit: int = 10,
    threshold: float = CFN_THRESHOLD,
    window: int | None = CFN_WINDOW,
) -> list[CfnMatch]:
    """claude-flow's ``find_similar_failures`` over runs: of the rows whose status is failed
    and that have an error message, the ``window`` newest (claude-flow's ``LIMIT 100``; None
    scans them all), those whose token Jaccard with ``error`` is above the threshold, best
    first (newest first among equals), at most ``limit``, scores to 2 decimals."""
    candidates = [t for traces in sources for t in traces.traces if _recorded_failed(t) and t.error]
    candidates.sort(key=lambda t: aware(t.started_at) if t.started_at else EARLIEST, reverse=True)
    if window is not None:
        candidates = candidates[:window]
    matches: list[CfnMatch] = []
    for trace in candidates:
        assert trace.error is not None
        score = jaccard(error, trace.error)
        if score > threshold:
            started = (
                trace.started_at.replace(tzinfo=None).isoformat() if trace.started_at else None
            )
            matches.append(CfnMatch(trace.id, trace.name, trace.error, started, round(score, 2)))
    matches.sort(key=lambda m: -m.similarity_score)
    return matches[: max(0, limit)]
