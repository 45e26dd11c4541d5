"""Reading SIE 1–4 files into a :class:`~bokslut.sie.model.SieFile`.

Two paths give the same result. :func:`read_exact` handles every line in Python
and every quirk we know of (sie.md §4), reporting each with its line. Large
files first try :mod:`bokslut.sie.fastscan`, a compiled scanner for the bulk
records (#VER, #TRANS, braces) that gives up — and hands the file to the exact
path — on anything but well-formed input, so both paths always agree.

Nothing here raises for bad data: problems become findings. An unusable file
(empty, binary, SIE 5, truncated …) is a SieFile with error findings.
"""

from __future__ import annotations

import bisect
import datetime as dt
import errno
import gc
import io
import mmap
import os
import re
import stat
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from bokslut.diagnostics import BokslutError, Finding, Level
from bokslut.environment import read_problem
from bokslut.money import AmountTooLarge, parse_ore
from bokslut.sie import encoding as enc
from bokslut.sie import ksumma
from bokslut.sie import limits as lim
from bokslut.sie.declared import DeclaredObjects
from bokslut.sie.model import (
    TRANSACTION_SCHEMA,
    VOUCHER_SCHEMA,
    Account,
    Balance,
    Dimension,
    FiscalYear,
    Header,
    ObjectList,
    PeriodBalance,
    PeriodBalances,
    SieFile,
    canonical_objects,
    in_line_order,
    period_balance_table,
)
from bokslut.sie.tokens import Field, Token, TokenError, content, printable, tokenize
from bokslut.sie.tokens import ObjectList as ObjTok
from bokslut.workspace.safe_files import Refused, open_inside

if TYPE_CHECKING:
    from bokslut.sie.plainheader import PlainSweep

# Files at least this large try the compiled scanner first; smaller ones are read faster by
# the exact path than the scanner can be loaded. With the kernels loaded straight from
# numba's cache (sie.kernel) the scanner wins from about 1 MB: `bokslut import` of 1, 2 and
# 4 MB 1.09-1.34, 0.95-1.08 and 1.01-1.21 s against 1.29-1.87, 1.54-1.96 and 2.73-3.04 s.
FAST_PATH_MIN_BYTES = 1024 * 1024

_LINE_OF, _AMOUNT_OF = attrgetter("line"), attrgetter("amount")
ROW_LABELS = frozenset({"#TRANS", "#RTRANS", "#BTRANS"})
KTYPES = frozenset({"T", "S", "K", "I"})

# Highest number of fields each known record has (label excluded); more are skipped.
MAX_FIELDS = {
    "#FLAGGA": 1,
    "#PROGRAM": 2,
    "#FORMAT": 1,
    "#GEN": 2,
    "#SIETYP": 1,
    "#PROSA": 1,
    "#FTYP": 1,
    "#FNR": 1,
    "#ORGNR": 3,
    "#BKOD": 1,
    "#ADRESS": 4,
    "#FNAMN": 1,
    "#RAR": 3,
    "#TAXAR": 1,
    "#OMFATTN": 1,
    "#KPTYP": 1,
    "#VALUTA": 1,
    "#KONTO": 2,
    "#KTYP": 2,
    "#ENHET": 2,
    "#SRU": 2,
    "#DIM": 2,
    "#UNDERDIM": 3,
    "#OBJEKT": 3,
    "#IB": 4,
    "#UB": 4,
    "#OIB": 5,
    "#OUB": 5,
    "#RES": 4,
    "#PSALDO": 6,
    "#PBUDGET": 6,
    "#VER": 6,
    "#TRANS": 7,
    "#RTRANS": 7,
    "#BTRANS": 7,
    "#KSUMMA": 1,
}
# Records whose last field is free text: real files write it unquoted with spaces.
TEXT_TAIL = frozenset({"#FNAMN", "#PROSA", "#KONTO", "#DIM", "#OBJEKT", "#ENHET"})

_LINE_BREAK = re.compile(rb"\r\n|\n|\r")
# Numbers are ASCII digits only: Python's \d and int() also read Arabic-Indic digits.
_INT = re.compile(r"-?[0-9]+", re.ASCII)
_DATE = re.compile(r"[0-9]{8}", re.ASCII)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
_PERIOD = re.compile(r"[0-9]{6}", re.ASCII)
# A quantity as SIE writes it (point or comma decimal); no exponent, no digit separators.
_QUANTITY = re.compile(r"([+-]?)([0-9]*)(?:[.,]([0-9]*))?", re.ASCII)


class _Bad(Exception):
    """A record that cannot be read; message is Swedish. Caught per line."""


def parse_date(text: str, what: str) -> tuple[dt.date, str | None]:
    """(date, warning) for an SIE date field; ISO dates are accepted with a warning."""
    t = text.strip()
    note = None
    if _ISO_DATE.fullmatch(t):
        note = f"{what} '{t}' är skrivet som ÅÅÅÅ-MM-DD; SIE kräver ÅÅÅÅMMDD"
        t = t.replace("-", "")
    if not _DATE.fullmatch(t):
        raise _Bad(f"{what} '{_clip(text)}' är inget datum (ÅÅÅÅMMDD väntades)")
    try:
        date = dt.date(int(t[:4]), int(t[4:6]), int(t[6:]))
    except ValueError:
        raise _Bad(f"{what} '{text}' är inget giltigt datum") from None
    if not lim.MIN_YEAR <= date.year <= lim.MAX_YEAR:
        raise _Bad(f"{what} '{text}' ligger utanför åren {lim.MIN_YEAR}–{lim.MAX_YEAR} som kan läsas")
    return date, note


def looks_like_date(text: str) -> bool:
    """Digits and dashes only: a date, perhaps a wrong one (not a text in the date's place)."""
    return re.fullmatch(r"[0-9-]+", text.strip(), re.ASCII) is not None


def parse_amount(text: str, what: str = "beloppet") -> int:
    try:
        return parse_ore(text)
    except AmountTooLarge as exc:
        raise _Bad(f"{what}: {exc}") from None
    except ValueError as exc:
        raise _Bad(f"{what}: {exc} (ett belopp som 1234.50 väntades)") from None


def parse_quantity(text: str) -> Decimal | None:
    """The quantity, or None when absent; _Bad when it is no number the store can hold."""
    t = text.strip()
    if not t:
        return None
    m = _QUANTITY.fullmatch(t)
    if m is None or not (m.group(2) or m.group(3)):
        raise _Bad(f"kvantiteten '{_clip(text)}' är inget tal")
    whole, frac = m.group(2).lstrip("0"), (m.group(3) or "").rstrip("0")
    if len(whole) > lim.QUANTITY_DIGITS or len(frac) > lim.QUANTITY_DECIMALS:
        raise _Bad(
            f"kvantiteten '{_clip(text)}' har fler siffror än som kan lagras "
            f"(högst {lim.QUANTITY_DIGITS} före och {lim.QUANTITY_DECIMALS} efter decimaltecknet)"
        )
    try:
        return Decimal(t.replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        raise _Bad(f"kvantiteten '{text}' är inget tal") from None


def parse_int(text: str, what: str, low: int = lim.MIN_INT, high: int = lim.MAX_INT) -> int:
    """An integer in [low, high]; _Bad naming ``what`` otherwise."""
    t = text.strip()
    if not _INT.fullmatch(t):
        raise _Bad(f"{what} '{_clip(text)}' är inget heltal")
    # Compare lengths first: int() of thousands of digits is slow, and Python refuses it.
    digits = t.lstrip("-").lstrip("0")
    if len(digits) > 19 or not low <= int(t) <= high:
        raise _Bad(f"{what} {_clip(t)} ligger utanför det tillåtna, {_number(low)} till {_number(high)}")
    return int(t)


def parse_year_index(text: str) -> int:
    return parse_int(text, "årsnumret", lim.MIN_YEAR_INDEX, lim.MAX_YEAR_INDEX)


def parse_dimension(text: str, what: str = "dimensionsnumret") -> int:
    return parse_int(text, what, lim.MIN_DIMENSION, lim.MAX_DIMENSION)


def parse_objects(tok: ObjTok) -> ObjectList:
    items = tok.items
    if len(items) % 2:
        raise _Bad("objektlistan ska bestå av par: dimension och objekt")
    pairs: list[tuple[int, str]] = []
    for i in range(0, len(items), 2):
        dim = items[i].text.strip()
        if not _INT.fullmatch(dim):
            raise _Bad(f"dimensionen '{_clip(items[i].text)}' i objektlistan är inget nummer")
        pairs.append((parse_dimension(dim, "dimensionen i objektlistan"), items[i + 1].text))
    return tuple(pairs)


@dataclass
class _Columns:
    """Vouchers and their rows, column by column while reading."""

    v_series: list[str] = field(default_factory=list)
    v_number: list[str] = field(default_factory=list)
    v_date: list[dt.date] = field(default_factory=list)
    v_text: list[str] = field(default_factory=list)
    v_regdate: list[dt.date | None] = field(default_factory=list)
    v_sign: list[str | None] = field(default_factory=list)
    v_line: list[int] = field(default_factory=list)
    t_voucher: list[int] = field(default_factory=list)
    t_row: list[int] = field(default_factory=list)
    t_kind: list[str] = field(default_factory=list)
    t_account: list[str] = field(default_factory=list)
    t_amount: list[int] = field(default_factory=list)
    t_date: list[dt.date] = field(default_factory=list)
    t_text: list[str | None] = field(default_factory=list)
    t_quantity: list[str | None] = field(default_factory=list)
    t_sign: list[str | None] = field(default_factory=list)
    t_objects: list[str] = field(default_factory=list)
    t_line: list[int] = field(default_factory=list)

    def vouchers(self) -> pa.Table:
        n = len(self.v_line)
        return pa.table(
            {
                "voucher_idx": pa.array(range(n), pa.int64()),
                "series": pa.array(self.v_series, pa.string()),
                "number": pa.array(self.v_number, pa.string()),
                "date": pa.array(self.v_date, pa.date32()),
                "text": pa.array(self.v_text, pa.string()),
                "regdate": pa.array(self.v_regdate, pa.date32()),
                "sign": pa.array(self.v_sign, pa.string()),
                "line": pa.array(self.v_line, pa.int64()),
            },
            schema=VOUCHER_SCHEMA,
        )

    def transactions(self) -> pa.Table:
        return pa.table(
            {
                "voucher_idx": pa.array(self.t_voucher, pa.int64()),
                "row_no": pa.array(self.t_row, pa.int32()),
                "kind": pa.array(self.t_kind, pa.string()),
                "account": pa.array(self.t_account, pa.string()),
                "amount": pa.array(self.t_amount, pa.int64()),
                "date": pa.array(self.t_date, pa.date32()),
                "text": pa.array(self.t_text, pa.string()),
                "quantity": pa.array(self.t_quantity, pa.string()),
                "sign": pa.array(self.t_sign, pa.string()),
                "objects": pa.array(self.t_objects, pa.string()),
                "line": pa.array(self.t_line, pa.int64()),
            },
            schema=TRANSACTION_SCHEMA,
        )


@dataclass
class _Open:
    """The voucher being read."""

    index: int
    line: int
    label: str
    date: dt.date
    braced: bool = False
    rows: int = 0
    pending_rtrans: tuple[str, str, int, int] | None = None  # account, objects, amount, line


class _ExactReader:
    def __init__(self, name: str, encoding: str) -> None:
        self.name = name
        self.encoding = encoding
        self.findings: list[Finding] = []
        self.counts: Counter[str] = Counter()
        self.h: dict[str, object] = {}
        self.fiscal_years: list[FiscalYear] = []
        self.accounts: dict[str, Account] = {}
        self.dimensions: dict[int, Dimension] = {}
        self.objects = DeclaredObjects()
        self.balances: list[Balance] = []
        self.period_balances: list[PeriodBalance] = []
        # Period balances swept in bulk (PERIOD_BALANCE_SCHEMA), beside the records read one by one.
        self.period_tables: list[pa.Table] = []
        self.cols = _Columns()
        self.open: _Open | None = None
        self.ksumma_started = False
        self.ksumma_done = False
        self.crc = 0
        self.line_no = 0
        self.seen_record = False
        self.handlers: dict[str, Callable[[str, list[Token]], None]] = {
            "#FLAGGA": self._flagga,
            "#PROGRAM": self._program,
            "#FORMAT": self._format,
            "#GEN": self._gen,
            "#SIETYP": self._sietyp,
            "#PROSA": self._text("prosa"),
            "#FTYP": self._text("ftyp"),
            "#FNR": self._text("fnr"),
            "#ORGNR": self._orgnr,
            "#BKOD": self._text("bkod"),
            "#ADRESS": self._adress,
            "#FNAMN": self._text("fnamn"),
            "#RAR": self._rar,
            "#TAXAR": self._taxar,
            "#OMFATTN": self._omfattn,
            "#KPTYP": self._text("kptyp"),
            "#VALUTA": self._text("valuta"),
            "#KONTO": self._konto,
            "#KTYP": self._ktyp,
            "#ENHET": self._enhet,
            "#SRU": self._sru,
            "#DIM": self._dim,
            "#UNDERDIM": self._underdim,
            "#OBJEKT": self._objekt,
            "#IB": self._balance,
            "#UB": self._balance,
            "#RES": self._balance,
            "#OIB": self._obalance,
            "#OUB": self._obalance,
            "#PSALDO": self._period,
            "#PBUDGET": self._period,
            "#VER": self._ver,
            "#TRANS": self._row,
            "#RTRANS": self._row,
            "#BTRANS": self._row,
        }

    # -- findings -------------------------------------------------------------
    # line=-1 means "the line being read"; None means the whole file.
    def add(self, level: Level, message: str, line: int | None = -1) -> None:
        # Messages quote the file; its control characters must not reach a terminal.
        self.findings.append(
            Finding(level, printable(message), file=self.name, line=self.line_no if line == -1 else line)
        )

    def err(self, message: str, line: int | None = -1) -> None:
        self.add(Level.ERROR, message, line)

    def warn(self, message: str, line: int | None = -1) -> None:
        self.add(Level.WARNING, message, line)

    def note(self, message: str, line: int | None = -1) -> None:
        self.add(Level.NOTICE, message, line)

    # -- lines ------------------------------------------------------------------
    def feed(self, no: int, text: str) -> None:
        self.line_no = no
        stripped = text.strip(" \t")
        if not stripped:
            return
        if stripped in ("{", "}"):
            self._brace(stripped)
            return
        if not stripped.startswith("#"):
            if stripped[0] in "{}":
                self.err(f"'{stripped[0]}' ska stå ensam på sin rad, följd av ny rad")
            else:
                self.err(f"raden börjar inte med en etikett (#…): '{_clip(stripped)}'")
            return
        try:
            tokens = tokenize(stripped)
        except TokenError as exc:
            label = stripped.split(None, 1)[0].upper()
            self.counts[label] += 1
            self.err(f"{label}: {exc}")
            if label == "#VER":
                self._ver_failed()
            return
        first = tokens[0]
        assert isinstance(first, Field)
        label = first.text.upper()
        fields = tokens[1:]
        self.counts[first.text] += 1
        if label == "#KSUMMA":
            self._ksumma(fields)
            return
        if self.ksumma_started and not self.ksumma_done:
            self.crc = ksumma.update(self.crc, first.text, (content(t) for t in fields))
        if not self.seen_record:
            self.seen_record = True
            if label != "#FLAGGA":
                self.warn("filen börjar inte med #FLAGGA (specifikationen kräver den först)")
        handler = self.handlers.get(label)
        if handler is None:
            self.note(f"okänd etikett {first.text} hoppas över (specifikationen kräver det)")
            return
        if self.open is not None and label not in ROW_LABELS and label != "#VER":
            self._close_missing_brace()
        limit = MAX_FIELDS[label]
        if len(fields) > limit:
            if label in TEXT_TAIL and all(isinstance(t, Field) and not t.quoted for t in fields[limit - 1 :]):
                joined = " ".join(t.text for t in fields[limit - 1 :] if isinstance(t, Field))
                fields = [*fields[: limit - 1], Field(joined)]
                self.warn(f"{label}: texten saknar citattecken; läst som '{joined}'")
            else:
                self.note(f"{label}: {len(fields) - limit} extra fält i slutet hoppas över")
                fields = fields[:limit]
        try:
            handler(label, fields)
        except _Bad as exc:
            self.err(f"{label}: {exc}")
            if label == "#VER":
                self._ver_failed()

    def _brace(self, ch: str) -> None:
        if ch == "{":
            if self.open is None:
                self.err("'{' utan föregående #VER")
            elif self.open.braced:
                self.err(f"verifikationen på rad {self.open.line} har redan öppnats med '{{'")
            elif self.open.rows:
                self.err("'{' mitt i en verifikation")
            else:
                self.open.braced = True
        else:
            if self.open is None:
                self.err("'}' utan öppen verifikation")
            else:
                self._finish_voucher()

    def _ver_failed(self) -> None:
        # Rows of an unreadable #VER must not be attributed to the previous voucher.
        if self.open is not None:
            self._close_missing_brace()
        self.open = _Open(index=-1, line=self.line_no, label="#VER", date=dt.date(1900, 1, 1))

    def _close_missing_brace(self) -> None:
        assert self.open is not None
        if self.open.index >= 0:
            self.err(f"verifikationen på rad {self.open.line} avslutas aldrig med '}}'")
        self._finish_voucher()

    def _finish_voucher(self) -> None:
        assert self.open is not None
        if self.open.pending_rtrans is not None:
            self._rtrans_without_twin()
        if self.open.index >= 0 and not self.open.braced and self.open.rows:
            self.warn(
                f"'{{' saknas efter #VER på rad {self.open.line}; raderna fram till '}}' "
                "läses som verifikationens",
                line=self.open.line,
            )
        self.open = None

    def finish(self) -> None:
        if self.open is not None:
            if self.open.index >= 0:
                self.err(
                    f"filen slutar mitt i verifikationen på rad {self.open.line} – "
                    "'}' saknas (är filen avkortad?)",
                    line=self.open.line,
                )
            self.open = None
        if self.ksumma_started and not self.ksumma_done:
            self.err("filen inleds med #KSUMMA men kontrollsumman i slutet saknas – filen är avkortad")

    # -- header records ----------------------------------------------------------
    def _text(self, key: str) -> Callable[[str, list[Token]], None]:
        def handle(label: str, f: list[Token]) -> None:
            self.h[key] = _field(f, 0, label, required=True)

        return handle

    def _flagga(self, label: str, f: list[Token]) -> None:
        self.h["flagga"] = parse_int(_field(f, 0, label, required=True), "flaggan")

    def _program(self, label: str, f: list[Token]) -> None:
        self.h["program"] = _field(f, 0, label, required=True)
        self.h["program_version"] = _field(f, 1, label) or None

    def _format(self, label: str, f: list[Token]) -> None:
        value = _field(f, 0, label, required=True)
        self.h["format"] = value
        if value.upper() != "PC8":
            self.warn(f"#FORMAT {value} är inte PC8, det enda värde specifikationen tillåter")

    def _gen(self, label: str, f: list[Token]) -> None:
        self.h["generated"] = self._date(_field(f, 0, label, required=True), "genereringsdatumet")
        self.h["generated_by"] = _field(f, 1, label) or None

    def _sietyp(self, label: str, f: list[Token]) -> None:
        t = parse_int(_field(f, 0, label, required=True), "SIE-typen")
        if t not in (1, 2, 3, 4):
            raise _Bad(f"SIE-typ {t} finns inte (1–4 väntades)")
        self.h["sietyp"] = t

    def _orgnr(self, label: str, f: list[Token]) -> None:
        orgnr = _field(f, 0, label).strip()
        if not orgnr:
            self.warn("#ORGNR saknar organisationsnummer")
            return
        self.h["orgnr"] = orgnr

    def _adress(self, label: str, f: list[Token]) -> None:
        self.h["address"] = tuple(_field(f, i, label) for i in range(4))

    def _rar(self, label: str, f: list[Token]) -> None:
        idx = parse_year_index(_field(f, 0, label, required=True))
        start = self._date(_field(f, 1, label, required=True), "startdatumet")
        end = self._date(_field(f, 2, label, required=True), "slutdatumet")
        if end < start:
            raise _Bad(f"räkenskapsåret slutar ({end}) före det börjar ({start})")
        if any(fy.index == idx for fy in self.fiscal_years):
            raise _Bad(f"räkenskapsår {idx} anges två gånger")
        self.fiscal_years.append(FiscalYear(idx, start, end, self.line_no))

    def _taxar(self, label: str, f: list[Token]) -> None:
        # Nothing uses the tax year: a value we cannot read is worth a warning, not the file.
        text = _field(f, 0, label)
        try:
            self.h["taxar"] = parse_int(text, "taxeringsåret", lim.MIN_YEAR, lim.MAX_YEAR)
        except _Bad as exc:
            self.warn(f"{label}: {exc}; fältet används inte och hoppas över")

    def _omfattn(self, label: str, f: list[Token]) -> None:
        self.h["omfattn"] = self._date(_field(f, 0, label, required=True), "datumet")

    def _date(self, text: str, what: str) -> dt.date:
        d, note = parse_date(text, what)
        if note:
            self.warn(note)
        return d

    # -- chart of accounts --------------------------------------------------------
    def _konto(self, label: str, f: list[Token]) -> None:
        number = _account(_field(f, 0, label, required=True))
        name = _field(f, 1, label).strip()
        old = self.accounts.get(number)
        if old is not None:
            self.note(f"konto {number} deklareras igen (rad {old.line}); det senare namnet gäller")
            self.accounts[number] = Account(number, name, self.line_no, old.ktyp, old.unit, old.sru)
        else:
            self.accounts[number] = Account(number, name, self.line_no)

    def _known_account(self, number: str, label: str) -> Account:
        acc = self.accounts.get(number)
        if acc is None:
            self.warn(f"{label} för konto {number} som inte deklarerats med #KONTO")
            acc = Account(number, "", self.line_no)
            self.accounts[number] = acc
        return acc

    def _ktyp(self, label: str, f: list[Token]) -> None:
        number = _account(_field(f, 0, label, required=True))
        ktyp = _field(f, 1, label, required=True).strip().upper()
        if ktyp not in KTYPES:
            raise _Bad(f"kontotypen '{ktyp}' är okänd (T, S, K eller I väntades)")
        acc = self._known_account(number, label)
        self.accounts[number] = Account(acc.number, acc.name, acc.line, ktyp, acc.unit, acc.sru)

    def _enhet(self, label: str, f: list[Token]) -> None:
        number = _account(_field(f, 0, label, required=True))
        acc = self._known_account(number, label)
        unit = _field(f, 1, label, required=True)
        self.accounts[number] = Account(acc.number, acc.name, acc.line, acc.ktyp, unit, acc.sru)

    def _sru(self, label: str, f: list[Token]) -> None:
        number = _account(_field(f, 0, label, required=True))
        code = _field(f, 1, label)
        if not code.strip():
            # Some exporters (Visma) write "#SRU 1930" without a code; the report uses none.
            self.warn(f"{label} för konto {number} saknar SRU-kod; raden hoppas över")
            return
        acc = self._known_account(number, label)
        self.accounts[number] = Account(acc.number, acc.name, acc.line, acc.ktyp, acc.unit, (*acc.sru, code))

    def _dim(self, label: str, f: list[Token]) -> None:
        number = parse_dimension(_field(f, 0, label, required=True))
        self.dimensions[number] = Dimension(number, _field(f, 1, label).strip(), self.line_no)

    def _underdim(self, label: str, f: list[Token]) -> None:
        number = parse_dimension(_field(f, 0, label, required=True))
        parent = parse_dimension(_field(f, 2, label, required=True), "överdimensionen")
        self.dimensions[number] = Dimension(number, _field(f, 1, label).strip(), self.line_no, parent)

    def _objekt(self, label: str, f: list[Token]) -> None:
        dim = parse_dimension(_field(f, 0, label, required=True))
        obj = _field(f, 1, label, required=True).strip()
        name = _field(f, 2, label).strip()
        self.objects.add(dim, obj, name, self.line_no)

    # -- balances -------------------------------------------------------------------
    def _balance(self, label: str, f: list[Token]) -> None:
        idx = parse_year_index(_field(f, 0, label, required=True))
        account = _account(_field(f, 1, label, required=True))
        rest = f[2:]
        if rest and isinstance(rest[0], ObjTok):
            raise _Bad("objektlista hör inte hemma här (använd #OIB/#OUB för objekt)")
        amount = parse_amount(_field(rest, 0, label, required=True))
        qty = self._quantity(_field(rest, 1, label))
        self.balances.append(Balance(label[1:], idx, account, amount, self.line_no, (), qty))

    def _obalance(self, label: str, f: list[Token]) -> None:
        idx = parse_year_index(_field(f, 0, label, required=True))
        account = _account(_field(f, 1, label, required=True))
        objects, rest = self._objects_then(f[2:], label)
        amount = parse_amount(_field(rest, 0, label, required=True))
        qty = self._quantity(_field(rest, 1, label))
        self.balances.append(Balance(label[1:], idx, account, amount, self.line_no, objects, qty))

    def _period(self, label: str, f: list[Token]) -> None:
        idx = parse_year_index(_field(f, 0, label, required=True))
        period_text = _field(f, 1, label, required=True).strip()
        if not _PERIOD.fullmatch(period_text) or not 1 <= int(period_text[4:]) <= 12:
            raise _Bad(f"perioden '{_clip(period_text)}' är ingen månad (ÅÅÅÅMM väntades)")
        if not lim.MIN_YEAR <= int(period_text[:4]) <= lim.MAX_YEAR:
            raise _Bad(
                f"perioden '{period_text}' ligger utanför åren {lim.MIN_YEAR}–{lim.MAX_YEAR} som kan läsas"
            )
        account = _account(_field(f, 2, label, required=True))
        objects, rest = self._objects_then(f[3:], label)
        amount = parse_amount(_field(rest, 0, label, required=True))
        qty = self._quantity(_field(rest, 1, label))
        self.period_balances.append(
            PeriodBalance(
                label[1:], idx, int(period_text), account, amount, self.line_no, tuple(sorted(objects)), qty
            )
        )

    def _quantity(self, text: str) -> Decimal | None:
        # The quantity is optional and no report uses it: one we cannot keep is dropped, with a word.
        try:
            return parse_quantity(text)
        except _Bad as exc:
            self.warn(f"{exc}; raden läses utan kvantitet")
            return None

    def _objects_then(self, f: Sequence[Token], label: str) -> tuple[ObjectList, list[Token]]:
        if f and isinstance(f[0], ObjTok):
            return parse_objects(f[0]), list(f[1:])
        # Some exporters drop an empty "{}"; with a number in its place the intent is clear.
        if f and isinstance(f[0], Field) and _is_number(f[0].text):
            self.warn(f"{label}: objektlistan '{{}}' saknas; läst som tom")
            return (), list(f)
        raise _Bad("objektlista '{…}' saknas")

    # -- vouchers -----------------------------------------------------------------------
    def _ver(self, label: str, f: list[Token]) -> None:
        if self.open is not None:
            self._close_missing_brace()
        series = _field(f, 0, label)
        number = _field(f, 1, label)
        date = self._date(_field(f, 2, label, required=True), "verifikationsdatumet")
        text = _field(f, 3, label)
        regtext = _field(f, 4, label)
        regdate = self._date(regtext, "registreringsdatumet") if regtext.strip() else None
        sign = _field(f, 5, label) or None
        c = self.cols
        index = len(c.v_line)
        c.v_series.append(series)
        c.v_number.append(number)
        c.v_date.append(date)
        c.v_text.append(text)
        c.v_regdate.append(regdate)
        c.v_sign.append(sign)
        c.v_line.append(self.line_no)
        self.open = _Open(index=index, line=self.line_no, label=label, date=date)

    def _row(self, label: str, f: list[Token]) -> None:
        v = self.open
        if v is None:
            raise _Bad("raden står utanför en verifikation (#VER … { … })")
        account = _account(_field(f, 0, label, required=True))
        objects, rest = self._objects_then(f[1:], label)
        amount = parse_amount(_field(rest, 0, label, required=True))
        dtext = _field(rest, 1, label)
        text = _field(rest, 2, label) or None
        date = v.date
        if looks_like_date(dtext):
            date = self._date(dtext, "transaktionsdatumet")
        elif dtext.strip():
            # Some exporters skip the optional date and write the row text in its place.
            if text is None:
                text = dtext
                self.warn(
                    f"{label}: '{_clip(dtext)}' står där transaktionsdatumet hör hemma; läst som "
                    "radens text, med verifikationens datum"
                )
            else:
                self.warn(
                    f"{label}: transaktionsdatumet '{_clip(dtext)}' är inget datum; "
                    "raden får verifikationens datum"
                )
        qty = self._quantity(_field(rest, 3, label))
        sign = _field(rest, 4, label) or None
        if v.index < 0:
            return  # the voucher header was unreadable (already an error)
        key = canonical_objects(objects)
        kind = label[1:]
        pending = v.pending_rtrans
        if pending is not None:
            v.pending_rtrans = None
            if kind == "TRANS" and pending[:3] == (account, key, amount):
                kind = "TRANS"  # the twin: this row is the counted one
            else:
                self._rtrans_without_twin(pending)
        if kind == "RTRANS":
            v.pending_rtrans = (account, key, amount, self.line_no)
        self._append_row(v, kind, account, amount, date, text, qty, sign, key, self.line_no)

    def _append_row(
        self,
        v: _Open,
        kind: str,
        account: str,
        amount: int,
        date: dt.date,
        text: str | None,
        qty: Decimal | None,
        sign: str | None,
        key: str,
        line: int,
    ) -> None:
        c = self.cols
        c.t_voucher.append(v.index)
        c.t_row.append(v.rows)
        c.t_kind.append(kind)
        c.t_account.append(account)
        c.t_amount.append(amount)
        c.t_date.append(date)
        c.t_text.append(text)
        c.t_quantity.append(None if qty is None else format(qty, "f"))
        c.t_sign.append(sign)
        c.t_objects.append(key)
        c.t_line.append(line)
        v.rows += 1

    def _rtrans_without_twin(self, pending: tuple[str, str, int, int] | None = None) -> None:
        v = self.open
        assert v is not None
        pending = pending or v.pending_rtrans
        v.pending_rtrans = None
        assert pending is not None
        account, key, amount, line = pending
        self.warn(
            f"#RTRANS för konto {account} följs inte av sin #TRANS-tvilling; den tillagda raden räknas ändå",
            line=line,
        )
        # Count the added row once, as a reader that handles #RTRANS would.
        i = self.cols.t_line.index(line, max(0, len(self.cols.t_line) - v.rows))
        quantity = self.cols.t_quantity[i]
        self._append_row(
            v,
            "TRANS",
            account,
            amount,
            self.cols.t_date[i],
            self.cols.t_text[i],
            Decimal(quantity) if quantity else None,
            self.cols.t_sign[i],
            key,
            line,
        )

    # -- checksum -------------------------------------------------------------------------
    def _ksumma(self, fields: list[Token]) -> None:
        if not fields:
            if self.ksumma_started:
                self.err("#KSUMMA utan kontrollsumma förekommer två gånger")
            self.ksumma_started = True
            return
        if not self.ksumma_started:
            self.err("#KSUMMA med kontrollsumma men utan inledande #KSUMMA")
            return
        self.ksumma_done = True
        text = content(fields[0]).strip()
        if not re.fullmatch(r"-?[0-9]{1,10}", text, re.ASCII):
            self.err(
                f"#KSUMMA '{_clip(text)}' är ingen kontrollsumma (ett heltal med högst tio siffror väntades)"
            )
            return
        declared = int(text)
        self.h["ksumma"] = declared
        if not ksumma.matches(declared, self.crc):
            self.err(
                f"kontrollsumman stämmer inte: filen anger {declared}, innehållet ger {self.crc} "
                "– filen har ändrats eller skadats efter exporten"
            )

    # -- result ---------------------------------------------------------------------------
    def result(self, detected: enc.Detected, *, check_total: bool = True) -> SieFile:
        """The SieFile read. ``check_total=False`` for the scanner, which checks its own rows."""
        vouchers, transactions = self.cols.vouchers(), self.cols.transactions()
        if check_total:
            too_large = lim.total_finding(
                self.name, transactions["amount"], transactions["line"], self.amounts()
            )
            if too_large is not None:
                self.findings.append(too_large)
        h = self.h
        header = Header(
            flagga=_opt_int(h.get("flagga")),
            program=_opt_str(h.get("program")),
            program_version=_opt_str(h.get("program_version")),
            format=_opt_str(h.get("format")),
            generated=h.get("generated") if isinstance(h.get("generated"), dt.date) else None,  # type: ignore[arg-type]
            generated_by=_opt_str(h.get("generated_by")),
            sietyp=_opt_int(h.get("sietyp")),
            prosa=_opt_str(h.get("prosa")),
            ftyp=_opt_str(h.get("ftyp")),
            fnr=_opt_str(h.get("fnr")),
            orgnr=_opt_str(h.get("orgnr")),
            bkod=_opt_str(h.get("bkod")),
            address=h.get("address"),  # type: ignore[arg-type]
            fnamn=_opt_str(h.get("fnamn")),
            fiscal_years=tuple(sorted(self.fiscal_years, key=lambda fy: -fy.index)),
            taxar=_opt_int(h.get("taxar")),
            omfattn=h.get("omfattn") if isinstance(h.get("omfattn"), dt.date) else None,  # type: ignore[arg-type]
            kptyp=_opt_str(h.get("kptyp")),
            valuta=_opt_str(h.get("valuta")),
            ksumma=_opt_int(h.get("ksumma")),
        )
        return SieFile(
            name=self.name,
            encoding=detected.encoding,
            header=header,
            accounts=tuple(self.accounts.values()),
            dimensions=tuple(sorted(self.dimensions.values(), key=lambda d: d.number)),
            objects=self.objects.objects(),
            balances=tuple(self.balances),
            period_balances=self._period_balances(),
            vouchers=vouchers,
            transactions=transactions,
            counts=dict(self.counts),
            findings=tuple(self.findings),
        )

    def _period_balances(self) -> Sequence[PeriodBalance]:
        """The period balances in file order: the swept ones' columns and the records read
        one by one, merged by line (a plain tuple when nothing was swept)."""
        if not self.period_tables:
            return tuple(self.period_balances)
        parts = [*self.period_tables, period_balance_table(self.period_balances)]
        return PeriodBalances(in_line_order(pa.concat_tables(parts).combine_chunks()))

    def amounts(self) -> tuple[np.ndarray, np.ndarray]:
        """The lines and öre of every balance and period balance: they count in the file's total too."""
        records = [*self.balances, *self.period_balances]
        lines = [np.fromiter(map(_LINE_OF, records), np.int64, len(records))]
        amounts = [np.fromiter(map(_AMOUNT_OF, records), np.int64, len(records))]
        for t in self.period_tables:
            lines.append(t["line"].to_numpy())
            amounts.append(t["amount"].to_numpy())
        return np.concatenate(lines), np.concatenate(amounts)


def _opt_str(v: object) -> str | None:
    return v if isinstance(v, str) else None


def _opt_int(v: object) -> int | None:
    return v if isinstance(v, int) else None


def _clip(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _number(n: int) -> str:
    return f"{n:,}".replace(",", " ")


def _is_number(text: str) -> bool:
    return re.fullmatch(r"[+-]?[0-9]+(?:[.,][0-9]*)?", text.strip(), re.ASCII) is not None


def _account(text: str) -> str:
    number = text.strip()
    if not number:
        raise _Bad("kontonumret saknas")
    return number


def _field(fields: Sequence[Token], i: int, label: str, required: bool = False) -> str:
    if i >= len(fields):
        if required:
            raise _Bad(f"fält {i + 1} saknas")
        return ""
    tok = fields[i]
    if isinstance(tok, ObjTok):
        raise _Bad(f"fält {i + 1} är en objektlista där en text eller ett tal väntades")
    return tok.text


# ---------------------------------------------------------------------------


def _unusable(name: str, message: str, line: int | None = 1) -> SieFile:
    return SieFile(
        name=name,
        encoding=enc.CP437,
        header=Header(),
        findings=(Finding(Level.ERROR, message, file=name, line=line),),
    )


def _line_of(data: bytes | mmap.mmap, pos: int) -> int:
    """The line number (as the readers count lines) of byte ``pos``."""
    return 1 + sum(1 for _ in _LINE_BREAK.finditer(data, 0, pos))


def sniff(data: bytes | mmap.mmap, name: str) -> SieFile | None:
    """An error SieFile when ``data`` is not a SIE 1–4 file at all; None when it may be."""
    if re.search(rb"\S", data) is None:
        return _unusable(name, "filen är tom")
    head = data[:4096].lstrip(b"\xef\xbb\xbf").lstrip()
    if head.startswith(b"<?xml") or head.startswith(b"<Sie"):
        return _unusable(
            name,
            "filen är SIE 5 (XML), som inte stöds ännu – exportera SIE 4 (typ 4E) från bokföringsprogrammet",
        )
    # A NUL anywhere (found at memchr speed) makes the file binary, however large it is,
    # so both reading paths say the same thing about it.
    nul = data.find(b"\x00")
    if nul >= 0:
        return _unusable(
            name, "filen innehåller binära data (NUL-tecken) och är ingen SIE-fil", _line_of(data, nul)
        )
    if sum(b < 9 or 13 < b < 32 for b in data[:4096]) > 8:
        return _unusable(name, "filen innehåller binära data och är ingen SIE-fil")
    if not head.startswith(b"#"):
        return _unusable(name, "filen börjar inte med en SIE-post (#FLAGGA …) och är ingen SIE-fil")
    return None


def _decode(reader: _ExactReader, no: int, raw: bytes, encoding: str) -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError:
        # Only Windows-1252 has bytes that are no character (0x81 0x8D 0x8F 0x90 0x9D).
        reader.line_no = no
        reader.warn(f"raden har byte som inte är tecken i {encoding.upper()}; de läses som '\ufffd'")
        return raw.decode(encoding, errors="replace")


def _start(name: str, detected: enc.Detected) -> _ExactReader:
    reader = _ExactReader(name, detected.encoding)
    note = enc.encoding_note(detected)
    if note:
        reader.warn(note, line=None)
    return reader


def read_exact(data: bytes, name: str, detected: enc.Detected) -> SieFile:
    reader = _start(name, detected)
    body = data[3:] if detected.bom else data
    lines = _LINE_BREAK.split(body)
    if lines and lines[-1] == b"":
        lines.pop()
    for no, raw in enumerate(lines, start=1):
        if detected.encoding == enc.CP437 and enc.looks_latin1(raw):
            reader.line_no = no
            reader.warn("raden är kodad som Windows-1252 i en i övrigt CP437-kodad fil; läst så")
            text = _decode(reader, no, raw, enc.CP1252)
        else:
            text = _decode(reader, no, raw, detected.encoding)
        reader.feed(no, text)
    reader.finish()
    return reader.result(detected)


def read_sie_bytes(data: bytes | mmap.mmap, name: str, *, fast: bool | None = None) -> SieFile:
    """Read a SIE file's bytes (or a memory map of it). ``fast`` forces (True) or forbids
    (False) the scanner; by default large files use it."""
    bad = sniff(data, name)
    if bad is not None:
        return bad
    use_fast = fast if fast is not None else len(data) >= FAST_PATH_MIN_BYTES
    if use_fast:
        # Loaded only for large files: compiling (or loading) the scanner costs a moment.
        from bokslut.sie import fastscan

        # The encoding is decided while scanning (no pass of its own over the file).
        result = fastscan.read_fast(data, name, None, ExactLines)
        if result is not None:
            return result
        detected = fastscan.detect(data)
    if isinstance(data, mmap.mmap):
        data = data[:]  # the exact path works on bytes
    if not use_fast:
        detected = enc.detect(data)
    return read_exact(data, name, detected)


# Lines fed one by one (at about 3 µs each) before the compiled sweep of plain header lines
# takes over: loading its kernels costs about 0.2 s, holding the GIL, as much as reading
# tens of thousands of lines one by one. A usual header (a few thousand records) never
# loads them, nor does the import's warm-up; a region's hundreds of thousands are swept.
SWEEP_AFTER = 20_000


class ExactLines:
    """The exact reader fed only the scanner's non-bulk records, in file order, a batch at a time.

    Header records of the plain shape are taken by :class:`_PlainRecords`; every other
    line, in its place, by the exact reader. Batches may be fed from a thread of its own
    while the scanner goes on (one thread at a time); :meth:`finish` ends the reading.
    """

    def __init__(self, name: str, detected: enc.Detected, *, sweep_after: int = SWEEP_AFTER) -> None:
        self.detected = detected
        self.reader = _start(name, detected)
        self._plain = _PlainRecords(self.reader, detected.encoding)
        self._sweep: PlainSweep | None = None
        self._sweep_after = sweep_after
        self._fed = 0

    def feed(self, lines: Sequence[tuple[int, bytes]], coming: int = 0) -> None:
        """Read the next batch; ``coming``: how many lines are known to follow it (the rest
        of a piece's), counted towards :data:`SWEEP_AFTER` already."""
        # Hundreds of thousands of records, none in a cycle: the cyclic collector would walk
        # them again and again as they pile up (a third of the time on a region's header).
        collecting = gc.isenabled()
        gc.disable()
        try:
            self._feed(lines, coming)
        finally:
            if collecting:
                gc.enable()

    def _feed(self, lines: Sequence[tuple[int, bytes]], coming: int) -> None:
        """The batch's plain header lines swept at once (:mod:`bokslut.sie.plainheader`),
        the others one by one in between. A run of swept lines is the sweep's when the
        plain records would take them where they stand (the state that decides it changes
        only on the lines read one by one), else read one by one too."""
        if self._sweep is None:
            self._fed += len(lines)
            if self._fed + coming <= self._sweep_after:
                self._one_by_one(lines)
                return
            # Only the scanner's path feeds lines here, and it has loaded the compiler already.
            from bokslut.sie.plainheader import PlainSweep

            self._sweep = PlainSweep(self.detected.encoding, len(lines) + coming)
        from bokslut.sie.plainheader import IB, KONTO, LABELS, PSALDO, RES, SRU

        swept = self._sweep.sweep(lines)
        kind = swept.kind
        rest = np.flatnonzero(kind == 0).tolist()
        if len(rest) == len(lines):
            self._one_by_one(lines)
            return
        reader, take, encoding = self.reader, self._plain.take, self.detected.encoding
        kept = kind != 0
        balances = swept.balances()
        balances_before = [0, *np.cumsum((kind >= IB) & (kind <= RES)).tolist()]
        # The chart's lines depend on the chart so far: applied in their order, a run at a
        # time up to a line that the exact reader must read.
        chart_at, numbers, texts = swept.accounts()
        chart = _ChartLines(
            swept.lines[chart_at].tolist(), (kind[chart_at] == KONTO).tolist(), numbers, texts
        )
        chart_at.append(len(lines))
        a = start = 0
        for i in [*rest, len(lines)]:
            if i > start:
                if self._plain.free():
                    reader.balances.extend(balances[balances_before[start] : balances_before[i]])
                    stop = bisect.bisect_left(chart_at, i, a)
                    while a < stop:
                        a = self._plain.chart(chart, a, stop)
                        if a < stop:
                            no = chart.lines[a]
                            reader.feed(no, _decode(reader, no, lines[chart_at[a]][1], encoding))
                            a += 1
                else:
                    kept[start:i] = False
                    self._one_by_one(lines[start:i])
                    while chart_at[a] < i:
                        a += 1
            if i < len(lines):
                no, raw = lines[i]
                if not take(no, raw):
                    reader.feed(no, _decode(reader, no, raw, encoding))
            start = i + 1
        reader.objects.add_table(swept.objects(kept))
        # In file order among the records read one by one once the reading ends (by line).
        periods = np.flatnonzero(kept & (kind >= PSALDO))
        if periods.size:
            reader.period_tables.append(swept.period_balances(periods))
        for k, count in enumerate(np.bincount(kind[kept], minlength=len(LABELS)).tolist()):
            if count and k not in (0, KONTO, SRU):  # the chart's lines are counted as applied
                reader.counts[LABELS[k]] += count

    def _one_by_one(self, lines: Sequence[tuple[int, bytes]]) -> None:
        reader, take, encoding = self.reader, self._plain.take, self.detected.encoding
        for no, raw in lines:
            if not take(no, raw):
                reader.feed(no, _decode(reader, no, raw, encoding))

    def finish(self) -> _ExactReader:
        self.reader.objects.distinct_tables = self._sweep is not None and not self._sweep.repeated
        self.reader.finish()
        return self.reader


# Header records as exporters write them by the hundred thousand (a region's #OBJEKT,
# #KONTO, #SRU, #IB and #PSALDO): the label as the specification spells it, at the start of
# the line; fields apart by spaces or tabs, each quoted without a backslash or control
# character, or bare; numbers in the plain form. Through the tokenizer and the handler such
# a line costs microseconds, one pattern match a fraction of that. The patterns accept a
# subset of what tokens._simple splits, into the same fields; bare fields are possessive
# (++) there too, so a hostile line cannot make them backtrack.
_F = rb'(?:"([^"\\\x00-\x1f]*)"|([^ \t"{}\x00-\x1f]++))'
_S = rb"[ \t]+"
_END = rb"[ \t]*"
_YEAR_INDEX = rb"(-?[0-9]{1,2})"  # always within MIN_YEAR_INDEX..MAX_YEAR_INDEX
_DIM = rb"([0-9]{1,9})"  # always within MIN_DIMENSION..MAX_DIMENSION
_AMOUNT = rb"(-?)([0-9]{1,15})(?:\.([0-9]{1,2}))?"  # what parse_ore reads without a word
_LIST = rb'\{((?:[ \t]*(?:"[^"\\\x00-\x1f]*"|[^ \t"{}\x00-\x1f]++))*)[ \t]*\}'
_LIST_ITEM_BYTES = re.compile(rb'"[^"\\\x00-\x1f]*"|[^ \t"{}\x00-\x1f]++')
_PLAIN_KONTO = re.compile(rb"#KONTO" + _S + _F + rb"(?:" + _S + _F + rb")?" + _END)
_PLAIN_SRU = re.compile(rb"#SRU" + _S + _F + _S + _F + _END)
_PLAIN_OBJEKT = re.compile(rb"#OBJEKT" + _S + _DIM + _S + _F + rb"(?:" + _S + _F + rb")?" + _END)
_PLAIN_BALANCE = re.compile(
    rb"#(IB|UB|RES)" + _S + _YEAR_INDEX + _S + _F + _S + _AMOUNT + rb"(?:" + _S + _F + rb")?" + _END
)
_PLAIN_PERIOD = re.compile(
    rb"#(PSALDO|PBUDGET)"
    + _S
    + _YEAR_INDEX
    + _S
    + rb"([0-9]{6})"
    + _S
    + _F
    + _S
    + _LIST
    + _S
    + _AMOUNT
    + rb"(?:"
    + _S
    + _F
    + rb")?"
    + _END
)
_DIM_BYTES = re.compile(rb"[0-9]{1,9}")


def _ore(sign: bytes, whole: bytes, frac: bytes | None) -> int:
    """parse_ore of an amount of the plain shape (the pattern has checked its digits)."""
    ore = int(whole) * 100 + (int(frac) * (10 if len(frac) == 1 else 1) if frac else 0)
    return -ore if sign else ore


@dataclass(frozen=True, slots=True)
class _ChartLines:
    """A sweep's #KONTO and #SRU lines, in order: each one's line, whether it is a #KONTO,
    the account's number, and its name or SRU code."""

    lines: list[int]
    konto: list[bool]
    numbers: list[str]
    texts: list[str]


class _PlainRecords:
    """What the exact reader's handlers do for header lines of the plain shape.

    :meth:`take` applies one line and returns True, or returns False without changing
    anything when the exact reader must read the line: any other shape, or anything its
    handler would say a word about (an account declared again, an #SRU without #KONTO or
    code, a period or quantity it cannot read, …). Lines are taken in their order, so the
    records, their overrides and the findings are the exact reader's. Each field is two
    pattern groups, quoted content or bare text, one of them None.
    """

    def __init__(self, reader: _ExactReader, encoding: str) -> None:
        self.reader = reader
        self.encoding = encoding
        self.by_start: dict[bytes, Callable[[int, bytes], bool]] = {
            b"#OB": self._objekt,
            b"#KO": self._konto,
            b"#SR": self._sru,
            b"#IB": self._balance,
            b"#UB": self._balance,
            b"#RE": self._balance,
            b"#PS": self._period,
            b"#PB": self._period,
        }

    def take(self, no: int, raw: bytes) -> bool:
        handle = self.by_start.get(raw[:3])
        if handle is None or not self.free():
            return False
        try:
            return handle(no, raw)
        except UnicodeDecodeError:
            return False  # a byte that is no character: the exact reader warns

    def free(self) -> bool:
        """Whether plain records may be taken here: the first record (checked to be
        #FLAGGA), a checksum being summed and an open voucher are the exact reader's business."""
        r = self.reader
        return r.seen_record and not r.ksumma_started and r.open is None

    def _objekt(self, no: int, raw: bytes) -> bool:
        m = _PLAIN_OBJEKT.fullmatch(raw)
        if m is None:
            return False
        dim, qid, bid, qname, bname = m.groups()
        encoding = self.encoding
        dimension = int(dim)
        obj_id = (bid if qid is None else qid).decode(encoding).strip()
        name = bname if qname is None else qname
        obj_name = "" if name is None else name.decode(encoding).strip()
        self.reader.objects.add(dimension, obj_id, obj_name, no)
        self.reader.counts["#OBJEKT"] += 1
        return True

    def _konto(self, no: int, raw: bytes) -> bool:
        m = _PLAIN_KONTO.fullmatch(raw)
        if m is None:
            return False
        qnumber, bnumber, qname, bname = m.groups()
        encoding = self.encoding
        number = (bnumber if qnumber is None else qnumber).decode(encoding).strip()
        name = bname if qname is None else qname
        return self.konto(no, number, "" if name is None else name.decode(encoding).strip())

    def konto(self, no: int, number: str, name: str) -> bool:
        """An #KONTO read (number and name decoded and stripped), or False for the exact reader."""
        return self.chart(_ChartLines([no], [True], [number], [name]), 0, 1) == 1

    def _sru(self, no: int, raw: bytes) -> bool:
        m = _PLAIN_SRU.fullmatch(raw)
        if m is None:
            return False
        qnumber, bnumber, qcode, bcode = m.groups()
        encoding = self.encoding
        number = (bnumber if qnumber is None else qnumber).decode(encoding).strip()
        return self.sru(number, (bcode if qcode is None else qcode).decode(encoding))

    def sru(self, number: str, code: str) -> bool:
        """An #SRU read (the number stripped, the code as written), or False for the exact reader."""
        return self.chart(_ChartLines([0], [False], [number], [code]), 0, 1) == 1

    def chart(self, lines: _ChartLines, a: int, stop: int) -> int:
        """The chart's lines ``a`` to ``stop`` applied as :meth:`konto` and :meth:`sru` would,
        up to the first that the exact reader must read; returns where it stopped.

        A region's chart is 20 000 #KONTO, each with its #SRU: applied one by one, an account
        was made twice (with its name, then with its code), 0.12 s holding the GIL. Here an
        account declared in the run is made once, with the codes that follow it."""
        accounts, counts = self.reader.accounts, self.reader.counts
        made: dict[str, tuple[str, int, list[str]]] = {}
        konto = sru = 0
        for k in range(a, stop):
            number = lines.numbers[k]
            if lines.konto[k]:
                if not number or number in accounts or number in made:
                    break
                made[number] = (lines.texts[k], lines.lines[k], [])
                konto += 1
                continue
            code = lines.texts[k]
            if not code.strip():
                break
            new = made.get(number)
            if new is not None:
                new[2].append(code)
            else:
                acc = accounts.get(number)
                if acc is None:
                    break
                accounts[number] = Account(
                    acc.number, acc.name, acc.line, acc.ktyp, acc.unit, (*acc.sru, code)
                )
            sru += 1
        else:
            k = stop
        for number, (name, line, codes) in made.items():
            accounts[number] = Account(number, name, line, None, None, tuple(codes))
        if konto:
            counts["#KONTO"] += konto
        if sru:
            counts["#SRU"] += sru
        return k

    def _quantity(self, quoted: bytes | None, bare: bytes | None) -> tuple[bool, Decimal | None]:
        text = bare if quoted is None else quoted
        if text is None:
            return True, None
        try:
            return True, parse_quantity(text.decode(self.encoding))
        except _Bad:
            return False, None  # the exact reader drops it with a warning

    def _balance(self, no: int, raw: bytes) -> bool:
        m = _PLAIN_BALANCE.fullmatch(raw)
        if m is None:
            return False
        kind, idx, qaccount, baccount, sign, whole, frac, qqty, bqty = m.groups()
        account = (baccount if qaccount is None else qaccount).decode(self.encoding).strip()
        ok, qty = self._quantity(qqty, bqty)
        if not account or not ok:
            return False
        label = kind.decode()
        self.reader.balances.append(Balance(label, int(idx), account, _ore(sign, whole, frac), no, (), qty))
        self.reader.counts["#" + label] += 1
        return True

    def _period(self, no: int, raw: bytes) -> bool:
        m = _PLAIN_PERIOD.fullmatch(raw)
        if m is None:
            return False
        kind, idx, period, qaccount, baccount, items, sign, whole, frac, qqty, bqty = m.groups()
        month, year = int(period[4:]), int(period[:4])
        if not 1 <= month <= 12 or not lim.MIN_YEAR <= year <= lim.MAX_YEAR:
            return False
        encoding = self.encoding
        account = (baccount if qaccount is None else qaccount).decode(encoding).strip()
        listed = _LIST_ITEM_BYTES.findall(items)
        if not account or len(listed) % 2:
            return False
        pairs: list[tuple[int, str]] = []
        for k in range(0, len(listed), 2):
            if _DIM_BYTES.fullmatch(listed[k]) is None:
                return False  # a quoted or padded dimension: the exact reader's
            item = listed[k + 1]
            pairs.append((int(listed[k]), (item[1:-1] if item[:1] == b'"' else item).decode(encoding)))
        ok, qty = self._quantity(qqty, bqty)
        if not ok:
            return False
        label = kind.decode()
        self.reader.period_balances.append(
            PeriodBalance(
                label, int(idx), int(period), account, _ore(sign, whole, frac), no, tuple(sorted(pairs)), qty
            )
        )
        self.reader.counts["#" + label] += 1
        return True


def load_input(
    path: Path,
    max_bytes: int = lim.MAX_FILE_BYTES,
    *,
    map_large: bool = False,
    setting: str | None = None,
    inside: Path | None = None,
) -> bytes | mmap.mmap:
    """The bytes of the SIE file at ``path`` — with ``map_large``, a memory map when it is large.

    Only a regular file of at most ``max_bytes`` is read: a device (/dev/zero), a pipe or
    a socket would be read without end, or never answer. ``setting`` names the
    bokslut.toml key that raises the limit; with ``inside`` (a workspace root) the file
    must lie in that workspace (:func:`bokslut.workspace.safe_files.open_inside`).
    Raises BokslutError (Swedish).
    """
    try:
        if inside is not None:
            fd = open_inside(inside, path)
        else:
            # Non-blocking: opening a named pipe must not wait for a writer.
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except Refused as exc:
        raise BokslutError(exc.message) from None
    except OSError as exc:
        raise BokslutError(read_problem(exc)) from None
    try:
        info = _regular(fd, max_bytes, setting)
        if map_large and info.st_size >= FAST_PATH_MIN_BYTES:
            return mmap.mmap(fd, 0, access=mmap.ACCESS_READ)
        with os.fdopen(os.dup(fd), "rb") as f:
            data = f.read(info.st_size + 1)  # one more: has it grown since fstat?
        if len(data) > info.st_size:
            raise BokslutError(
                "filen ändras medan den läses – vänta tills den är skriven färdigt och försök igen"
            )
        return data
    except OSError as exc:
        raise BokslutError(read_problem(exc)) from None
    finally:
        os.close(fd)


def _regular(fd: int, max_bytes: int, setting: str | None) -> os.stat_result:
    """The status of the open file ``fd``, if it is a regular file within the size limit."""
    info = os.fstat(fd)
    if stat.S_ISDIR(info.st_mode):
        raise BokslutError(read_problem(IsADirectoryError(errno.EISDIR, "")))
    if not stat.S_ISREG(info.st_mode):
        raise BokslutError(
            "är ingen vanlig fil (utan en enhet, en namngiven pipe eller liknande) och läses inte"
        )
    if info.st_size > max_bytes:
        raise BokslutError(_too_large(info.st_size, max_bytes, setting))
    return info


def open_input(
    path: Path, max_bytes: int = lim.MAX_FILE_BYTES, *, setting: str | None = None
) -> io.BufferedReader:
    """The SIE file at ``path`` opened for reading, checked as :func:`load_input` checks it
    (a file too large to hold in memory is read from it piece by piece). Raises BokslutError."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise BokslutError(read_problem(exc)) from None
    try:
        _regular(fd, max_bytes, setting)
        return os.fdopen(fd, "rb")
    except OSError as exc:
        os.close(fd)
        raise BokslutError(read_problem(exc)) from None
    except BaseException:
        os.close(fd)
        raise


def _too_large(size: int, max_bytes: int, setting: str | None) -> str:
    if setting is not None:
        return (
            f"filen är {lim.megabytes(size)} MB, större än gränsen {lim.megabytes(max_bytes)} MB "
            f"(höj den med [granser] {setting} i bokslut.toml om filen är rätt)"
        )
    shown, limit = lim.size_text(size), lim.size_text(max_bytes)
    if shown == limit:
        shown, limit = f"{_number(size)} byte", f"{_number(max_bytes)} byte"
    return f"filen är {shown}, större än de {limit} som läses"


def read_sie(
    path: Path,
    name: str | None = None,
    *,
    fast: bool | None = None,
    max_bytes: int = lim.MAX_FILE_BYTES,
    setting: str | None = None,
    inside: Path | None = None,
) -> SieFile:
    """Read the SIE file at ``path``; ``name`` is how messages refer to it.

    ``setting`` and ``inside`` as for :func:`load_input` (a file of a workspace's data/ledger).
    """
    shown = name or str(path)
    try:
        data = load_input(path, max_bytes, setting=setting, inside=inside)
    except BokslutError as exc:
        return _unusable(shown, exc.message, line=None)
    return read_sie_bytes(data, shown, fast=fast)
