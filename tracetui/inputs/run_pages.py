"""The runs a filter selects from a database, in one order, read a page at a time as they
are looked at. A page next to one already read is found by key (``started_at, trace_id``),
the last page by reading backwards from the end; only a jump into the middle of the list
(or an order other than by time) reads with OFFSET. At most ``MAX_PAGES`` pages are held,
so memory stays bounded whatever the table holds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, overload

from tracetui.analysis.runs import RunRow, run_rows
from tracetui.inputs import run_queries
from tracetui.inputs.database import CfnDatabase, RunCounts
from tracetui.model import Trace, TraceSet
from tracetui.runfilter import RunFilter

Key = tuple[datetime, str]  # (started_at, trace_id) as the table holds them
PAGE = 200
MAX_PAGES = 50
# What a row not yet read is shown as; ``is_pending`` tells it apart.
PENDING = "pending"


def first_page(database: CfnDatabase, wanted: RunFilter, order: str = "newest") -> RunPages:
    """The runs a filter selects, counted, with their first page read (blocking)."""
    counts = database.counts(wanted)
    if wanted.limit is not None:
        counts = replace(counts, runs=min(counts.runs, wanted.limit))
    pages = RunPages(database, wanted, order, counts)
    pages.load(0)
    return pages


def is_pending(row: RunRow) -> bool:
    """A placeholder for a run whose page is still being read."""
    return PENDING in row.trace.attributes


class RunPages(Sequence[RunRow]):
    """``counts.runs`` runs in ``order``; rows not read yet are placeholders."""

    def __init__(
        self,
        database: CfnDatabase,
        wanted: RunFilter,
        order: str,
        counts: RunCounts,
        page_size: int = PAGE,
    ) -> None:
        self.database = database
        self.wanted = wanted
        self.order = order
        self.counts = counts
        self.page_size = page_size
        self._pages: dict[int, list[RunRow]] = {}
        # Each page's first and last key (started_at, trace_id), as the table holds them.
        self._keys: dict[int, tuple[Key, Key]] = {}
        self._placeholder = Trace(dialect="cfn", source=database.label)
        self._placeholder.attributes[PENDING] = True
        self.queries = 0  # how many pages were read, for tests and the benchmark
        self.sent: list[run_queries.Query] = []  # the page queries sent, for the benchmark

    def __len__(self) -> int:
        return self.counts.runs

    @overload
    def __getitem__(self, index: int) -> RunRow: ...

    @overload
    def __getitem__(self, index: slice) -> list[RunRow]: ...

    def __getitem__(self, index: int | slice) -> RunRow | list[RunRow]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        rows = self._pages.get(index // self.page_size)
        offset = index % self.page_size
        if rows is not None and offset < len(rows):
            return rows[offset]
        return RunRow(self.database.label, index, self._placeholder, None, None, None)

    @property
    def page_count(self) -> int:
        """How many pages the runs fill."""
        return -(-len(self) // self.page_size)

    def loaded(self) -> list[int]:
        """The pages held now."""
        return sorted(self._pages)

    def missing(self, first: int, last: int) -> list[int]:
        """The pages holding rows ``first`` to ``last`` that are not read yet."""
        last = min(last, len(self) - 1)
        if last < first or first < 0:
            return []
        pages = range(first // self.page_size, last // self.page_size + 1)
        return [page for page in pages if page not in self._pages]

    def load(self, page: int) -> None:
        """Read one page (blocking: call it from a worker)."""
        if page in self._pages or not 0 <= page < self.page_count:
            return
        size = min(self.page_size, len(self) - page * self.page_size)
        table, order, keyset = self.database.table, self.order, run_queries.ORDERS[self.order][1]
        counts, newest = self.counts, self.order == "newest"
        backwards = False
        if keyset and page - 1 in self._keys:
            key = self._keys[page - 1][1]
            found = self._read_near(key[0], newest, size, after=key)
        elif keyset and page + 1 in self._keys:
            key = self._keys[page + 1][0]
            found = self._read_near(key[0], not newest, size, before=key)
            backwards = True
        elif keyset and page == 0 and counts.first_at is not None:
            anchor = counts.last_at if newest else counts.first_at
            assert anchor is not None
            found = self._read_near(anchor, newest, size)
        elif keyset and page == self.page_count - 1 and counts.first_at is not None:
            anchor = counts.first_at if newest else counts.last_at
            assert anchor is not None
            found = self._read_near(anchor, not newest, size, last=True)
            backwards = True
        else:
            query = run_queries.page(table, self.wanted, order, size, offset=page * self.page_size)
            self.sent.append(query)
            found = self.database.run(query)
        self.queries += 1
        if backwards:
            found.reverse()
        if not found:
            return  # the table changed under the count: the rows stay placeholders
        # Every row is listed, one that cannot be read as a run saying why: the pages stay
        # aligned with the table's order.
        traces = [self.database.listed(row) for row in found]
        rows = run_rows([TraceSet(self.database.label, traces)])
        for position, row in enumerate(rows, page * self.page_size):
            row.position = position
        self._pages[page] = rows
        self._keys[page] = ((found[0][1], found[0][0]), (found[-1][1], found[-1][0]))
        self._evict(page)

    def _read_near(
        self,
        anchor: datetime,
        older: bool,
        size: int,
        *,
        after: Key | None = None,
        before: Key | None = None,
        last: bool = False,
    ) -> list[Any]:
        """A keyset page read within a stretch of time from ``anchor`` (toward ``older``
        starts, or newer), so that the server scans only the partitions it can come from:
        the stretch is what ``size`` runs span at the table's average rate, twice over, and
        grows until it holds the page or covers every run."""
        counts = self.counts
        assert counts.first_at is not None and counts.last_at is not None
        span_s = max((counts.last_at - counts.first_at).total_seconds(), 1.0)
        stretch = timedelta(seconds=max(1.0, 2 * size * span_s / max(counts.runs, 1)))
        while True:
            bound = anchor - stretch if older else anchor + stretch
            covers = bound <= counts.first_at if older else bound >= counts.last_at
            within = (None, None) if covers else ((bound, None) if older else (None, bound))
            if last:
                query = run_queries.last_page(
                    self.database.table, self.wanted, self.order, size, within=within
                )
            else:
                query = run_queries.page(
                    self.database.table,
                    self.wanted,
                    self.order,
                    size,
                    after=after,
                    before=before,
                    within=within,
                )
            self.sent.append(query)
            found = self.database.run(query)
            if len(found) >= size or covers:
                return found
            stretch *= 4

    def _evict(self, keep: int) -> None:
        """Drop the pages furthest from ``keep`` beyond ``MAX_PAGES``."""
        while len(self._pages) > MAX_PAGES:
            furthest = max(self._pages, key=lambda p: abs(p - keep))
            del self._pages[furthest]
            del self._keys[furthest]
