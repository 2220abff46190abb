"""Reading an input into a parsed document: bytes, gzip, JSON, JSON lines or CSV."""

from __future__ import annotations

import csv
import gc
import gzip
import io
import os
import re
import stat
import sys
import zlib
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Literal

import orjson

from tracetui.errors import TraceError
from tracetui.text import safe_line, shorten

DocumentKind = Literal["json", "jsonl", "csv"]

GZIP_MAGIC = b"\x1f\x8b"
# A JSON string (possibly unterminated at the end of the data) or one structural character.
_JSON_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"?|[\[\]{},]', re.DOTALL)


# Told the fraction of a file read so far (0 to 1), from the thread that reads it.
Progress = Callable[[float], None]
# A big top-level array is parsed this many bytes at a time (see ``array_pieces``).
PIECE_BYTES = 2 << 20
# Between two elements of an array of objects: "}", JSON whitespace, ",", whitespace, "{".
_ELEMENT_GAP = re.compile(rb"\}[ \t\r\n]*,[ \t\r\n]*\{")
_JSON_SPACE = b" \t\r\n"


class PieceError(Exception):
    """A piece of an array did not parse on its own: the whole document must be read instead."""


def array_pieces(
    data: bytes,
    piece_bytes: int | None = None,
    progress: Progress | None = None,
    decode: Callable[[bytes], list[Any]] = orjson.loads,
) -> Iterator[list[Any]] | None:
    """A top-level array of objects as consecutive lists of about ``piece_bytes`` each
    (default ``PIECE_BYTES``), or None when the data is not shaped so. Each piece is cut
    between two elements and parsed alone; a cut that fell inside a string or a nested
    value leaves a piece that cannot parse (an unterminated string, an unclosed object)
    and is cut again further on; only when the rest of the array does not parse does
    ``PieceError`` say to read the file whole. So pieces that parse are exactly the
    array, and nothing is silently misread.
    ``progress`` hears the fraction of the data read after each piece. ``decode`` parses a
    piece (a JSON array), raising ``orjson.JSONDecodeError`` when it is not JSON."""
    begin = len(data) - len(data.lstrip(_JSON_SPACE))
    end = len(data.rstrip(_JSON_SPACE)) - 1
    if end <= begin or data[begin : begin + 1] != b"[" or data[end : end + 1] != b"]":
        return None
    first = begin + 1
    while first < end and data[first] in _JSON_SPACE:
        first += 1
    if data[first : first + 1] != b"{":
        return None
    return _pieces(data, first, end, piece_bytes or PIECE_BYTES, progress, decode)


def _pieces(
    data: bytes,
    start: int,
    end: int,
    piece_bytes: int,
    progress: Progress | None,
    decode: Callable[[bytes], list[Any]],
) -> Iterator[list[Any]]:
    reach = piece_bytes
    while start < end:
        gap = _ELEMENT_GAP.search(data, start + reach, end) if start + reach < end else None
        stop, after = (gap.start() + 1, gap.end() - 1) if gap is not None else (end, end)
        try:
            piece = decode(b"[" + data[start:stop] + b"]")
        except orjson.JSONDecodeError:
            if stop >= end:
                raise PieceError from None
            # The cut fell inside a value (an error text quoting JSON, say): cut further on,
            # twice as far each time, so a broken file costs at most twice its parse.
            reach *= 2
            continue
        reach = piece_bytes
        if progress is not None:
            progress(stop / len(data))
        yield piece
        start = after


@dataclass(slots=True)
class Document:
    """A parsed input: one JSON value, a list of JSON-lines values, or CSV rows."""

    source: str
    kind: DocumentKind
    value: Any
    # For JSON lines and CSV: the 1-based line where each record starts.
    lines: list[int] | None = None
    header: list[str] | None = None
    warnings: list[str] = field(default_factory=list)
    size: int = 0
    # Set when the JSON was broken and only what came before the break was kept.
    broken: TraceError | None = None


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while allocating many objects at once."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# How many allocations the collector lets pass between two of its young-generation passes
# while a headless command runs (the interpreter's default is 700).
RELAXED_COLLECTION = 100_000


@contextmanager
def collector_relaxed() -> Iterator[None]:
    """Let the cyclic collector run a hundred times less often: a headless command makes a
    run's worth of objects (a diff, 100k pairs and their JSON) and exits, and at the default
    pace the collector would rescan them over and over, costing as much as the work itself."""
    thresholds = gc.get_threshold()
    gc.set_threshold(RELAXED_COLLECTION, thresholds[1], thresholds[2])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


# ``tidy`` frees the garbage among frozen objects once they number this much more than
# after the last time it did (half again: a full collection's pause, rare and amortized).
FROZEN_GROWTH = 1.5


class _Frozen:
    """How many objects were frozen after the last full collection (0: none yet)."""

    after_collection = 0


def tidy() -> None:
    """Free the garbage hidden among frozen objects, before a new version of a run is built
    (in follow mode). What is frozen is never collected, and a freeze takes the UI's live
    objects with the run: those that later die in a reference cycle (drawn lines and their
    caches) would stay forever, a few thousand with each reload. So once the frozen objects
    have grown by half since the last full collection, they are thawed and collected
    in full (here, while one version of the run is alive, not two): the leak stays bounded,
    its cost amortized over the reloads. Garbage never frozen is the collector's as usual."""
    frozen = gc.get_freeze_count()
    if _Frozen.after_collection and frozen > _Frozen.after_collection * FROZEN_GROWTH:
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        _Frozen.after_collection = gc.get_freeze_count()


def settle() -> None:
    """Move what is loaded out of the garbage collector's sight: a million spans rescanned by
    every full collection would stall key presses (and headless sorts) for most of a second.
    (What it freezes with them and later dies in a cycle is ``tidy``'s to free.)"""
    gc.freeze()
    if not _Frozen.after_collection:
        _Frozen.after_collection = gc.get_freeze_count()


# The most bytes one input may hold, read or decompressed: past it, loading would take more
# memory than a trace is worth (a model holds about three times its file). ``--max-size``.
DEFAULT_INPUT_LIMIT = 2 << 30
_READ_CHUNK = 1 << 20


@dataclass(slots=True)
class Limits:
    """Limits on what one input may hold; one setting for the process, made from the
    command line."""

    input_bytes: int = DEFAULT_INPUT_LIMIT


LIMITS = Limits()


def set_input_limit(limit: int) -> None:
    """Change the most bytes an input may hold (read, or once decompressed)."""
    LIMITS.input_bytes = limit


def size_text(count: int) -> str:
    """A byte count for people: ``2 GiB``, ``512 MiB``, ``64 KiB``."""
    for shift, unit in ((30, "GiB"), (20, "MiB"), (10, "KiB")):
        if count >= 1 << shift:
            return f"{count / (1 << shift):.3g} {unit}"
    return f"{count} bytes"


def _too_big(what: str) -> TraceError:
    return TraceError(
        f"{what} more than the {size_text(LIMITS.input_bytes)} input limit"
        " (raise it with --max-size)"
    )


def _read_stream(stream: BinaryIO) -> bytes:
    """A pipe, FIFO or device read to its end or the limit, whichever comes first; binary
    data (``/dev/zero``, say) is refused from its first megabyte."""
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = stream.read(min(_READ_CHUNK, LIMITS.input_bytes + 1 - total))
        if not chunk:
            break
        if not chunks and b"\x00" in chunk[:8192] and not chunk.startswith(GZIP_MAGIC):
            raise TraceError("binary data, not a text trace (found NUL bytes)")
        chunks.append(chunk)
        total += len(chunk)
        if total > LIMITS.input_bytes:
            raise _too_big("holds")
    return b"".join(chunks)


def _read(path: str) -> bytes:
    if path == "-":
        return _read_stream(sys.stdin.buffer)
    with open(path, "rb") as handle:
        info = os.fstat(handle.fileno())
        if stat.S_ISREG(info.st_mode):
            if info.st_size > LIMITS.input_bytes:
                raise _too_big(f"is {size_text(info.st_size)},")
            return handle.read()
        return _read_stream(handle)  # a pipe, FIFO, process substitution or device


def read_bytes(path: str) -> bytes:
    """The raw bytes of a path (``-`` is standard input), decompressed if gzip, at most the
    input limit (see ``set_input_limit``)."""
    try:
        data = _read(path)
    except FileNotFoundError:
        raise TraceError("no such file") from None
    except IsADirectoryError:
        raise TraceError("is a directory, not a trace file") from None
    except PermissionError:
        raise TraceError("permission denied") from None
    except OSError as exc:
        raise TraceError(f"cannot read: {exc.strerror or exc}") from None
    if data.startswith(GZIP_MAGIC):
        data = _gunzip(data)
    return data


def _gunzip(data: bytes) -> bytes:
    """Gzip data decompressed (every member), stopping at the input limit."""
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as unzipped:
            result = unzipped.read(LIMITS.input_bytes + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise TraceError(f"broken gzip data: {exc}") from None
    if len(result) > LIMITS.input_bytes:
        raise _too_big("decompresses to")
    return result


def parse(data: bytes, source: str) -> Document:
    """Parse bytes into a document, by content: JSON, JSON lines, or CSV."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    stripped = data.lstrip()
    if not stripped:
        raise TraceError("empty file" if not data else "file holds only whitespace")
    head = data[:8192]
    if b"\x00" in head:
        raise TraceError("binary data, not a text trace (found NUL bytes)")
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut by the 8 KiB boundary
            raise TraceError(
                f"binary data, not UTF-8 text (bad byte at offset {exc.start})"
            ) from None
    first = stripped[:1]
    if first in (b"{", b"["):
        return _parse_json(data, source)
    return _parse_csv(data, source)


def _parse_json(data: bytes, source: str) -> Document:
    try:
        with collector_paused():
            value = orjson.loads(data)
        return Document(source, "json", value, size=len(data))
    except orjson.JSONDecodeError as exc:
        # Without its traceback: that would keep this frame (and the data) in a cycle.
        error = exc.with_traceback(None)
    lines = _try_json_lines(data, source)
    if lines is not None:
        return lines
    return _salvage(data, source, error)


def _error_text(exc: orjson.JSONDecodeError) -> str:
    return exc.msg.split(": line ")[0] if exc.msg else "invalid JSON"


def incomplete_record(line: int) -> str:
    """The warning for a JSON-lines record cut off at the end of what was read."""
    return f"line {line}: incomplete last record (still being written?), skipped"


def not_json(line: int, error: orjson.JSONDecodeError) -> str:
    """The warning for a JSON-lines line that does not parse."""
    return f"line {line}: not valid JSON ({_error_text(error)}), skipped"


def _try_json_lines(data: bytes, source: str) -> Document | None:
    """Parse one JSON value per line, if the file looks like JSON lines."""
    raw_lines = data.split(b"\n")
    first_index = next(i for i, line in enumerate(raw_lines) if line.strip())
    try:
        first_value = orjson.loads(raw_lines[first_index])
    except orjson.JSONDecodeError:
        return None
    if not isinstance(first_value, dict | list):
        return None
    values: list[Any] = []
    numbers: list[int] = []
    warnings: list[str] = []
    last = max(i for i, line in enumerate(raw_lines) if line.strip())
    with collector_paused():
        for i, line in enumerate(raw_lines):
            if not line.strip():
                continue
            try:
                values.append(orjson.loads(line))
                numbers.append(i + 1)
            except orjson.JSONDecodeError as exc:
                if i == last and not data.endswith(b"\n"):
                    warnings.append(incomplete_record(i + 1))
                else:
                    warnings.append(not_json(i + 1, exc))
    return Document(source, "jsonl", values, lines=numbers, warnings=warnings, size=len(data))


def _salvage(data: bytes, source: str, error: orjson.JSONDecodeError) -> Document:
    """Keep the complete values before a truncation or a break, closing what was open."""
    line, column = error.lineno, error.colno
    broken_at = min(error.pos, len(data))
    # orjson reports positions in characters; map to bytes for the cut (only differ with non-ASCII).
    if not data.isascii():
        broken_at = len(data.decode("utf-8", errors="replace")[: error.pos].encode("utf-8"))
    what = _error_text(error)
    truncated = broken_at >= len(data.rstrip())
    failure = TraceError(
        f"{'truncated' if truncated else 'not valid'} JSON: {what}", line=line, column=column
    )
    # Only the last stretch is read token by token (a whole file that way takes seconds per
    # ten megabytes); what is open where it starts is worked out in C. When no cut in it
    # parses, a stretch eight times longer is read, up to the last 64 cuts, as from the start.
    window = SALVAGE_WINDOW
    tried_from = broken_at + 1  # cuts from here on failed in a narrower stretch already
    while True:
        start, stack = _open_before(data, max(0, broken_at - window))
        cuts, found = _cuts(data, start, broken_at, stack)
        for cut, open_containers in reversed(cuts):
            if cut >= tried_from:
                continue
            closers = bytes(
                ord("]") if c == ord("[") else ord("}") for c in reversed(open_containers)
            )
            try:
                with collector_paused():
                    value = orjson.loads(data[:cut] + closers)
            except orjson.JSONDecodeError:
                continue
            note = (
                f"JSON {'ends early' if truncated else 'is broken'} ({what}) at line {line},"
                f" column {column}: loaded the complete records before it; " + _dropped(data, cut)
            )
            return Document(source, "json", value, warnings=[note], size=len(data), broken=failure)
        if start == 0 or found >= _MOST_CUTS:
            raise failure
        if cuts:
            tried_from = min(tried_from, cuts[0][0])
        window *= 8


_MOST_CUTS = 64


def _dropped(data: bytes, cut: int) -> str:
    """What salvage left out from ``cut`` on, named for the warning."""
    rest = data[cut:].lstrip(b", \t\r\n")
    if not rest:
        return f"skipped the last {len(data) - cut} bytes"
    line = data.count(b"\n", 0, len(data) - len(rest)) + 1
    head = safe_line(" ".join(rest[:80].decode("utf-8", errors="replace").split())[:50])
    return (
        f"dropped the incomplete record at line {line} ({head}\u2026) and everything after it"
        f" ({len(data) - cut} bytes)"
    )


def _cuts(
    data: bytes, start: int, end: int, stack: list[int]
) -> tuple[deque[tuple[int, tuple[int, ...]]], int]:
    """The last places between ``start`` and ``end`` where the JSON could be cut and closed
    (each with the brackets open there), and how many there were in all."""
    cuts: deque[tuple[int, tuple[int, ...]]] = deque(maxlen=_MOST_CUTS)
    found = 0
    for match in _JSON_TOKEN.finditer(data, start, end):
        token = match.group()
        char = token[0]
        if char == ord('"'):
            if not _string_closed(token):
                break  # the data ends inside this string
            continue
        cut = None
        if char in (ord("["), ord("{")):
            stack.append(char)
            if char == ord("["):
                cut = match.end()
        elif char in (ord("]"), ord("}")):
            if not stack:
                break
            stack.pop()
            if stack:
                cut = match.end()
        elif stack:  # a comma: everything before it in this container is complete
            cut = match.start()
        # Only between the elements of an array: closing an object that was cut would keep
        # half a record (a failure without its error) as if it were whole.
        if cut is not None and stack and stack[-1] == ord("["):
            cuts.append((cut, tuple(stack)))
            found += 1
    return cuts, found


def _open_before(data: bytes, end: int) -> tuple[int, list[int]]:
    """A position at or before ``end`` that is outside any string, and the brackets still
    open there (outermost first), for JSON that is valid up to ``end``."""
    if end == 0:
        return 0, []
    # Complete strings removed: a quote left over opens the string ``end`` falls inside, and
    # everything after it is that string's raw text, so its position in ``data`` is known.
    outside = _COMPLETE_STRING.sub(b"", data[:end])
    quote = outside.find(b'"')
    if quote >= 0:
        end -= len(outside) - quote
        outside = outside[:quote]
    brackets = outside.translate(None, _NOT_BRACKETS)
    while True:  # matched pairs removed, innermost first, until only the open ones are left
        reduced = brackets.replace(b"[]", b"").replace(b"{}", b"")
        if reduced == brackets:
            break
        brackets = reduced
    if b"]" in brackets or b"}" in brackets:
        return 0, []  # not valid up to there after all: read it all token by token
    return end, list(brackets)


_COMPLETE_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
# How much before a break is read token by token to find where to cut.
SALVAGE_WINDOW = 64 << 10


def _string_closed(token: bytes) -> bool:
    """True when a matched string token ends with an unescaped quote."""
    if len(token) < 2 or not token.endswith(b'"'):
        return False
    backslashes = len(token[:-1]) - len(token[:-1].rstrip(b"\\"))
    return backslashes % 2 == 0


def _parse_csv(data: bytes, source: str) -> Document:
    text = data.decode("utf-8", errors="replace")
    first_line = text.lstrip().split("\n", 1)[0].rstrip("\r")
    if "," not in first_line:
        raise TraceError(
            f"not JSON, JSON lines or CSV (starts with {shorten(safe_line(first_line), 40)!r})",
            line=1,
            column=1,
        )
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip() for name in next(reader)]
        rows: list[dict[str, str]] = []
        lines: list[int] = []
        warnings: list[str] = []
        line = reader.line_num + 1
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                line = reader.line_num + 1
                continue
            if len(cells) != len(header):
                warnings.append(
                    f"line {line}: {len(cells)} cells where the header has {len(header)}, skipped"
                )
            else:
                rows.append(dict(zip(header, cells, strict=True)))
                lines.append(line)
            line = reader.line_num + 1
    except csv.Error as exc:
        raise TraceError(f"broken CSV: {exc}", line=reader.line_num) from None
    return Document(
        source, "csv", rows, lines=lines, header=header, warnings=warnings, size=len(data)
    )
