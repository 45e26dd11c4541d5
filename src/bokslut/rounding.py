"""Rounding for the whole report at once: one shown number per quantity (docs/avrundning.md).

Every money cell (in its table's unit) and every count that takes part in a sum
(in its row's decimals) is shown as its exact value rounded down or up to the
step. Among those choices we pick the one closest to the exact values such that

* every sum row equals the sum of its shown parts, per column;
* every derived column (avvikelse = budget − utfall) equals its definition;
* cells that are the same quantity show the same number (with sign);
* a statement's declared identities (:class:`~bokslut.table.Identity`) hold.

That is controlled rounding, an integer program in one binary per quantity
(down or up); it is solved exactly with HiGHS per connected component. When no
solution exists the elastic version (a penalised slack on each constraint) still
gives every cell a number, and each constraint that had to give way is reported
as a :class:`~bokslut.table.RoundingConflict`. Percentages and numbers outside
any sum are shown as computed (half-up in their own decimals), never forced.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

import highspy
import numpy as np

from bokslut.table import (
    UNIT_DECIMALS,
    UNIT_SCALE,
    CellRef,
    Column,
    ColumnKind,
    Rounded,
    RoundingConflict,
    Row,
    RowKind,
    Table,
    Unit,
    column_decimals,
    display_plain,
    split_part,
)

__all__ = ["GroupMember", "ReportRounding", "round_report", "round_table", "shown_total_matches"]


class GroupMember(NamedTuple):
    """A cell of a same-quantity group; ``sign`` relates it to the group's first member."""

    table: str
    row: str
    column: str
    sign: int


@dataclass(frozen=True, slots=True)
class ReportRounding:
    rounded: dict[str, Rounded]
    groups: tuple[tuple[GroupMember, ...], ...]
    conflicts: tuple[RoundingConflict, ...]

    def shown(self, cell: CellRef) -> Decimal | str | None:
        r = self.rounded.get(cell.table)
        return r.get(cell.row, cell.column) if r is not None else None


def round_table(table: Table) -> Rounded:
    """Round one table on its own (for callers that have only this table)."""
    return round_report({table.id: table}).rounded[table.id]


# ---------------------------------------------------------------------------
# Variables


@dataclass(slots=True)
class _Var:
    cell: CellRef
    exact: Decimal  # in steps: shown = exact rounded down or up to an integer
    step: Decimal  # one step in the cell's native unit (kronor for money)
    kind: str  # "money" or "number": only variables of one kind share constraints
    decimals: int  # shown decimals in the table's unit
    display_scale: Decimal  # native value / display_scale = shown number
    tier: int  # 2 a total or named quantity, 1 a subtotal, 0 a line: closest first, in order
    is_sum: bool


@dataclass(slots=True)
class _Constraint:
    terms: list[tuple[int, int]]  # (coefficient in the finest step, variable index)
    cell: CellRef
    describe: Callable[[], str]  # the Swedish message, made only for a conflict


class _Problem:
    def __init__(self, tables: Mapping[str, Table]) -> None:
        self.tables = tables
        self.vars: list[_Var] = []
        self.index: dict[CellRef, int] = {}
        self.constraints: list[_Constraint] = []

    def add_var(self, table: Table, row: Row, col: Column, exact: Decimal, kind: ColumnKind) -> None:
        column_id = col.id
        if kind is ColumnKind.MONEY:
            unit = table.unit or Unit.KR
            decimals = UNIT_DECIMALS[unit]
            display_scale = UNIT_SCALE[unit]
            step = display_scale * Decimal(1).scaleb(-decimals)
            tag = "money"
        else:
            decimals = column_decimals(table, col, row)
            display_scale = Decimal(1)
            step = Decimal(1).scaleb(-decimals)
            tag = "number"
        ref = CellRef(table.id, row.id, column_id)
        tier = (
            2
            if row.quantity or row.kind is RowKind.TOTAL
            else 1
            if row.parts or row.kind is RowKind.SUBTOTAL
            else 0
        )
        self.index[ref] = len(self.vars)
        self.vars.append(_Var(ref, exact / step, step, tag, decimals, display_scale, tier, bool(row.parts)))

    def linear(
        self, cell: CellRef, terms: Iterable[tuple[int, CellRef]], describe: Callable[[], str]
    ) -> None:
        """``cell`` = Σ sign·term on the shown values (all cells must be variables of one kind)."""
        idx = [(1, self.index[cell])] + [(-s, self.index[t]) for s, t in terms]
        vs = self.vars
        kind, step = vs[idx[0][1]].kind, vs[idx[0][1]].step
        if any(vs[i].kind != kind for _, i in idx):
            return
        merged: dict[int, int] = defaultdict(int)
        if all(vs[i].step == step for _, i in idx):
            for s, i in idx:
                merged[i] += s
        else:
            finest = min(vs[i].step for _, i in idx)
            for s, i in idx:
                merged[i] += s * int(vs[i].step / finest)
        terms_out = [(c, i) for i, c in merged.items() if c]
        if terms_out:
            self.constraints.append(_Constraint(terms_out, cell, describe))


def _sum_message(row: Row, col: Column, table: Table) -> str:
    return (
        f"summan '{row.label}' ({col.label}) i tabellen '{table.title}' kan inte visas lika med "
        "summan av sina visade delar"
    )


def _derived_message(col: Column, row: Row, table: Table, definition: str) -> str:
    return (
        f"kolumnen '{col.label}' på raden '{row.label}' i tabellen '{table.title}' kan inte visas "
        f"som {definition}"
    )


def _identity_message(label: str, title: str, reason: str) -> str:
    return f"raden '{label}' i tabellen '{title}' kan inte visas enligt sin definition" + (
        f" ({reason})" if reason else ""
    )


def _collect(problem: _Problem) -> None:
    for table in problem.tables.values():
        part_of = {split_part(p)[1] for r in table.rows for p in r.parts}
        for row in table.rows:
            for col in table.columns:
                if col.derived is not None:
                    continue
                v = row.values.get(col.id)
                if not isinstance(v, Decimal):
                    continue
                kind = row.column_kind or col.kind
                if kind is ColumnKind.MONEY or (
                    kind is ColumnKind.NUMBER and (row.parts or row.id in part_of)
                ):
                    problem.add_var(table, row, col, v, kind)
        # Derived columns: variables too (within one step of their exact value), tied to
        # their operands' shown values.
        for col in table.columns:
            if col.derived is None:
                continue
            left, op, right = col.derived
            left_label, right_label = table.column(left).label, table.column(right).label
            for row in table.rows:
                a, b = CellRef(table.id, row.id, left), CellRef(table.id, row.id, right)
                if a not in problem.index or b not in problem.index:
                    continue
                ka = problem.vars[problem.index[a]]
                kb = problem.vars[problem.index[b]]
                exact_a, exact_b = ka.exact * ka.step, kb.exact * kb.step
                v = row.values.get(col.id)
                computed = exact_a + exact_b if op == "+" else exact_a - exact_b
                exact = v if isinstance(v, Decimal) else computed
                kind = row.column_kind or col.kind
                if kind is ColumnKind.PERCENT or kind is ColumnKind.TEXT:
                    continue
                problem.add_var(table, row, col, exact, kind)
                cell = CellRef(table.id, row.id, col.id)
                sign = 1 if op == "+" else -1
                problem.linear(
                    cell,
                    [(1, a), (sign, b)],
                    functools.partial(_derived_message, col, row, table, f"{left_label} {op} {right_label}"),
                )
    for table in problem.tables.values():
        by_id = {r.id: r for r in table.rows}
        for row in table.rows:
            if not row.parts:
                continue
            for col in table.columns:
                cell = CellRef(table.id, row.id, col.id)
                if cell not in problem.index or col.derived is not None:
                    continue
                terms: list[tuple[int, CellRef]] = []
                ok = True
                for part in row.parts:
                    sign, pid = split_part(part)
                    ref = CellRef(table.id, pid, col.id)
                    if ref in problem.index:
                        terms.append((sign, ref))
                    elif pid in by_id and isinstance(by_id[pid].values.get(col.id), Decimal | str):
                        ok = False  # a part shown as text or outside the problem: nothing to tie
                if ok:
                    problem.linear(
                        cell,
                        terms,
                        functools.partial(_sum_message, row, col, table),
                    )


# ---------------------------------------------------------------------------
# Same quantity: union-find with signs


class _SignedUnion:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))
        self.sign = [1] * n  # shown[i] = sign[i] * shown[parent[i]]

    def find(self, i: int) -> tuple[int, int]:
        s = 1
        path = []
        while self.parent[i] != i:
            path.append(i)
            s *= self.sign[i]
            i = self.parent[i]
        root = i
        # compress
        acc = s
        for j in path:
            js = acc
            acc *= self.sign[j]
            self.parent[j], self.sign[j] = root, js
        return root, s

    def union(self, a: int, b: int, sign: int) -> bool:
        """shown[a] = sign * shown[b]; False when that contradicts an earlier union."""
        ra, sa = self.find(a)
        rb, sb = self.find(b)
        if ra == rb:
            return sa == sign * sb
        # shown[ra] = sa*shown[a] = sa*sign*shown[b] = sa*sign*sb*shown[rb]
        self.parent[ra], self.sign[ra] = rb, sa * sign * sb
        return True


def _merge(problem: _Problem, uf: _SignedUnion, a: CellRef, b: CellRef) -> None:
    """Same quantity when the exact values agree up to sign, in the same step."""
    ia, ib = problem.index.get(a), problem.index.get(b)
    if ia is None or ib is None or ia == ib:
        return
    va, vb = problem.vars[ia], problem.vars[ib]
    if va.kind != vb.kind or va.step != vb.step or va.exact == 0:
        return
    if va.exact == vb.exact:
        uf.union(ia, ib, 1)
    elif va.exact == -vb.exact:
        uf.union(ia, ib, -1)


_LEDGER_KEYS = ("from", "to", "closing", "flows")


_SCALARS = frozenset({str, int, bool, Decimal, type(None)})


def _freeze(v: Any) -> Any:
    if type(v) in _SCALARS:  # nearly every value of a filter: skip the ABC checks below
        return v
    if isinstance(v, list | tuple):
        return tuple(_freeze(x) for x in v)
    if isinstance(v, Mapping):
        return tuple(sorted((k, _freeze(x)) for k, x in v.items()))
    return v


def _day_before(iso: str) -> str:
    return (dt.date.fromisoformat(iso) - dt.timedelta(days=1)).isoformat()


Atoms = dict[tuple[Any, frozenset[str]], int]


def _leaf_atoms(flt: Mapping[str, Any]) -> Atoms | None:
    """The ledger (or budget) rows a filter sums, one atom per account, with the filter's sign.

    A balance is named by its closing date: an opening balance of a year is the
    closing balance of the day before (the identity the ledger's #IB states).
    """
    sign = int(flt.get("sign", 1))
    if flt.get("budget") or flt.get("prognos"):
        base = tuple(sorted((k, _freeze(v)) for k, v in flt.items() if k not in ("sign", "accounts")))
    elif "accounts" in flt:
        rest = dict(flt)
        if rest.get("opening"):
            start = rest.get("balance_at") or rest.get("from")
            if not isinstance(start, str):
                return None
            rest = {"closing": _day_before(start)}
        elif rest.get("balance"):
            rest = {"closing": rest.get("to")}
        elif "balance_at" in rest:
            rest = {"closing": rest["balance_at"]}
        if rest.get("flows") == "net":
            rest.pop("flows")
        base = tuple((k, _freeze(rest[k])) for k in _LEDGER_KEYS if k in rest)
    else:
        return None
    objects = frozenset(str(o) for o in flt.get("objects") or ())
    accounts = flt.get("accounts")
    if accounts is None:
        return {(base, objects): sign}
    return {((str(a), *base), objects): sign for a in accounts}


class _SourceAtoms:
    """Atoms of a table's cells with a ledger or budget source, computed on demand (memoised);
    a sum's atoms are its parts' atoms with the parts' signs."""

    def __init__(self, table: Table) -> None:
        self.by_id = {r.id: r for r in table.rows}
        self.memo: dict[tuple[str, str], Atoms | None] = {}

    def get(self, row_id: str, column_id: str) -> Atoms | None:
        key = (row_id, column_id)
        if key not in self.memo:
            self.memo[key] = self._compute(row_id, column_id)
        return self.memo[key]

    def _compute(self, row_id: str, column_id: str) -> Atoms | None:
        row = self.by_id.get(row_id)
        if row is None:
            return None
        if not row.parts:
            src = row.sources.get(column_id)
            return _leaf_atoms(src.filter) if src is not None else None
        total: Atoms = defaultdict(int)
        for part in row.parts:
            sign, pid = split_part(part)
            p_atoms = self.get(pid, column_id)
            if p_atoms is None:
                prow = self.by_id.get(pid)
                pv = prow.values.get(column_id) if prow is not None else None
                if isinstance(pv, Decimal) and pv != 0:
                    return None  # a part we cannot name: neither can the sum
                continue
            for k, c in p_atoms.items():
                total[k] += sign * c
        return {k: c for k, c in total.items() if c}


def _cell_key(atoms: Atoms) -> tuple[frozenset[tuple[Any, int]], frozenset[Any]] | None:
    """Signed atoms without objects, and the objects restriction (empty: the whole).

    Object-restricted rows of one account with one sign are merged (the verksamheter
    of a driftredovisning's total); any other mix has no name and matches nothing.
    """
    if len(atoms) == 1:  # a leaf: most cells
        (((base, objs), c),) = atoms.items()
        return frozenset({(base, c)}), frozenset({(base, objs)} if objs else ())
    by_base: dict[Any, list[tuple[frozenset[str], int]]] = defaultdict(list)
    for (base, objs), c in atoms.items():
        by_base[base].append((objs, c))
    items: list[tuple[Any, int]] = []
    restriction: set[tuple[Any, frozenset[str]]] = set()
    for base, entries in by_base.items():
        coeffs = {c for _, c in entries}
        union: frozenset[str] = frozenset().union(*(o for o, _ in entries))
        if len(entries) == 1:
            objs, c = entries[0]
        elif (
            len(coeffs) == 1
            and all(o for o, _ in entries)
            and sum(map(len, (o for o, _ in entries))) == len(union)
        ):
            objs, c = union, coeffs.pop()
        else:
            return None
        items.append((base, c))
        if objs:
            restriction.add((base, objs))
    return frozenset(items), frozenset(restriction)


def _has_row(table: Table, row_id: str) -> bool:
    return any(r.id == row_id for r in table.rows)


def _same_source(problem: _Problem, uf: _SignedUnion) -> None:
    """Rule (a): same ledger rows with the same sign and the same exact value.

    An ``objects`` restriction does not make a different quantity when the exact
    value is equal: the restricted rows then sum to the whole (depreciation of the
    IT verksamhet is all depreciation when IT holds all of it). Two different
    restrictions are joined only through an unrestricted cell of the same value.
    """
    # Only cells whose value some other cell shares (up to sign) can be grouped: name those.
    by_value: dict[tuple[str, Decimal, Decimal], list[int]] = defaultdict(list)
    for i, var in enumerate(problem.vars):
        if var.exact != 0 and not problem.tables[var.cell.table].column(var.cell.column).derived:
            by_value[(var.kind, var.step, abs(var.exact).normalize())].append(i)
    atoms_of = {tid: _SourceAtoms(t) for tid, t in problem.tables.items()}
    buckets: dict[Any, list[tuple[int, int, Any]]] = defaultdict(list)
    for candidates in by_value.values():
        if len(candidates) < 2:
            continue
        for i in candidates:
            var = problem.vars[i]
            atoms = atoms_of[var.cell.table].get(var.cell.row, var.cell.column)
            named = _cell_key(atoms) if atoms else None
            if named is None:
                continue
            items, restriction = named
            # One orientation of the signed atoms stands for both (the same rows, either sign).
            negated = frozenset((k, -c) for k, c in items)
            sigma = 1 if hash(items) <= hash(negated) else -1
            canon = items if sigma == 1 else negated
            key = (var.kind, var.step, canon, (sigma * var.exact).normalize())
            buckets[key].append((i, sigma, restriction))
    for members in buckets.values():
        if len(members) < 2:
            continue
        by_restriction: dict[Any, list[tuple[int, int]]] = defaultdict(list)
        for i, sigma, restriction in members:
            by_restriction[restriction].append((i, sigma))
        firsts: list[tuple[int, int]] = []
        for restriction, cells in by_restriction.items():
            i0, s0 = cells[0]
            for i, s in cells[1:]:
                uf.union(i, i0, s * s0)
            if restriction is not None:
                firsts.append((i0, s0))
        whole = by_restriction.get(frozenset())
        if whole:
            iw, sw = whole[0]
            for i, s in firsts:
                uf.union(i, iw, s * sw)


def _filter_end(flt: Mapping[str, Any]) -> str | None:
    """The last day a source filter reaches, whether or not it names any account."""
    if flt.get("opening"):
        start = flt.get("balance_at") or flt.get("from")
        return _day_before(start) if isinstance(start, str) else None
    for key in ("to", "closing", "balance_at"):
        if isinstance(flt.get(key), str):
            return str(flt[key])
    year = flt.get("year")
    return f"{year}-12-31" if year else None


def _column_period(table: Table, column: Column) -> str:
    """The period a column shows: the last day any of its cells' sources reach (a year's
    column holds its opening balances too), else the year its heading names, else the
    column itself."""
    ends = {_filter_end(src.filter) for row in table.rows if (src := row.sources.get(column.id)) is not None}
    ends.discard(None)
    if ends:
        return max(e for e in ends if e is not None)
    label = column.label.strip()
    if len(label) == 4 and label.isascii() and label.isdigit():
        return f"{label}-12-31"
    return f"kolumn:{column.id}"


def _same_name(problem: _Problem, uf: _SignedUnion) -> None:
    """Rule (b): the same ``Row.quantity`` name and the same exact value, in the same period.

    A name says what a quantity is, not when: last year's årets resultat may equal this
    year's to the öre and still be another number, and joining the two can make a sum
    impossible to show. The period is the column's (``_column_period``).
    """
    first: dict[tuple[str, str, Decimal, Decimal, str], int] = {}
    for table in problem.tables.values():
        periods: dict[str, str] = {}
        for row in table.rows:
            if not row.quantity:
                continue
            for col in table.columns:
                i = problem.index.get(CellRef(table.id, row.id, col.id))
                if i is None:
                    continue
                if col.id not in periods:
                    periods[col.id] = _column_period(table, col)
                var = problem.vars[i]
                key = (row.quantity, var.kind, var.step, abs(var.exact).normalize(), periods[col.id])
                if key in first:
                    _merge(problem, uf, problem.vars[first[key]].cell, var.cell)
                else:
                    first[key] = i


def _notes(problem: _Problem, uf: _SignedUnion) -> None:
    """Rule (c): a line referring to a note equals that note's total of the same value."""
    for table in problem.tables.values():
        for row in table.rows:
            note = problem.tables.get(row.note) if row.note else None
            if note is None:
                continue
            totals = [r for r in note.rows if r.parts and r.kind is RowKind.TOTAL]
            for col in table.columns:
                cell = CellRef(table.id, row.id, col.id)
                for t in totals:
                    _merge(problem, uf, cell, CellRef(note.id, t.id, col.id))


def _exact_native(problem: _Problem, ref: CellRef) -> Decimal:
    v = problem.vars[problem.index[ref]]
    return v.exact * v.step


def _declared(problem: _Problem, uf: _SignedUnion) -> None:
    """Statements' identities, imposed when the exact values obey them."""
    for table in problem.tables.values():
        for ident in table.identities:
            cells = [ident.cell, *(t for _, t in ident.terms)]
            if any(c not in problem.index for c in cells):
                continue
            lhs = _exact_native(problem, ident.cell)
            rhs = sum((s * _exact_native(problem, t) for s, t in ident.terms), Decimal(0))
            if lhs != rhs:
                continue  # the ledger checks report exact disagreements; rounding cannot help
            if len(ident.terms) == 1:
                _merge(problem, uf, ident.cell, ident.terms[0][1])
            else:
                t = problem.tables[ident.cell.table]
                label = t.row(ident.cell.row).label
                problem.linear(
                    ident.cell,
                    ident.terms,
                    functools.partial(_identity_message, label, t.title, ident.reason),
                )


# ---------------------------------------------------------------------------
# Solving


_MICRO = 10_000


@functools.cache
def _highs_quiet() -> bool:
    """HiGHS prints a banner to stdout when a process makes its first instance; that would
    corrupt ``--json`` output, so the first instance is made with stdout pointed elsewhere."""
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        highspy.Highs()  # type: ignore[no-untyped-call]
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)
    return True


def _floor(x: Decimal) -> int:
    return int(x.to_integral_value(rounding=ROUND_FLOOR))


def _half_up(x: Decimal) -> int:
    return int(x.to_integral_value(rounding=ROUND_HALF_UP))


@dataclass(slots=True)
class _Class:
    exact: Decimal  # of the representative, in steps
    cells: int  # how many shown cells hold this number
    tier: int  # the highest tier of its cells
    tie_up: bool  # half-up prefers the upper step


def _solve(
    classes: list[_Class], constraints: list[tuple[list[tuple[int, int]], _Constraint]]
) -> tuple[list[int], list[int]]:
    """Shown steps per class and the indexes of constraints that had to give way."""
    floors = [_floor(c.exact) for c in classes]
    shown = [_half_up(c.exact) for c in classes]
    free = [k for k, c in enumerate(classes) if c.exact != floors[k]]
    # components over constraints (classes that share a constraint)
    parent = list(range(len(classes)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for terms, _ in constraints:
        r0 = find(terms[0][1])
        for _, k in terms[1:]:
            rk = find(k)
            if rk != r0:
                parent[rk] = r0
    by_comp: dict[int, list[int]] = defaultdict(list)
    for ci, (terms, _) in enumerate(constraints):
        by_comp[find(terms[0][1])].append(ci)
    is_free = set(free)
    violated: list[int] = []
    for cons in by_comp.values():
        ks = sorted({k for ci in cons for _, k in constraints[ci][0]} & is_free)
        if not ks:
            for ci in cons:
                if sum(c * floors[k] for c, k in constraints[ci][0]) != 0:
                    violated.append(ci)
            continue
        col = {k: j for j, k in enumerate(ks)}
        n = len(ks)
        m = len(cons)
        # Lexicographic: one step on a total or named quantity outweighs every deviation of
        # the subtotals, and one on a subtotal every deviation of the lines.
        scale = [1, 0, 0]
        per_tier = [0, 0, 0]
        for k in ks:
            per_tier[classes[k].tier] += classes[k].cells
        scale[1] = per_tier[0] + 1
        scale[2] = per_tier[1] * scale[1] + per_tier[0] + 1
        # Integer costs (deviation in millionths of a step, doubled, plus a tie-break of one
        # toward half-up) so that HiGHS compares candidates exactly.
        cost = np.zeros(n + 2 * m)
        for k, j in col.items():
            c = classes[k]
            r = int(((c.exact - floors[k]) * _MICRO).to_integral_value(rounding=ROUND_HALF_UP))
            w = c.cells * scale[c.tier]
            cost[j] = float(w * (_MICRO - 2 * r) * 2 + (-1 if c.tie_up else 1))
        penalty = float(np.abs(cost[:n]).sum()) + 1.0
        cost[n:] = penalty
        _highs_quiet()
        h = highspy.Highs()  # type: ignore[no-untyped-call]
        h.setOptionValue("output_flag", False)
        # One thread: the problems are small, and HiGHS's thread pool costs ~30 ms per solve.
        h.setOptionValue("threads", 1)
        h.setOptionValue("mip_rel_gap", 0.0)
        h.setOptionValue("mip_abs_gap", 0.0)
        lower = np.zeros(n + 2 * m)
        upper = np.concatenate([np.ones(n), np.full(2 * m, highspy.kHighsInf)])
        h.addVars(n + 2 * m, lower, upper)
        h.changeColsCost(n + 2 * m, np.arange(n + 2 * m, dtype=np.int32), cost)
        starts: list[int] = []
        index: list[int] = []
        value: list[float] = []
        rhs: list[float] = []
        for r_i, ci in enumerate(cons):
            terms = constraints[ci][0]
            starts.append(len(index))
            const = 0
            for coef, k in terms:
                const += coef * floors[k]
                if k in col:
                    index.append(col[k])
                    value.append(float(coef))
            index += [n + 2 * r_i, n + 2 * r_i + 1]
            value += [1.0, -1.0]
            rhs.append(float(-const))
        rhs_arr = np.array(rhs)
        h.addRows(
            m,
            rhs_arr,
            rhs_arr,
            len(index),
            np.array(starts, dtype=np.int32),
            np.array(index, dtype=np.int32),
            np.array(value),
        )
        # Sum trees are totally unimodular, so the LP relaxation is usually integral already
        # and then optimal for the integer program too; only otherwise branch (HiGHS MIP).
        h.run()
        x = np.asarray(h.getSolution().col_value)
        if np.abs(x[:n] - np.round(x[:n])).max() > 1e-6:
            h.changeColsIntegrality(
                n, np.arange(n, dtype=np.int32), np.full(n, highspy.HighsVarType.kInteger, dtype=np.uint8)
            )
            h.run()
            x = np.asarray(h.getSolution().col_value)
        for k, j in col.items():
            shown[k] = floors[k] + round(float(x[j]))
        for r_i, ci in enumerate(cons):
            if round(float(x[n + 2 * r_i])) or round(float(x[n + 2 * r_i + 1])):
                violated.append(ci)
    return shown, violated


def round_report(tables: Mapping[str, Table]) -> ReportRounding:
    """Round every table of the report in one problem (see module doc)."""
    problem = _Problem(tables)
    _collect(problem)
    uf = _SignedUnion(len(problem.vars))
    _declared(problem, uf)
    _notes(problem, uf)
    _same_name(problem, uf)
    _same_source(problem, uf)

    roots: dict[int, int] = {}
    classes: list[_Class] = []
    member_of: list[tuple[int, int]] = []
    for i, var in enumerate(problem.vars):
        root, sign = uf.find(i)
        if root not in roots:
            rv = problem.vars[root]
            roots[root] = len(classes)
            classes.append(_Class(rv.exact, 0, 0, rv.exact > 0))
        k = roots[root]
        classes[k].cells += 1
        classes[k].tier = max(classes[k].tier, var.tier)
        member_of.append((k, sign))
    constraints: list[tuple[list[tuple[int, int]], _Constraint]] = []
    for con in problem.constraints:
        merged: dict[int, int] = defaultdict(int)
        for c, i in con.terms:
            k, s = member_of[i]
            merged[k] += c * s
        terms = [(c, k) for k, c in merged.items() if c]
        if terms:
            constraints.append((terms, con))
        # a constraint that cancels out entirely holds by construction
    shown_steps, violated = _solve(classes, constraints)

    display: dict[str, dict[str, dict[str, Decimal | str | None]]] = {
        tid: {r.id: {} for r in t.rows} for tid, t in tables.items()
    }
    adjusted: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for i, var in enumerate(problem.vars):
        k, sign = member_of[i]
        steps = sign * shown_steps[k]
        value = Decimal(steps).scaleb(-var.decimals)  # a step is 10^-decimals in the table's unit
        display[var.cell.table][var.cell.row][var.cell.column] = value
        if var.is_sum and steps != _half_up(var.exact):
            adjusted[var.cell.table].append((var.cell.row, var.cell.column))
    for tid, t in tables.items():
        for row in t.rows:
            for col in t.columns:
                if col.id not in display[tid][row.id]:
                    display[tid][row.id][col.id] = display_plain(t, col, row, row.values.get(col.id))

    conflicts_by_table: dict[str, list[RoundingConflict]] = defaultdict(list)
    all_conflicts: list[RoundingConflict] = []
    for ci in violated:
        con = constraints[ci][1]
        cells = tuple(problem.vars[i].cell for _, i in con.terms)
        names = ", ".join(f"{c.table}/{c.row}/{c.column}" for c in cells)
        conflict = RoundingConflict(
            con.cell.table,
            con.cell.row,
            con.cell.column,
            f"{con.describe()}: ingen avrundning av cellerna {names} uppfyller både detta och att "
            "samma storhet visas med samma tal",
            cells,
        )
        conflicts_by_table[con.cell.table].append(conflict)
        all_conflicts.append(conflict)

    rounded = {
        tid: Rounded(t, display[tid], tuple(conflicts_by_table[tid]), tuple(adjusted[tid]))
        for tid, t in tables.items()
    }
    members: dict[int, list[GroupMember]] = defaultdict(list)
    for i, var in enumerate(problem.vars):
        root, sign = uf.find(i)
        members[root].append(GroupMember(*var.cell, sign))
    groups: list[tuple[GroupMember, ...]] = []
    for ms in members.values():
        if len(ms) > 1:
            s0 = ms[0].sign
            groups.append(tuple(GroupMember(m.table, m.row, m.column, m.sign * s0) for m in ms))
    return ReportRounding(rounded, tuple(groups), tuple(all_conflicts))


def shown_total_matches(rounded: Rounded) -> list[str]:
    """``row/column`` of sum rows whose shown value is not the sum of their shown parts."""
    bad: list[str] = []
    t = rounded.table
    for r in t.rows:
        if not r.parts:
            continue
        for col in t.columns:
            kind = r.column_kind or col.kind
            v = rounded.get(r.id, col.id)
            if not isinstance(v, Decimal) or kind not in (ColumnKind.MONEY, ColumnKind.NUMBER):
                continue
            total = Decimal(0)
            for part in r.parts:
                sign, pid = split_part(part)
                pv = rounded.get(pid, col.id)
                if isinstance(pv, Decimal):
                    total += sign * pv
            if total != v:
                bad.append(f"{r.id}/{col.id}")
    return bad
