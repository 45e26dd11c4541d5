"""The parsed key-figure files, kept in the workspace's cache (``.bokslut/kpi/``).

Reading a year of tickets and calls from compressed CSV is a good part of a
build; the figures they give change only when the file, the [kpi] settings, the
closing day or bokslut itself change. Each file kind has one entry, keyed by a
SHA-256 over all of those (the file by its content, bokslut by the source of the
modules that parse it), so any change reads the file again and rewrites the entry.

An entry is an HMAC (:mod:`bokslut.cache_signing`: a key of this user's own,
outside every workspace), a line of JSON (the key, the figures' small parts) and
the arrays' raw bytes. An entry not signed with this user's key — damaged, or
brought along with a received workspace to show other figures than its files —
is never used. Nothing in an entry is ever executed or unpickled, and even a
signed one is checked field by field and array by array (type, length, range)
before use. An entry that fails any check, cannot be read or belongs to another
key is ignored: the file is read as if there were no cache, and the entry rewritten.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import sys
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from bokslut.cache_signing import read_entry, sign, signing_key, verify
from bokslut.diagnostics import Finding, Level
from bokslut.kpi.calls import CallFigures, QueueYear
from bokslut.kpi.tickets import Coded, Tickets
from bokslut.kpi.yearly import MAX_VALUE, YearlyFigure
from bokslut.workspace.safe_files import Refused, open_inside

# Raised when the layout of an entry changes; old entries are then simply not used.
FORMAT = 2
MAGIC = b"bokslut-kpi-cache\n"
MAC_LENGTH = 64
# Modules whose code decides what a file parses to: a change in any of them is a new key.
PARSING_MODULES = (
    "bokslut.tabular",
    "bokslut.kpi.tickets",
    "bokslut.kpi.calls",
    "bokslut.kpi.yearly",
    "bokslut.kpi.cache",
    "bokslut.personnel.calendar",
    "bokslut.diagnostics",
)
# The arrays of Tickets, with the one type each may have.
TICKET_ARRAYS: Mapping[str, np.dtype[Any]] = {
    "year": np.dtype(np.int64),
    "priority": np.dtype(np.int32),
    "channel": np.dtype(np.int32),
    "category": np.dtype(np.int32),
    "desk": np.dtype(np.int32),
    "within_level": np.dtype(np.int8),
    "resolved": np.dtype(np.bool_),
    "first_line": np.dtype(np.int8),
}
CODED = ("priority", "channel", "category", "desk")

T = TypeVar("T")


class Damaged(Exception):
    """An entry that is not what this version of bokslut writes."""


def code_fingerprint() -> str:
    """SHA-256 over the source of the parsing modules (their version when there is no source)."""
    digest = hashlib.sha256()
    for name in PARSING_MODULES:
        module = sys.modules.get(name)
        source = getattr(module, "__file__", None)
        try:
            digest.update(Path(source).read_bytes() if source else name.encode())
        except OSError:
            digest.update(name.encode())
    return digest.hexdigest()


def file_digest(root: Path, path: Path) -> str | None:
    """SHA-256 of the file as stored, opened as the readers open it; None when it cannot be read."""
    try:
        fd = open_inside(root, path)
    except (OSError, Refused):
        return None  # the reader reports why
    with os.fdopen(fd, "rb") as f:
        os.set_blocking(f.fileno(), True)
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            return None
        digest = hashlib.sha256()
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def entry_key(content: str, **inputs: Any) -> str:
    """The key of an entry: the file's content digest, the settings read with it, the code."""
    text = json.dumps(
        {"format": FORMAT, "code": code_fingerprint(), "content": content, **inputs},
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(text.encode()).hexdigest()


def cached(
    folder: Path | None,
    kind: str,
    root: Path,
    path: Path,
    inputs: Mapping[str, Any],
    read: Callable[[], tuple[T, list[Finding]]],
    encode: Callable[[T], tuple[Any, dict[str, npt.NDArray[Any]]]],
    decode: Callable[[Any, Mapping[str, npt.NDArray[Any]]], T],
    secret: bytes | None = None,
) -> tuple[T, list[Finding]]:
    """``read()``, or what it gave the last time for the same file content and ``inputs``.

    ``folder`` None reads without a cache; ``secret`` is the signing key (this user's
    own when not given; without one there is no cache). The content is hashed before
    and after reading: a file changed while it was read is stored under neither version.
    """
    if folder is None:
        return read()
    secret = secret if secret is not None else signing_key()
    before = file_digest(root, path) if secret is not None else None
    if secret is None or before is None:
        return read()
    key = entry_key(before, kind=kind, **inputs)
    entry = folder / f"{kind}.bin"
    hit = _load(entry, key, secret, decode)
    if hit is not None:
        return hit
    value, findings = read()
    if file_digest(root, path) == before:
        with contextlib.suppress(Damaged, ValueError, TypeError):
            header, arrays = encode(value)
            _save(folder, entry, key, secret, header, findings, arrays)
    return value, findings


def _load(
    entry: Path, key: str, secret: bytes, decode: Callable[[Any, Mapping[str, npt.NDArray[Any]]], T]
) -> tuple[T, list[Finding]] | None:
    data = read_entry(entry)
    if data is None:
        return None
    try:
        return _decode_entry(data, key, secret, decode)
    except (OSError, Damaged, ValueError, TypeError, KeyError, IndexError, OverflowError, RecursionError):
        return None  # read from the file instead; the entry is rewritten


def _decode_entry(
    data: bytes, key: str, secret: bytes, decode: Callable[[Any, Mapping[str, npt.NDArray[Any]]], T]
) -> tuple[T, list[Finding]]:
    if not data.startswith(MAGIC):
        raise Damaged("magic")
    start = len(MAGIC) + MAC_LENGTH + 1
    mac = data[len(MAGIC) : start - 1]
    end = data.index(b"\n", start)
    line = data[start:end]
    # A copy the figures may be computed on in place (frombuffer over bytes is read-only).
    body = bytearray(data[end + 1 :])
    if data[start - 1 : start] != b"\n" or not verify(secret, mac, line, bytes(body)):
        raise Damaged("not signed by this user")
    header = json.loads(line)
    if not isinstance(header, dict) or header.get("key") != key:
        raise Damaged("key")
    arrays: dict[str, npt.NDArray[Any]] = {}
    offset = 0
    specs = header.get("arrays")
    if not isinstance(specs, list):
        raise Damaged("arrays")
    for spec in specs:
        name, dtype_name, length = spec
        dtype = np.dtype(_str(dtype_name))
        if dtype.kind not in "biu" or not isinstance(length, int) or length < 0 or not isinstance(name, str):
            raise Damaged("array")
        size = dtype.itemsize * length
        if offset + size > len(body):
            raise Damaged("length")
        arrays[name] = np.frombuffer(body, dtype=dtype, count=length, offset=offset)
        offset += size
    if offset != len(body):
        raise Damaged("length")
    return decode(header.get("value"), arrays), _findings(header.get("findings"))


def _save(
    folder: Path,
    entry: Path,
    key: str,
    secret: bytes,
    value: Any,
    findings: Sequence[Finding],
    arrays: Mapping[str, npt.NDArray[Any]],
) -> None:
    body = b"".join(np.ascontiguousarray(a).tobytes() for a in arrays.values())
    header = {
        "key": key,
        "value": value,
        "findings": [f.to_json() for f in findings],
        "arrays": [[name, a.dtype.str, int(a.size)] for name, a in arrays.items()],
    }
    line = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if folder.is_symlink() or not folder.is_dir():
            return  # never write through a link to somewhere else
        tmp = folder / f".{entry.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        fd = os.open(tmp, flags, 0o644)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(MAGIC + sign(secret, line, body) + b"\n" + line + b"\n" + body)
            os.replace(tmp, entry)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
    except OSError:
        pass  # no cache (a read-only workspace): the next build reads the file again


# --- Checked reading of the JSON parts ---------------------------------------------


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise Damaged("text")
    return value


def _int(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise Damaged("integer")
    return value


def _optional(value: Any, check: Callable[[Any], T]) -> T | None:
    return None if value is None else check(value)


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise Damaged("list")
    return value


def _findings(value: Any) -> list[Finding]:
    out: list[Finding] = []
    for item in _list(value):
        if not isinstance(item, dict):
            raise Damaged("finding")
        out.append(
            Finding(
                Level(_str(item.get("level"))),
                _str(item.get("message")),
                file=_optional(item.get("file"), _str),
                line=_optional(item.get("line"), _int),
                where=_optional(item.get("where"), _str),
                code=_str(item.get("code", "")),
            )
        )
    return out


# --- Tickets, calls and yearly figures ----------------------------------------------


def encode_tickets(t: Tickets | None) -> tuple[Any, dict[str, npt.NDArray[Any]]]:
    if t is None:
        return None, {}
    coded: dict[str, Coded] = {
        "priority": t.priority,
        "channel": t.channel,
        "category": t.category,
        "desk": t.desk,
    }
    arrays: dict[str, npt.NDArray[Any]] = {
        "year": t.year,
        **{name: c.codes for name, c in coded.items()},
        "within_level": t.within_level,
        "resolved": t.resolved,
        "first_line": t.first_line,
    }
    for name, array in arrays.items():
        if array.dtype != TICKET_ARRAYS[name]:
            raise Damaged(name)  # not what decode accepts: better no entry
    return {"file": t.file, "names": {name: list(c.names) for name, c in coded.items()}}, arrays


def decode_tickets(value: Any, arrays: Mapping[str, npt.NDArray[Any]]) -> Tickets | None:
    if value is None:
        if arrays:
            raise Damaged("tickets")
        return None
    if not isinstance(value, dict) or set(arrays) != set(TICKET_ARRAYS):
        raise Damaged("tickets")
    rows = arrays["year"].size
    for name, dtype in TICKET_ARRAYS.items():
        if arrays[name].dtype != dtype or arrays[name].size != rows:
            raise Damaged(name)
    for name in ("within_level", "first_line"):
        if rows and (arrays[name].min() < -1 or arrays[name].max() > 1):
            raise Damaged(name)
    names_of = value.get("names")
    if not isinstance(names_of, dict):
        raise Damaged("names")
    coded: dict[str, Coded] = {}
    for name in CODED:
        names = tuple(_str(n) for n in _list(names_of.get(name)))
        codes = arrays[name]
        if rows and (codes.min() < 0 or codes.max() >= len(names)):
            raise Damaged(name)
        coded[name] = Coded(codes, names)
    return Tickets(
        year=arrays["year"],
        priority=coded["priority"],
        channel=coded["channel"],
        category=coded["category"],
        desk=coded["desk"],
        within_level=arrays["within_level"],
        resolved=arrays["resolved"],
        first_line=arrays["first_line"],
        file=_str(value.get("file")),
    )


def encode_calls(c: CallFigures | None) -> tuple[Any, dict[str, npt.NDArray[Any]]]:
    if c is None:
        return None, {}
    figures = [
        [queue, year, q.offered, q.answered, [[t, n] for t, n in q.within.items()]]
        for (queue, year), q in c.figures.items()
    ]
    value = {
        "figures": figures,
        "queues": list(c.queues),
        "years": list(c.years),
        "thresholds": list(c.thresholds),
        "file": c.file,
    }
    return value, {}


def decode_calls(value: Any, arrays: Mapping[str, npt.NDArray[Any]]) -> CallFigures | None:
    if arrays or (value is not None and not isinstance(value, dict)):
        raise Damaged("calls")
    if value is None:
        return None
    figures: dict[tuple[str, int], QueueYear] = {}
    for item in _list(value.get("figures")):
        queue, year, offered, answered, within = _list(item)
        pairs = [_list(pair) for pair in _list(within)]
        figures[(_str(queue), _int(year))] = QueueYear(
            _int(offered), _int(answered), {_int(t): _int(n) for t, n in pairs}
        )
    return CallFigures(
        figures=figures,
        queues=tuple(_str(q) for q in _list(value.get("queues"))),
        years=tuple(_int(y) for y in _list(value.get("years"))),
        thresholds=tuple(_int(t) for t in _list(value.get("thresholds"))),
        file=_str(value.get("file")),
    )


def encode_yearly(figures: list[YearlyFigure]) -> tuple[Any, dict[str, npt.NDArray[Any]]]:
    rows = [[f.id, f.label, f.year, str(f.value), f.unit, f.table, f.line] for f in figures]
    return rows, {}


def decode_yearly(value: Any, arrays: Mapping[str, npt.NDArray[Any]]) -> list[YearlyFigure]:
    if arrays:
        raise Damaged("yearly")
    out: list[YearlyFigure] = []
    for item in _list(value):
        ident, label, year, number, unit, table, line = _list(item)
        try:
            amount = Decimal(_str(number))
        except InvalidOperation:
            raise Damaged("value") from None
        if not amount.is_finite() or abs(amount) >= MAX_VALUE:
            raise Damaged("value")
        out.append(
            YearlyFigure(_str(ident), _str(label), _int(year), amount, _str(unit), _str(table), _int(line))
        )
    return out
