"""A faithful model of one SIE file.

Header and chart records are small and kept as frozen dataclasses. Vouchers and
their rows can number in the millions, so they are kept column-wise in Arrow
tables (one row per voucher / per transaction row, each with its line number);
:func:`iter_vouchers` gives them back as objects for code that wants them.
"""

from __future__ import annotations

import datetime as dt
from abc import abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeVar, overload

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bokslut.diagnostics import Finding

ObjectList = tuple[tuple[int, str], ...]


def canonical_objects(objects: ObjectList) -> str:
    """The store's text key of an object list: pairs sorted by dimension, "1:81141|6:P1".

    Backslash, ``|`` and ``:`` inside object ids are escaped so the key can be split back.
    """

    def esc(s: str) -> str:
        return s.replace("\\", "\\\\").replace("|", "\\|").replace(":", "\\:")

    return "|".join(f"{d}:{esc(o)}" for d, o in sorted(objects, key=lambda p: (p[0], p[1])))


def object_keys(lists: Iterable[ObjectList]) -> list[str]:
    """The canonical key of each object list; a region's tens of thousands of balance records
    share a few lists, each keyed once."""
    keys: dict[ObjectList, str] = {}
    out: list[str] = []
    for objects in lists:
        key = keys.get(objects)
        if key is None:
            key = keys[objects] = canonical_objects(objects)
        out.append(key)
    return out


def in_line_order(table: pa.Table) -> pa.Table:
    """``table``'s records sorted by their ``line`` (as they are when already in order)."""
    lines = table["line"].to_numpy()
    if lines.size > 1 and not bool(np.all(lines[1:] > lines[:-1])):
        return table.take(np.argsort(lines, kind="stable"))
    return table


def pair_keys(dims: Sequence[int] | pa.Array, ids: Sequence[str] | pa.Array) -> pa.Array:
    """Objects (their dimensions and ids) as one-pair keys of :func:`canonical_objects`
    ("1:81141"), built column-wise."""
    escaped = ids if isinstance(ids, pa.Array) else pa.array(ids, pa.string())
    if _may_hold(escaped, b"\\|:"):  # rare: a region's 300 000 ids, copied three times, held none
        for ch in ("\\", "|", ":"):
            escaped = pc.replace_substring(escaped, ch, "\\" + ch)
    numbers = dims if isinstance(dims, pa.Array) else pa.array(dims, pa.int64())
    return pc.binary_join_element_wise(pc.cast(numbers, pa.string()), escaped, ":")


def _may_hold(strings: pa.Array, chars: bytes) -> bool:
    """Whether any of the bytes ``chars`` may be in ``strings``: its whole data buffer is looked
    at (a slice's neighbours too, which can only say yes for nothing)."""
    if not pa.types.is_string(strings.type):
        return True
    data = strings.buffers()[2]
    if data is None:
        return False
    raw = np.frombuffer(data, np.uint8)
    return any(bool((raw == ch).any()) for ch in chars)


@dataclass(frozen=True, slots=True)
class FiscalYear:
    index: int  # 0 = this year, -1 = the year before, …
    start: dt.date
    end: dt.date
    line: int


@dataclass(frozen=True, slots=True)
class Header:
    flagga: int | None = None
    program: str | None = None
    program_version: str | None = None
    format: str | None = None
    generated: dt.date | None = None
    generated_by: str | None = None
    sietyp: int | None = None
    prosa: str | None = None
    ftyp: str | None = None
    fnr: str | None = None
    orgnr: str | None = None
    bkod: str | None = None
    address: tuple[str, str, str, str] | None = None
    fnamn: str | None = None
    fiscal_years: tuple[FiscalYear, ...] = ()
    taxar: int | None = None
    omfattn: dt.date | None = None
    kptyp: str | None = None
    valuta: str | None = None
    ksumma: int | None = None  # the declared checksum, when the file carries one

    def fiscal_year(self, index: int = 0) -> FiscalYear | None:
        for fy in self.fiscal_years:
            if fy.index == index:
                return fy
        return None


@dataclass(frozen=True, slots=True)
class Account:
    number: str
    name: str
    line: int
    ktyp: str | None = None
    unit: str | None = None
    sru: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Dimension:
    number: int
    name: str
    line: int
    parent: int | None = None  # set for #UNDERDIM


@dataclass(frozen=True, slots=True)
class Object:
    dimension: int
    id: str
    name: str
    line: int


OBJECT_SCHEMA = pa.schema(
    [("dim", pa.int64()), ("obj", pa.string()), ("name", pa.string()), ("line", pa.int64())]
)


_R = TypeVar("_R")


class _Records(Sequence[_R]):
    """Records kept column by column in an Arrow table, made one by one only when asked for."""

    __slots__ = ("table",)
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, table: pa.Table) -> None:
        self.table = table

    def __len__(self) -> int:
        return int(self.table.num_rows)

    @overload
    def __getitem__(self, index: int) -> _R: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[_R, ...]: ...
    def __getitem__(self, index: int | slice) -> _R | tuple[_R, ...]:
        if isinstance(index, slice):
            return tuple(self)[index]
        n = len(self)
        if not -n <= index < n:
            raise IndexError(f"{type(self).__name__} index out of range")
        return next(iter(type(self)(self.table.slice(index % n, 1))))

    @abstractmethod
    def __iter__(self) -> Iterator[_R]: ...

    def __eq__(self, other: object) -> bool:
        if isinstance(other, type(self)):
            return bool(self.table.equals(other.table))
        if isinstance(other, Sequence):
            return tuple(self) == tuple(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list(self)!r})"


class Objects(_Records[Object]):
    """A file's declared objects, column by column (:data:`OBJECT_SCHEMA`), in the order
    they were first declared. A region declares hundreds of thousands: they go into the
    store and the checks as columns, and become :class:`Object` only when asked for."""

    __slots__ = ()

    def __iter__(self) -> Iterator[Object]:
        t = self.table
        columns = (t[name].to_pylist() for name in OBJECT_SCHEMA.names)
        return map(Object, *columns)


def object_table(objects: Sequence[Object]) -> pa.Table:
    """``objects`` as :data:`OBJECT_SCHEMA`'s columns."""
    if isinstance(objects, Objects):
        return objects.table
    return pa.table(
        {
            "dim": [o.dimension for o in objects],
            "obj": [o.id for o in objects],
            "name": [o.name for o in objects],
            "line": [o.line for o in objects],
        },
        schema=OBJECT_SCHEMA,
    )


@dataclass(frozen=True, slots=True)
class Balance:
    """#IB #UB #RES (no objects) and #OIB #OUB (with objects)."""

    kind: str
    year_index: int
    account: str
    amount: int  # öre, debit positive
    line: int
    objects: ObjectList = ()
    quantity: Decimal | None = None


@dataclass(frozen=True, slots=True)
class PeriodBalance:
    """#PSALDO and #PBUDGET: the change of one month (not an accumulated balance). Its
    objects in the order of :func:`canonical_objects` (by dimension, then id), whatever the
    file's order: as the store keeps them, and as a region's records are read in bulk."""

    kind: str
    year_index: int
    period: int  # YYYYMM
    account: str
    amount: int
    line: int
    objects: ObjectList = ()
    quantity: Decimal | None = None


PERIOD_BALANCE_SCHEMA = pa.schema(
    [
        ("kind", pa.string()),
        ("year_index", pa.int64()),
        ("period", pa.int64()),
        ("account", pa.string()),
        ("amount", pa.int64()),
        ("line", pa.int64()),
        ("objects", pa.string()),  # canonical_objects()
        ("quantity", pa.string()),  # format(quantity, "f"), exact
    ]
)


class PeriodBalances(_Records[PeriodBalance]):
    """A file's #PSALDO and #PBUDGET records, column by column (:data:`PERIOD_BALANCE_SCHEMA`),
    in file order. A region's file holds a record per account, object and month: they go into
    the store and the checks as columns, and become :class:`PeriodBalance` only when asked for."""

    __slots__ = ()

    def __iter__(self) -> Iterator[PeriodBalance]:
        t = self.table
        kinds, years, periods, accounts, amounts, lines, objects, quantities = (
            t[name].to_pylist() for name in PERIOD_BALANCE_SCHEMA.names
        )
        return map(
            PeriodBalance,
            kinds,
            years,
            periods,
            accounts,
            amounts,
            lines,
            map(split_objects, objects),
            (None if q is None else Decimal(q) for q in quantities),
        )


def period_balance_table(records: Sequence[PeriodBalance]) -> pa.Table:
    """``records`` as :data:`PERIOD_BALANCE_SCHEMA`'s columns."""
    if isinstance(records, PeriodBalances):
        return records.table
    columns = {
        "kind": [r.kind for r in records],
        "year_index": [r.year_index for r in records],
        "period": [r.period for r in records],
        "account": [r.account for r in records],
        "amount": [r.amount for r in records],
        "line": [r.line for r in records],
        "objects": object_keys(r.objects for r in records),
        "quantity": [None if r.quantity is None else format(r.quantity, "f") for r in records],
    }
    return pa.table(columns, schema=PERIOD_BALANCE_SCHEMA)


@dataclass(frozen=True, slots=True)
class Transaction:
    account: str
    amount: int  # öre
    objects: ObjectList = ()
    date: dt.date | None = None  # transdat; None = the voucher's date
    text: str | None = None
    quantity: Decimal | None = None
    sign: str | None = None
    kind: str = "TRANS"  # TRANS, RTRANS (added row; its #TRANS twin follows) or BTRANS (struck)
    line: int = 0


@dataclass(frozen=True, slots=True)
class Voucher:
    series: str
    number: str
    date: dt.date
    text: str = ""
    rows: tuple[Transaction, ...] = ()
    regdate: dt.date | None = None
    sign: str | None = None
    line: int = 0


VOUCHER_SCHEMA = pa.schema(
    [
        ("voucher_idx", pa.int64()),
        ("series", pa.string()),
        ("number", pa.string()),
        ("date", pa.date32()),
        ("text", pa.string()),
        ("regdate", pa.date32()),
        ("sign", pa.string()),
        ("line", pa.int64()),
    ]
)

TRANSACTION_SCHEMA = pa.schema(
    [
        ("voucher_idx", pa.int64()),
        ("row_no", pa.int32()),
        ("kind", pa.string()),
        ("account", pa.string()),
        ("amount", pa.int64()),
        ("date", pa.date32()),  # transdat, or the voucher date when the row has none
        ("text", pa.string()),
        ("quantity", pa.string()),  # as written; exact, parsed by the store
        ("sign", pa.string()),
        ("objects", pa.string()),  # canonical_objects()
        ("line", pa.int64()),
    ]
)

# Where a row's text stands in its file, for the rows that leave ``text`` empty (a streamed
# file's, see bokslut.sie.fastscan.PIECE_SCHEMA): the offset of the text's first byte (its
# opening quote if it is quoted) and how many bytes it takes there, 0 for a row without text.
TEXT_SPAN = pa.schema([("text_at", pa.int64()), ("text_len", pa.int32())])


@dataclass(frozen=True)
class SieFile:
    """Everything one SIE file says, plus the reader's findings about it."""

    name: str  # as shown in messages (the path the user gave)
    encoding: str  # cp437, utf-8 or cp1252
    header: Header
    accounts: tuple[Account, ...] = ()
    dimensions: tuple[Dimension, ...] = ()
    objects: Sequence[Object] = ()  # an Objects when read
    balances: tuple[Balance, ...] = ()
    period_balances: Sequence[PeriodBalance] = ()  # a PeriodBalances when read in bulk
    vouchers: pa.Table = field(default_factory=VOUCHER_SCHEMA.empty_table)
    transactions: pa.Table = field(default_factory=TRANSACTION_SCHEMA.empty_table)
    counts: Mapping[str, int] = field(default_factory=dict)  # records per label as written
    findings: tuple[Finding, ...] = ()

    @property
    def sietyp_label(self) -> str:
        """'1' '2' '3' '4E' or '4I' (4I: an import file, vouchers without balances)."""
        t = self.header.sietyp or 1
        if t != 4:
            return str(t)
        has_balances = any(b.kind in ("IB", "UB", "RES") for b in self.balances)
        return "4E" if has_balances or (self.accounts and self.header.fiscal_years) else "4I"


def iter_vouchers(sie: SieFile) -> Iterator[Voucher]:
    """The vouchers with their rows as objects (for small files, tests and the writer)."""
    vouchers = sie.vouchers.to_pylist()
    rows_by_voucher: dict[int, list[Transaction]] = {}
    for r in sie.transactions.to_pylist():
        rows_by_voucher.setdefault(r["voucher_idx"], []).append(
            Transaction(
                account=r["account"],
                amount=r["amount"],
                objects=split_objects(r["objects"]),
                date=r["date"],
                text=r["text"],
                quantity=Decimal(r["quantity"]) if r["quantity"] is not None else None,
                sign=r["sign"],
                kind=r["kind"],
                line=r["line"],
            )
        )
    for v in vouchers:
        yield Voucher(
            series=v["series"],
            number=v["number"],
            date=v["date"],
            text=v["text"],
            rows=tuple(rows_by_voucher.get(v["voucher_idx"], ())),
            regdate=v["regdate"],
            sign=v["sign"],
            line=v["line"],
        )


def split_objects(key: str) -> ObjectList:
    """Inverse of :func:`canonical_objects`."""
    if not key:
        return ()
    if "\\" not in key:
        # Nothing escaped: every "|" ends a pair and each pair has one ":" (the common case,
        # and a region's year has hundreds of thousands of keys).
        return tuple((int(d), o) for d, _, o in (p.partition(":") for p in key.split("|")))
    pairs: list[tuple[int, str]] = []
    field: list[str] = []
    escaped = False
    for ch in key + "|":
        if escaped:
            field.append(ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "|":
            # Dimension numbers never contain ":", so the first one separates.
            dim, _, obj = "".join(field).partition("\0")
            pairs.append((int(dim), obj))
            field = []
        elif ch == ":" and "\0" not in field:
            field.append("\0")
        else:
            field.append(ch)
    return tuple(pairs)
