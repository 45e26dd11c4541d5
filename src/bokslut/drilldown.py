"""Drill-down: any figure of the report to its sources, with sums that add up at every level.

:func:`explain` takes one cell of the report (table, row, column) and says where its
exact value comes from, level by level:

* a sum row: its parts, each with its sign and its own breakdown;
* a derived column (avvikelse = budget − utfall): the two cells it is made of;
* a ledger figure: the accounts behind it (opening balance and movement per account,
  per object where the figure is restricted to objects), exactly as the statements
  counted them; then, through :func:`vouchers`, an account's vouchers and their rows,
  each with file:line in the SIE file (paged; the totals cover all rows);
* a budget or forecast figure: the budget rows it sums, with file and line or cell
  (#PBUDGET lines for a budget from the SIE file);
* a figure from follow-up, personnel or KPI data: the data file and what the table
  took from it (its row when the data layer keeps one, and saying so when it does not).

Every level's ``total`` is exact and equals the figure; where the ledger cannot
explain all of it, ``difference`` says by how much and ``notes`` why, instead of
hiding it. The CLI (``bokslut harled``) and the web application call these functions
and render what they return.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from bokslut.ledger.drilldown import (
    PAGE_SIZE,
    BalanceRecord,
    Place,
    Selection,
    VoucherEntry,
    VoucherPage,
    budget_records,
    count_vouchers,
    find_voucher,
    opening_records,
    pairs_by_dimension,
    voucher_page,
    voucher_rows,
)
from bokslut.ledger.store import Store
from bokslut.money import kronor
from bokslut.statements.context import Context
from bokslut.statements.drift import NO_OBJECT, is_investment_plan
from bokslut.statements.facts import ObjectRows, YearData, object_of
from bokslut.statements.namnd import plan_ansvar
from bokslut.statements.plan import PlanRow
from bokslut.table import CellRef, Rounded, Row, Table, Value, split_part


@dataclass(frozen=True, slots=True)
class Figure:
    """The cell explained: its exact value and the number the report shows for it."""

    table: str
    row: str
    column: str
    label: str  # the row's label
    column_label: str
    unit: str | None  # "tkr" … for money; None for numbers and text
    exact: Value
    shown: Decimal | str | None


@dataclass(frozen=True, slots=True)
class AccountAmount:
    """One account's share of a ledger figure: öre; ``amount`` in the figure's sign."""

    account: str
    name: str
    opening: int  # ledger sign
    movement: int  # ledger sign (debit or credit only when the figure counts one side)
    amount: int  # sign × (opening + movement): what it adds to the figure
    objects: tuple[tuple[str, int], ...] = ()  # (object key, movement) when restricted to objects
    opening_records: tuple[BalanceRecord, ...] = ()


@dataclass(frozen=True, slots=True)
class PlanEntry:
    """One budget or forecast row: öre, in the figure's sign."""

    amount: int
    description: str
    place: Place | None
    records: tuple[BalanceRecord, ...] = ()  # the #PBUDGET lines of a budget from the SIE file


@dataclass(frozen=True, slots=True)
class DataSource:
    """A figure computed from a data file (follow-up, personnel, KPI, bokslut.toml)."""

    place: Place
    details: tuple[tuple[str, str], ...]
    rows_kept: bool  # whether the data layer names the row(s) the figure comes from


@dataclass(frozen=True, slots=True)
class Breakdown:
    figure: Figure
    kind: str  # summa | harledd | huvudbok | budget | prognos | data | ingen
    description: str
    parts: tuple[Part, ...] = ()
    selection: Selection | None = None  # a ledger figure's rows (for the voucher level)
    movements: bool = True  # whether vouchers count (False: an opening balance only)
    accounts: tuple[AccountAmount, ...] = ()
    plan: tuple[PlanEntry, ...] = ()
    data: DataSource | None = None
    total: Decimal | None = None  # exact kronor: the sum of this level
    notes: tuple[str, ...] = ()

    @property
    def difference(self) -> Decimal | None:
        """Figure minus what this level explains (zero when it adds up)."""
        if isinstance(self.figure.exact, Decimal) and self.total is not None:
            return self.figure.exact - self.total
        return None

    def leaves(self) -> Iterator[tuple[int, Breakdown]]:
        """Every ledger, budget or data breakdown below (and including) this one, with its sign."""
        if not self.parts:
            yield 1, self
        for part in self.parts:
            for sign, leaf in part.breakdown.leaves():
                yield part.sign * sign, leaf


@dataclass(frozen=True, slots=True)
class Part:
    sign: int
    breakdown: Breakdown


class UnknownName(LookupError):
    """A table, row, column or value that does not exist; ``known`` lists what does."""

    def __init__(self, what: str, name: str, known: Sequence[str]) -> None:
        super().__init__(name)
        self.what, self.name, self.known = what, name, tuple(known)


@dataclass
class Drill:
    """What drill-down reads: the report's tables and shown values, the statements' context
    (the aggregated ledger and the budget rows) and the open store."""

    tables: Mapping[str, Table]
    rounded: Mapping[str, Rounded]
    values: Mapping[str, Value | int] = field(default_factory=dict)
    context: Context | None = None
    store: Store | None = None
    # A table's rows by id (a table of thousands of projects was searched row by row).
    _rows: dict[str, dict[str, Row]] = field(default_factory=dict, init=False, repr=False, compare=False)
    _keys: dict[object, object] = field(default_factory=dict, init=False, repr=False, compare=False)

    def _row(self, t: Table, row_id: str) -> Row:
        rows = self._rows.get(t.id)
        if rows is None:
            rows = {}
            for r in t.rows:
                rows.setdefault(r.id, r)  # the first of an id, as Table.row
            self._rows[t.id] = rows
        found = rows.get(row_id)
        if found is None:
            raise KeyError(row_id)
        return found

    def _object_columns(self, yd: YearData, dim: int, account: str) -> _ObjectColumns:
        """The account's object keys of the year by their object of ``dim`` (numbered as
        :meth:`YearData.object_rows` numbers them).

        A region's accounts carry tens of thousands of objects, and a nämnd's cell thousands of
        them: checking each key in Python cost a cell 100 ms and more. Made once per account and
        dimension, and kept on the open store (a server opens a new one with new data) beside
        the year's data it was made from."""
        memo = self.store.drill_memo if self.store is not None else self._keys
        key = ("object keys", yd.year, dim, account)
        found = memo.get(key)
        if isinstance(found, tuple) and found[0] is yd:
            return cast(_ObjectColumns, found[1])
        made = _ObjectColumns.of(yd.columns(account)[0], yd.object_rows(dim), account)
        memo[key] = (yd, made)
        return made

    # ------------------------------------------------------------------ names

    def table(self, table_id: str) -> Table:
        t = self.tables.get(table_id)
        if t is None:
            raise UnknownName("tabell", table_id, list(self.tables))
        return t

    def cell(self, table_id: str, row_id: str, column_id: str) -> CellRef:
        """The cell, checked: UnknownName says what exists when a name is wrong."""
        t = self.table(table_id)
        try:
            self._row(t, row_id)
        except KeyError:
            raise UnknownName("rad", row_id, [r.id for r in t.rows]) from None
        if not any(c.id == column_id for c in t.columns):
            raise UnknownName("kolumn", column_id, [c.id for c in t.columns])
        return CellRef(table_id, row_id, column_id)

    def value_cell(self, name: str) -> tuple[int, CellRef] | None:
        """The cell a named value is taken from (with its sign), or None for a value of no cell.

        A named value is the exact value of a table cell (or its negation). The cell is found
        by value, preferring a row that names the quantity, a row of the same id, and the
        previous year's column for a ``_fg`` name: any cell with the same exact value from the
        same sources is the same quantity (the report rounds it to the same number).
        """
        if name not in self.values:
            raise UnknownName("värde", name, sorted(self.values))
        value = self.values[name]
        if not isinstance(value, Decimal):
            return None
        base = name.removesuffix("_fg")
        best: tuple[tuple[int, int, int], int, CellRef] | None = None
        order = 0
        for tid, t in self.tables.items():
            for row in t.rows:
                for col in t.columns:
                    v = row.values.get(col.id)
                    if not isinstance(v, Decimal) or (v != value and v != -value):
                        continue
                    order += 1
                    sign = 1 if v == value else -1
                    rank = 0 if row.quantity == name else 1 if row.id in (name, base) else 2
                    year = 0 if col.id.endswith("_fg") == name.endswith("_fg") else 1
                    key = (rank, year, order)
                    if best is None or key < best[0]:
                        best = (key, sign, CellRef(tid, row.id, col.id))
        return (best[1], best[2]) if best is not None else None

    # ------------------------------------------------------------------ levels

    def figure(self, ref: CellRef) -> Figure:
        t = self.tables[ref.table]
        row, col = self._row(t, ref.row), t.column(ref.column)
        kind = (row.column_kind or col.kind).value
        rounded = self.rounded.get(ref.table)
        return Figure(
            ref.table,
            ref.row,
            ref.column,
            row.label,
            col.label,
            (t.unit.value if t.unit is not None else "kr") if kind == "money" else None,
            row.values.get(ref.column),
            rounded.get(ref.row, ref.column) if rounded is not None else None,
        )

    def explain(self, ref: CellRef) -> Breakdown:
        """The breakdown of one cell, down to accounts, budget rows or data files."""
        t = self.table(ref.table)
        row, col = self._row(t, ref.row), t.column(ref.column)
        fig = self.figure(ref)
        if col.derived is not None:
            left, op, right = col.derived
            parts: tuple[Part, ...] = (
                Part(1, self.explain(CellRef(ref.table, ref.row, left))),
                Part(1 if op == "+" else -1, self.explain(CellRef(ref.table, ref.row, right))),
            )
            return _with_total(
                Breakdown(fig, "harledd", f"{t.column(left).label} {op} {t.column(right).label}", parts)
            )
        if row.parts:
            parts = tuple(
                Part(sign, self.explain(CellRef(ref.table, pid, ref.column)))
                for sign, pid in map(split_part, row.parts)
            )
            return _with_total(Breakdown(fig, "summa", f"summa av {len(parts)} rader", parts))
        src = row.sources.get(ref.column)
        if src is None and fig.exact == 0:
            return Breakdown(fig, "ingen", "inga rader: värdet är noll", total=Decimal(0))
        if src is None:
            note = "värdet har ingen angiven källa (det räknas ur andra värden i rapporten)"
            return Breakdown(fig, "ingen", note, notes=(note,) if fig.exact is not None else ())
        flt = src.filter
        if flt.get("budget") or flt.get("prognos"):
            return self._plan(fig, flt, src.description)
        if flt.get("terms") and "from" in flt:
            return self._terms(fig, flt, src.description)
        if "accounts" in flt and any(k in flt for k in ("from", "to", "balance_at")):
            return self._ledger(fig, flt, src.description)
        if "file" in flt:
            return _data(fig, flt, src.description)
        return Breakdown(fig, "ingen", src.description or "källan kan inte följas längre")

    # ------------------------------------------------------------------ ledger

    def _ledger(self, fig: Figure, flt: Mapping[str, Any], description: str) -> Breakdown:
        ctx = self.context
        if ctx is None:
            return Breakdown(fig, "huvudbok", description, notes=("huvudboken är inte öppnad",))
        sign = int(flt.get("sign", 1))
        accounts = tuple(str(a) for a in flt.get("accounts") or ())
        opening_only = bool(flt.get("opening"))
        if opening_only:
            day = _date(flt.get("balance_at") or flt.get("from"))
            yd = _year_starting(ctx, day)
            to = yd.start if yd is not None else day
        elif flt.get("balance") or "balance_at" in flt:
            to = _date(flt.get("balance_at") or flt.get("to"))
            yd = _year_containing(ctx, to)
        else:
            to = _date(flt.get("to"))
            yd = _year_starting(ctx, _date(flt.get("from"))) or _year_containing(ctx, to)
        if yd is None:
            return Breakdown(fig, "huvudbok", description, notes=("räkenskapsåret finns inte i huvudboken",))
        with_opening = opening_only or flt.get("balance") or "balance_at" in flt
        flows = str(flt.get("flows", "net"))
        pairs = tuple(str(o) for o in flt.get("objects") or ())
        wanted = {
            dim: {p.partition(":")[2] for p in group} for dim, group in pairs_by_dimension(pairs).items()
        }
        no_object_in = None
        if "objects" in flt and not pairs:
            # "Ej fördelat": the rows that carry no object of the table's dimension.
            dims = ctx.config.dimensioner
            no_object_in = dims.verksamhet if "kostnadsslag" in flt else dims.projekt
        restricted = bool(pairs) or no_object_in is not None
        records = (
            {r.account: r for r in opening_records(self.store, yd.year, accounts)}
            if (with_opening and self.store is not None)
            else {}
        )

        # A restricted figure's keys: those with one of the first dimension's objects (numbered
        # once for all accounts), or "ej fördelat": those without an object of that dimension.
        columns: dict[str, _ObjectColumns] = {}
        numbers: npt.NDArray[np.int32] | None = None
        more = len(wanted) > 1 or (bool(wanted) and no_object_in is not None)
        if restricted and not opening_only:
            dim, objs = next(iter(wanted.items())) if wanted else (cast(int, no_object_in), None)
            columns = {a: self._object_columns(yd, dim, a) for a in accounts}
            if objs is not None:
                known = yd.object_rows(dim).numbers
                numbers = np.array([known[o] for o in objs if o in known], dtype=np.int32)

        def shares(external: bool) -> list[AccountAmount]:
            entries: list[AccountAmount] = []
            for a in accounts:
                opening = yd.opening(a) if with_opening else 0
                per_obj: list[tuple[str, int]] = []
                movement = 0
                if not opening_only and not restricted:
                    # Every object key counts: the account's totals, without a look at each key
                    # (a region's cost account has tens of thousands).
                    total = yd.flow(a)
                    debit, credit = total.debit, total.credit
                    if external:
                        internal_debit, internal_credit = ctx.internal_gross(yd, a)
                        debit, credit = debit - internal_debit, credit - internal_credit
                    movement = _picked(flows, debit, credit)
                elif not opening_only:
                    keys, amounts = columns[a].selected(numbers, flows)
                    if not more and not external:
                        per_obj = list(zip(keys, amounts, strict=True))
                        movement = sum(amounts)
                    for key, amount in zip(keys, amounts, strict=True) if more or external else ():
                        if more and not _object_matches(key, wanted, no_object_in):
                            continue
                        if external and ctx.is_internal(a, key):
                            continue
                        movement += amount
                        per_obj.append((key, amount))
                if not opening_only and to > yd.cut:
                    movement += yd.after_cut.get(a, 0)
                rec = records.get(a)
                entries.append(
                    AccountAmount(
                        a,
                        ctx.facts.account_names.get(a, ""),
                        opening,
                        movement,
                        sign * (opening + movement),
                        tuple(per_obj) if restricted else (),
                        (rec,) if rec is not None and opening else (),
                    )
                )
            return entries

        entries = shares(external=False)
        notes: list[str] = []
        excluded: tuple[str, ...] = ()
        internal = _internal_items(ctx)
        if internal and not opening_only and kronor(sum(e.amount for e in entries)) != fig.exact:
            # The resultaträkning eliminates internal items ([internt]); the filter does not say
            # so, but when the figure is what is left without them, that is how it was counted.
            external = shares(external=True)
            if kronor(sum(e.amount for e in external)) == fig.exact:
                entries = external
                excluded = internal
                notes.append(
                    "interna poster ([internt] i bokslut.toml) är eliminerade: " + ", ".join(internal)
                )
        kept = tuple(a for a in accounts if a not in ctx.chart.internal_accounts) if excluded else accounts
        sel = Selection(
            yd.year, to, kept, pairs, no_object_in, flows, sign, _motpart_pairs(ctx) if excluded else ()
        )
        total = kronor(sum(e.amount for e in entries))
        if not yd.has_transactions and not opening_only:
            notes.append(
                f"räkenskapsåret {yd.year} har inga verifikationer i huvudboken; rörelsen kommer ur "
                "filens #RES och #UB"
            )
        out = Breakdown(
            fig,
            "huvudbok",
            description or _describe(flt, yd, to, opening_only),
            selection=sel,
            movements=not opening_only and yd.has_transactions,
            accounts=tuple(entries),
            total=total,
            notes=tuple(notes),
        )
        return _note_difference(out)

    def _terms(self, fig: Figure, flt: Mapping[str, Any], description: str) -> Breakdown:
        """A figure that mixes flows (the cash flow's sales of fixed assets: the credits of the
        acquisition accounts and the accumulated depreciation's movement, less the year's
        depreciation): one ledger figure per flow and sign, each followed to its accounts."""
        common = {k: v for k, v in flt.items() if k not in ("terms", "accounts", "flows", "sign")}
        parts: list[Part] = []
        for term in flt["terms"]:
            flows = str(term.get("flows", "net"))
            sub = {**common, "accounts": term.get("accounts") or [], "sign": int(term.get("sign", 1))}
            if flows != "net":
                sub["flows"] = flows
            label = str(term.get("label") or "") or (
                _TERM_LABELS.get(flows, flows) + (" med omvänt tecken" if sub["sign"] < 0 else "")
            )
            probe = replace(fig, label=label, exact=None, shown=None)
            b = self._ledger(probe, sub, "")
            parts.append(Part(1, replace(b, figure=replace(probe, exact=b.total))))
        what = description or f"summa av {len(parts)} slags flöden"
        return _with_total(Breakdown(fig, "summa", what, tuple(parts)))

    # ------------------------------------------------------------------ budget

    def _plan(self, fig: Figure, flt: Mapping[str, Any], description: str) -> Breakdown:
        ctx = self.context
        kind = "budget" if flt.get("budget") else "prognos"
        if ctx is None:
            return Breakdown(fig, kind, description, notes=("budgeten är inte inläst",))
        rows = ctx.budget if kind == "budget" else ctx.prognos
        year = int(flt.get("year", ctx.year))
        accounts = set(flt.get("accounts") or ()) if "accounts" in flt else None
        absolute = "projekt" in flt and "verksamhet" not in flt
        sign = int(flt.get("sign", -1))
        entries = (
            self._plan_per_ansvar(fig, flt, kind, year)
            if "ansvar" in flt
            else [
                self._plan_entry(r, abs(r.amount) if absolute else sign * r.amount, year)
                for r in rows
                if r.year == year and self._plan_matches(ctx, r, flt, accounts)
            ]
        )
        what = "budgetrader" if kind == "budget" else "prognosrader"
        out = Breakdown(
            fig,
            kind,
            description or f"{what} för {year} ({len(entries)} st)",
            plan=tuple(entries),
            total=kronor(sum(e.amount for e in entries)),
        )
        return _note_difference(out)

    def _plan_per_ansvar(self, fig: Figure, flt: Mapping[str, Any], kind: str, year: int) -> list[PlanEntry]:
        """A row of the table per nämnd: the plan rows naming its ansvar, the lines of the
        per-ansvar file, and a nämnd's ram (kommunbidrag) where it has no budget per ansvar."""
        ctx = self.context
        assert ctx is not None
        dim = int(flt["dimension"])
        ansvar = set(flt["ansvar"])
        entries = [
            self._plan_entry(r, -r.amount, year)
            for r in (ctx.budget if kind == "budget" else ctx.prognos)
            if r.year == year and plan_ansvar(ctx, r, dim) in ansvar
        ]
        for k in ctx.org.budget if kind == "budget" else ctx.org.prognos:
            if k.year == year and k.key in ansvar:
                entries.append(PlanEntry(k.ore, f"ansvar {k.key}", Place(k.file, k.line)))
        org = ctx.org.organisation
        unit = org.units.get(fig.row) if org is not None else None
        ram_files = set(flt.get("ram") or ())
        name = unit.name.casefold() if unit is not None else None
        for k in ctx.org.ram:
            if k.year == year and k.file in ram_files and k.key.casefold() == name:
                entries.append(PlanEntry(k.ore, f"ram för {k.key}", Place(k.file, k.line)))
        return entries

    @staticmethod
    def _plan_matches(ctx: Context, r: PlanRow, flt: Mapping[str, Any], accounts: set[str] | None) -> bool:
        if r.rad is not None and "rad" in flt:  # a row for the statement's line, not for accounts
            return bool(r.rad == flt["rad"])
        if accounts is not None:
            return r.account in accounts and not ctx.is_internal(r.account, r.objects)
        invest = is_investment_plan(ctx, r.account, r.kostnadsslag, r.projekt)
        if "verksamhet" in flt:
            return (
                not invest
                and (ctx.verksamhet_of(r) or NO_OBJECT) == flt["verksamhet"]
                and ctx.kostnadsslag_of(r) == flt.get("kostnadsslag")
            )
        if "projekt" in flt:
            return invest and (ctx.projekt_of(r) or NO_OBJECT) == flt["projekt"]
        if "kostnadsslag" in flt:
            return not invest and ctx.kostnadsslag_of(r) == flt["kostnadsslag"]
        return False

    def _plan_entry(self, r: PlanRow, amount: int, year: int) -> PlanEntry:
        keys = [
            f"konto {r.account}" if r.account else "",
            f"objekt {r.objects}" if r.objects else "",
            f"verksamhet {r.verksamhet}" if r.verksamhet else "",
            f"kostnadsslag {r.kostnadsslag}" if r.kostnadsslag else "",
            f"projekt {r.projekt}" if r.projekt else "",
        ]
        text = ", ".join(k for k in keys if k)
        if r.file is not None:
            return PlanEntry(amount, text, Place(r.file, r.line, r.cell))
        records: tuple[BalanceRecord, ...] = ()
        if self.store is not None and r.account is not None:
            records = tuple(budget_records(self.store, year, r.account, r.objects))
        place = records[0].place if len(records) == 1 else None
        return PlanEntry(amount, f"#PBUDGET {text}", place, records)

    # ------------------------------------------------------------------ vouchers

    def vouchers(
        self, leaf: Breakdown, account: str, *, offset: int = 0, limit: int = PAGE_SIZE
    ) -> VoucherPage:
        """One page of an account's vouchers behind a ledger figure (totals over all rows)."""
        if self.store is None or leaf.selection is None:
            raise ValueError("drill-down to vouchers needs a ledger figure and an open store")
        return voucher_page(self.store, leaf.selection, account, offset=offset, limit=limit)

    def count_vouchers(self, leaf: Breakdown, account: str) -> int:
        """How many vouchers an account's part of a ledger figure has (a full count: slower than a page)."""
        if self.store is None or leaf.selection is None:
            return 0
        return count_vouchers(self.store, leaf.selection, account)

    def voucher(self, leaf: Breakdown, series: str, number: str) -> VoucherEntry | None:
        """Every row of voucher ``series number`` in the figure's year, the counted ones marked."""
        if self.store is None or leaf.selection is None:
            return None
        vid = find_voucher(self.store, leaf.selection.fiscal_year, series, number)
        if vid is None:
            return None
        return voucher_rows(self.store, leaf.selection.fiscal_year, vid, leaf.selection)


# ---------------------------------------------------------------------- helpers


def _with_total(b: Breakdown) -> Breakdown:
    total = Decimal(0)
    for p in b.parts:
        v = p.breakdown.figure.exact
        if isinstance(v, Decimal):
            total += p.sign * v
    out = Breakdown(b.figure, b.kind, b.description, b.parts, total=total)
    return _note_difference(out)


def _note_difference(b: Breakdown) -> Breakdown:
    diff = b.difference
    if not diff:
        return b
    note = (
        f"delarna summerar till {_kr(b.total)} kr, {_kr(diff)} kr från värdet; skillnaden förklaras inte här"
    )
    return Breakdown(
        b.figure,
        b.kind,
        b.description,
        b.parts,
        b.selection,
        b.movements,
        b.accounts,
        b.plan,
        b.data,
        b.total,
        (*b.notes, note),
    )


def _kr(v: Decimal | None) -> str:
    return "" if v is None else format(v, "f").replace(".", ",")


def _date(value: Any) -> dt.date:
    return dt.date.fromisoformat(str(value))


def _year_starting(ctx: Context, day: dt.date) -> YearData | None:
    for yd in ctx.facts.years.values():
        if yd.start == day:
            return yd
    return None


def _year_containing(ctx: Context, day: dt.date) -> YearData | None:
    for yd in ctx.facts.years.values():
        if yd.start <= day <= yd.end:
            return yd
    return None


def _internal_items(ctx: Context) -> tuple[str, ...]:
    """What [internt] names, for the note: its accounts and its counterparts."""
    cfg = ctx.config.internt
    items = [f"konto {k}" for k in cfg.konton]
    if ctx.config.dimensioner.motpart is not None:
        items += [f"motpart {m}" for m in cfg.motparter]
    return tuple(items)


def _motpart_pairs(ctx: Context) -> tuple[str, ...]:
    dim = ctx.config.dimensioner.motpart
    if dim is None:
        return ()
    return tuple(f"{dim}:{m}" for m in ctx.config.internt.motparter)


@dataclass(frozen=True, slots=True)
class _ObjectColumns:
    """One account's object keys in a year, in key order, with their debits and credits and
    each key's object of one dimension as a number (-1: the key has none)."""

    keys: list[str]
    codes: npt.NDArray[np.int32]  # numbered by the year's numbering of the dimension's objects
    debit: npt.NDArray[np.int64]
    credit: npt.NDArray[np.int64]

    @classmethod
    def of(cls, keys: list[str], rows: ObjectRows, account: str) -> _ObjectColumns:
        """The columns of ``account``'s keys (its rows of ``rows``, in the same order)."""
        lo, hi = rows.span(account)
        order = np.array(sorted(range(len(keys)), key=keys.__getitem__), dtype=np.int64)
        codes = rows.obj[lo:hi][order]
        return cls(
            [keys[i] for i in order.tolist()],
            np.where(codes == rows.none, -1, codes).astype(np.int32),
            np.asarray(rows.debit[lo:hi][order], dtype=np.int64),
            np.asarray(rows.credit[lo:hi][order], dtype=np.int64),
        )

    def selected(self, numbers: npt.NDArray[np.int32] | None, flows: str) -> tuple[list[str], list[int]]:
        """The keys with one of the objects ``numbers`` (None: with no object of the dimension),
        in key order, and what ``flows`` counts of each."""
        pos = np.flatnonzero(self.codes < 0 if numbers is None else np.isin(self.codes, numbers))
        amounts = (
            self.debit if flows == "debit" else self.credit if flows == "credit" else self.debit + self.credit
        )
        return [self.keys[i] for i in pos.tolist()], amounts[pos].tolist()


def _picked(flows: str, debit: int, credit: int) -> int:
    """What a filter's ``flows`` counts of a movement."""
    return debit if flows == "debit" else credit if flows == "credit" else debit + credit


def _object_matches(key: str, wanted: Mapping[int, set[str]], no_object_in: int | None) -> bool:
    """The key carries one of the wanted objects of each dimension, and none of ``no_object_in``."""
    if no_object_in is not None and object_of(key, no_object_in) is not None:
        return False
    return all(object_of(key, dim) in objs for dim, objs in wanted.items())


_TERM_LABELS = {"net": "Rörelse", "debit": "Debet", "credit": "Kredit"}


def _describe(flt: Mapping[str, Any], yd: YearData, to: dt.date, opening_only: bool) -> str:
    if opening_only:
        return f"ingående balans {yd.start.isoformat()}"
    if flt.get("balance") or "balance_at" in flt:
        return f"saldo {to.isoformat()}: ingående balans och årets transaktioner"
    side = {"debit": ", debet", "credit": ", kredit"}.get(str(flt.get("flows", "")), "")
    return f"transaktioner {yd.start.isoformat()}–{to.isoformat()}{side}"


_DATA_KEYS = {
    "ar": "år",
    "grupp": "grupp",
    "verksamhet": "verksamhet",
    "ko": "kö",
    "path": "sökväg",
    "key": "nyckel",
    "where": "plats",
}


def _data(fig: Figure, flt: Mapping[str, Any], description: str) -> Breakdown:
    line = flt.get("rad", flt.get("line"))
    place = Place(str(flt["file"]), int(line) if isinstance(line, int) else None)
    details = tuple(
        (_DATA_KEYS.get(k, k), str(v))
        for k, v in flt.items()
        if k not in ("file", "rad", "line") and v is not None
    )
    notes: tuple[str, ...] = ()
    if place.line is None:
        notes = (
            "datalagret sparar inte vilka rader i filen värdet räknas ur; urvalet ovan säger vilka "
            "uppgifter i filen som räknas",
        )
    return Breakdown(
        fig,
        "data",
        description or f"ur {place.file}",
        data=DataSource(place, details, place.line is not None),
        notes=notes,
    )


# ---------------------------------------------------------------------- JSON


def _place_json(p: Place | None) -> dict[str, Any] | None:
    if p is None:
        return None
    return {"file": p.file, "line": p.line, "cell": p.cell, "text": p.text()}


def _record_json(r: BalanceRecord) -> dict[str, Any]:
    return {
        "kind": r.kind,
        "account": r.account,
        "objects": r.objects,
        "period": r.period,
        "amount": kronor(r.amount),
        "place": _place_json(r.place),
    }


def breakdown_json(b: Breakdown) -> dict[str, Any]:
    """A breakdown as JSON-able data (Decimal kronor; the web and ``harled --json`` share it)."""
    f = b.figure
    out: dict[str, Any] = {
        "figure": {
            "table": f.table,
            "row": f.row,
            "column": f.column,
            "label": f.label,
            "column_label": f.column_label,
            "unit": f.unit,
            "exact": f.exact,
            "shown": f.shown,
        },
        "kind": b.kind,
        "description": b.description,
        "total": b.total,
        "difference": b.difference,
        "notes": list(b.notes),
    }
    if b.parts:
        out["parts"] = [{"sign": p.sign, **breakdown_json(p.breakdown)} for p in b.parts]
    if b.selection is not None:
        s = b.selection
        out["selection"] = {
            "fiscal_year": s.fiscal_year,
            "to": s.to.isoformat(),
            "objects": list(s.objects),
            "no_object_in": s.no_object_in,
            "exclude_objects": list(s.exclude_objects),
            "flows": s.flows,
            "sign": s.sign,
            "vouchers": b.movements,
        }
    if b.kind == "huvudbok":
        out["accounts"] = [
            {
                "account": a.account,
                "name": a.name,
                "opening": kronor(a.opening),
                "movement": kronor(a.movement),
                "amount": kronor(a.amount),
                "objects": [{"objects": k, "movement": kronor(v)} for k, v in a.objects],
                "opening_records": [_record_json(r) for r in a.opening_records],
            }
            for a in b.accounts
        ]
    if b.kind in ("budget", "prognos"):
        out["rows"] = [
            {
                "amount": kronor(e.amount),
                "description": e.description,
                "place": _place_json(e.place),
                "records": [_record_json(r) for r in e.records],
            }
            for e in b.plan
        ]
    if b.data is not None:
        out["data"] = {
            "place": _place_json(b.data.place),
            "details": dict(b.data.details),
            "rows_kept": b.data.rows_kept,
        }
    return out


def _row_json(r: Any) -> dict[str, Any]:
    return {
        "account": r.account,
        "objects": r.objects,
        "amount": kronor(r.amount),
        "text": r.text,
        "kind": r.kind,
        "counted": r.counted,
        "place": _place_json(r.place),
    }


def voucher_json(v: VoucherEntry) -> dict[str, Any]:
    return {
        "series": v.series,
        "number": v.number,
        "date": v.date.isoformat(),
        "text": v.text,
        "amount": kronor(v.amount),
        "place": _place_json(v.place),
        "rows": [_row_json(r) for r in v.rows],
    }


def page_json(p: VoucherPage, voucher_count: int | None = None) -> dict[str, Any]:
    return {
        "account": p.account,
        "total": kronor(p.total),
        "vouchers_total": voucher_count,
        "rows_total": p.row_count,
        "offset": p.offset,
        "limit": p.limit,
        "has_more": p.has_more,
        "page_total": kronor(p.page_total),
        "vouchers": [voucher_json(v) for v in p.vouchers],
    }
