"""Writing SIE 4 files: for tests, benchmarks, example ledgers and round trips.

Output follows the specification strictly (so our own reader's tolerance is
never what makes a round trip pass): one record per line, texts always quoted
with ``\\"`` escapes, amounts with two decimals, braces on their own lines.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import BinaryIO

from bokslut.sie import ksumma
from bokslut.sie.model import (
    Account,
    Balance,
    Dimension,
    Header,
    Object,
    PeriodBalance,
    Transaction,
    Voucher,
)


class Text(str):
    """A field always written quoted."""


class ObjList(tuple[tuple[int, str], ...]):
    """An object list field: ``{dim "obj" …}``."""


Field = str | Text | ObjList


def amount_text(ore: int) -> str:
    sign = "-" if ore < 0 else ""
    whole, frac = divmod(abs(ore), 100)
    return f"{sign}{whole}.{frac:02d}"


def _date(d: dt.date | None) -> str:
    return d.strftime("%Y%m%d") if d else ""


def _quantity(q: Decimal | None) -> str:
    return "" if q is None else format(q, "f")


def _quote(s: str) -> str:
    if any(ord(c) < 32 or ord(c) == 127 for c in s):
        raise ValueError(f"styrtecken i SIE-fält: {s!r}")
    if s.endswith("\\"):
        # SIE has no escape for a backslash: before the closing quote it would escape it.
        raise ValueError(f"ett SIE-fält kan inte sluta med bakstreck: {s!r}")
    return '"' + s.replace('"', '\\"') + '"'


def _plain(s: str) -> str:
    if not s or any(c in s for c in ' \t"{}') or s.startswith("#"):
        return _quote(s)
    return s


def _format(f: Field) -> tuple[str, str]:
    """(text as written, content for #KSUMMA)."""
    if isinstance(f, ObjList):
        written = "{" + " ".join(f"{d} {_quote(o)}" for d, o in f) + "}"
        return written, "".join(f"{d}{o}" for d, o in f)
    if isinstance(f, Text):
        return _quote(f), str(f)
    return _plain(f), f


def _trim(fields: list[Field]) -> list[Field]:
    # Trailing empty optional fields are omitted, as the specification allows.
    while fields and not isinstance(fields[-1], ObjList) and fields[-1] == "":
        fields.pop()
    return fields


@dataclass
class SieWriter:
    """Writes records to a binary stream; optionally with #KSUMMA."""

    out: BinaryIO
    encoding: str = "cp437"
    with_ksumma: bool = False
    newline: str = "\n"
    _crc: int = field(default=0, init=False)
    _buffer: list[str] = field(default_factory=list, init=False)

    def record(self, label: str, *fields: Field, indent: str = "") -> None:
        parts = [label]
        contents: list[str] = []
        for f in _trim(list(fields)):
            written, content = _format(f)
            parts.append(written)
            contents.append(content)
        if self.with_ksumma and label not in ("#FLAGGA", "#KSUMMA"):
            self._crc = ksumma.update(self._crc, label, contents)
        self._line(indent + " ".join(parts))

    def brace(self, ch: str) -> None:
        self._line(ch)

    def _line(self, text: str) -> None:
        self._buffer.append(text + self.newline)
        if len(self._buffer) >= 4096:
            self.flush()

    def flush(self) -> None:
        if self._buffer:
            self.out.write("".join(self._buffer).encode(self.encoding))
            self._buffer.clear()

    def begin(self, flagga: int = 0) -> None:
        self.record("#FLAGGA", str(flagga))
        if self.with_ksumma:
            self._line("#KSUMMA")

    def end(self) -> None:
        if self.with_ksumma:
            self._line(f"#KSUMMA {self._crc}")
        self.flush()

    def header(self, h: Header) -> None:
        if h.format is not None or self.encoding == "cp437":
            self.record("#FORMAT", h.format or "PC8")
        if h.program is not None:
            self.record("#PROGRAM", Text(h.program), Text(h.program_version or ""))
        if h.generated is not None:
            self.record("#GEN", _date(h.generated), Text(h.generated_by or ""))
        if h.sietyp is not None:
            self.record("#SIETYP", str(h.sietyp))
        if h.prosa is not None:
            self.record("#PROSA", Text(h.prosa))
        if h.ftyp is not None:
            self.record("#FTYP", h.ftyp)
        if h.fnr is not None:
            self.record("#FNR", Text(h.fnr))
        if h.orgnr is not None:
            self.record("#ORGNR", h.orgnr)
        if h.bkod is not None:
            self.record("#BKOD", h.bkod)
        if h.address is not None:
            self.record("#ADRESS", *(Text(a) for a in h.address))
        if h.fnamn is not None:
            self.record("#FNAMN", Text(h.fnamn))
        for fy in h.fiscal_years:
            self.record("#RAR", str(fy.index), _date(fy.start), _date(fy.end))
        if h.taxar is not None:
            self.record("#TAXAR", str(h.taxar))
        if h.omfattn is not None:
            self.record("#OMFATTN", _date(h.omfattn))
        if h.kptyp is not None:
            self.record("#KPTYP", h.kptyp)
        if h.valuta is not None:
            self.record("#VALUTA", h.valuta)

    def accounts(self, accounts: Iterable[Account]) -> None:
        for a in accounts:
            self.record("#KONTO", a.number, Text(a.name))
            if a.ktyp:
                self.record("#KTYP", a.number, a.ktyp)
            if a.unit:
                self.record("#ENHET", a.number, Text(a.unit))
            for code in a.sru:
                self.record("#SRU", a.number, code)

    def dimensions(self, dims: Iterable[Dimension], objects: Iterable[Object]) -> None:
        for d in dims:
            if d.parent is None:
                self.record("#DIM", str(d.number), Text(d.name))
            else:
                self.record("#UNDERDIM", str(d.number), Text(d.name), str(d.parent))
        for o in objects:
            self.record("#OBJEKT", str(o.dimension), Text(o.id), Text(o.name))

    def balances(self, balances: Iterable[Balance]) -> None:
        for b in balances:
            fields: list[Field] = [str(b.year_index), b.account]
            if b.kind in ("OIB", "OUB"):
                fields.append(ObjList(b.objects))
            fields += [amount_text(b.amount), _quantity(b.quantity)]
            self.record("#" + b.kind, *fields)

    def period_balances(self, rows: Iterable[PeriodBalance]) -> None:
        for p in rows:
            self.record(
                "#" + p.kind,
                str(p.year_index),
                str(p.period),
                p.account,
                ObjList(p.objects),
                amount_text(p.amount),
                _quantity(p.quantity),
            )

    def voucher(self, v: Voucher) -> None:
        self.record(
            "#VER",
            Text(v.series),
            Text(v.number),
            _date(v.date),
            Text(v.text),
            _date(v.regdate),
            Text(v.sign or ""),
        )
        self.brace("{")
        for t in v.rows:
            self.transaction(t)
        self.brace("}")

    def transaction(self, t: Transaction) -> None:
        self.record(
            "#" + t.kind,
            t.account,
            ObjList(t.objects),
            amount_text(t.amount),
            _date(t.date),
            Text(t.text or ""),
            _quantity(t.quantity),
            Text(t.sign or ""),
            indent="\t",
        )


def write_sie(
    out: BinaryIO,
    header: Header,
    *,
    accounts: Iterable[Account] = (),
    dimensions: Iterable[Dimension] = (),
    objects: Iterable[Object] = (),
    balances: Iterable[Balance] = (),
    period_balances: Iterable[PeriodBalance] = (),
    vouchers: Iterable[Voucher] = (),
    encoding: str = "cp437",
    with_ksumma: bool = False,
    newline: str = "\n",
) -> None:
    """Write a complete SIE file. ``vouchers`` may be a generator (millions of rows)."""
    w = SieWriter(out, encoding=encoding, with_ksumma=with_ksumma, newline=newline)
    w.begin(header.flagga or 0)
    w.header(header)
    w.accounts(accounts)
    w.dimensions(dimensions, objects)
    w.balances(balances)
    w.period_balances(period_balances)
    for v in vouchers:
        w.voucher(v)
    w.end()
