"""Checks that a read SIE file is internally consistent (issue: validation).

Each check takes the SieFile and returns findings; they run column-wise so a
file with millions of rows is checked in well under a second.

* every voucher balances (its counted rows sum to zero) — error;
* #IB 0 equals #UB -1 for each account where both exist — warning;
* #UB 0 = #IB 0 + the year's rows for balance accounts, #RES 0 = the year's rows
  for result accounts, when the file carries vouchers — warning.

The last two are warnings, not errors, because real exports legitimately break
them (a closing transfer booked into the new year's opening balance; a file
with a selection of the year's vouchers) and the file is still stored faithfully.
A report cannot rest on such a ledger: ``bokslut check`` treats the same
disagreements as errors. When #OMFATTN is given, balances include rows only up
to that date, so only those rows are compared.
* row dates inside the fiscal year (#RAR 0) — warning;
* accounts and objects used but not declared — warning;
* a #RAR 0 at all, and one no longer than the law allows — warning;
* no voucher number used twice in a series — warning.

Messages quote the file (account numbers, object ids); they pass through
:func:`~bokslut.sie.tokens.printable` so no control character reaches a terminal.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bokslut.diagnostics import Finding, Level
from bokslut.money import format_ore
from bokslut.sie.model import (
    FiscalYear,
    SieFile,
    object_table,
    pair_keys,
    period_balance_table,
    split_objects,
)
from bokslut.sie.tokens import printable

Check = Callable[[SieFile], list[Finding]]


def _finding(level: Level, message: str, **kw: Any) -> Finding:
    return Finding(level, printable(message), **kw)


def kr(ore: int) -> str:
    """Öre as '1 234,50 kr' for messages."""
    return format_ore(ore, group=" ") + " kr"


def counted(sie: SieFile, columns: list[str] | None = None) -> pa.Table:
    """The rows that count (#TRANS), optionally only some columns (cheaper on big files)."""
    t = sie.transactions if columns is None else sie.transactions.select([*columns, "kind"])
    if pc.all(pc.equal(t["kind"], "TRANS")).as_py() is not False:
        # No corrections in the file (the usual case): every row counts, nothing to copy.
        return t if columns is None else t.select(columns)
    rows = t.filter(pc.equal(t["kind"], "TRANS"))
    return rows if columns is None else rows.select(columns)


def voucher_label(series: str, number: str) -> str:
    label = f"{series} {number}".strip()
    return label or "utan nummer"


def check_balanced(sie: SieFile) -> list[Finding]:
    v = sie.vouchers
    if v.num_rows == 0:
        return []
    rows = counted(sie, ["voucher_idx", "amount"])
    idx = rows["voucher_idx"].to_numpy()
    amounts = rows["amount"].to_numpy()
    sums = np.zeros(v.num_rows, dtype=np.int64)
    if idx.size and bool(np.all(idx[1:] >= idx[:-1])):
        # Rows come voucher by voucher: sum each run exactly in int64.
        starts = np.flatnonzero(np.r_[True, idx[1:] != idx[:-1]])
        sums[idx[starts]] = np.add.reduceat(amounts, starts)
    elif idx.size:
        np.add.at(sums, idx, amounts)
    return unbalanced(sie.name, v, sums)


def unbalanced(name: str, vouchers: pa.Table, sums: np.ndarray) -> list[Finding]:
    """Findings for the vouchers whose ``sums`` (one per voucher of ``vouchers``) are not zero."""
    bad = np.flatnonzero(sums)
    findings = []
    if bad.size:
        series = vouchers["series"].take(pa.array(bad)).to_pylist()
        numbers = vouchers["number"].take(pa.array(bad)).to_pylist()
        lines = vouchers["line"].take(pa.array(bad)).to_pylist()
        for s, n, line, total in zip(series, numbers, lines, sums[bad].tolist(), strict=True):
            findings.append(
                _finding(
                    Level.ERROR,
                    f"verifikation {voucher_label(s, n)} balanserar inte: raderna summerar till "
                    f"{kr(total)} i stället för 0",
                    file=name,
                    line=line,
                    code="obalanserad-verifikation",
                )
            )
    return findings


def _sum_by_account(rows: pa.Table) -> dict[str, int]:
    if rows.num_rows == 0:
        return {}
    grouped = rows.group_by("account").aggregate([("amount", "sum")])
    return dict(zip(grouped["account"].to_pylist(), grouped["amount_sum"].to_pylist(), strict=True))


def _is_balance_account(account: str, ktyp: str | None) -> bool:
    if ktyp:
        return ktyp in ("T", "S")
    return account[:1] in ("1", "2")


def check_opening_vs_previous_closing(sie: SieFile) -> list[Finding]:
    ib = {b.account: b for b in sie.balances if b.kind == "IB" and b.year_index == 0}
    ub_prev = {b.account: b for b in sie.balances if b.kind == "UB" and b.year_index == -1}
    findings = []
    for account in sorted(set(ib) | set(ub_prev)):
        a = ib[account].amount if account in ib else 0
        b = ub_prev[account].amount if account in ub_prev else 0
        if account in ib and account in ub_prev and a != b:
            findings.append(
                _finding(
                    Level.WARNING,
                    f"ingående balans för konto {account} ({kr(a)}) är inte föregående års "
                    f"utgående balans ({kr(b)}, rad {ub_prev[account].line})",
                    file=sie.name,
                    line=ib[account].line,
                    code="ib-ub",
                )
            )
    return findings


def check_balances_reconcile(sie: SieFile) -> list[Finding]:
    fy = sie.header.fiscal_year(0)
    if sie.vouchers.num_rows == 0 or fy is None:
        return []
    rows = counted(sie, ["account", "amount", "date"])
    if sie.header.omfattn is not None:
        rows = rows.filter(pc.less_equal(rows["date"], pa.scalar(sie.header.omfattn, pa.date32())))
    return reconciled(sie, _sum_by_account(rows))


def reconciled(sie: SieFile, movement: dict[str, int]) -> list[Finding]:
    """Findings for the accounts whose balances disagree with ``movement`` (the counted rows' sums)."""
    ktyp = {a.number: a.ktyp for a in sie.accounts}
    ib = {b.account: b for b in sie.balances if b.kind == "IB" and b.year_index == 0}
    ub = {b.account: b for b in sie.balances if b.kind == "UB" and b.year_index == 0}
    res = {b.account: b for b in sie.balances if b.kind == "RES" and b.year_index == 0}
    if not ub and not res:
        return []
    findings = []
    for account in sorted(set(movement) | set(ib) | set(ub) | set(res)):
        moved = movement.get(account, 0)
        if _is_balance_account(account, ktyp.get(account)) or account in ib or account in ub:
            if not ub and not ib:
                continue
            opening = ib[account].amount if account in ib else 0
            closing = ub[account].amount if account in ub else 0
            if opening + moved != closing:
                line = ub[account].line if account in ub else (ib[account].line if account in ib else None)
                findings.append(
                    _finding(
                        Level.WARNING,
                        f"konto {account}: ingående balans {kr(opening)} + årets transaktioner "
                        f"{kr(moved)} = {kr(opening + moved)}, men utgående balans är {kr(closing)}",
                        file=sie.name,
                        line=line,
                        code="ub-ib-transaktioner",
                    )
                )
        elif res:
            result = res[account].amount if account in res else 0
            if moved != result:
                findings.append(
                    _finding(
                        Level.WARNING,
                        f"konto {account}: årets transaktioner {kr(moved)} men årets resultat "
                        f"(#RES) är {kr(result)}",
                        file=sie.name,
                        line=res[account].line if account in res else None,
                        code="res-transaktioner",
                    )
                )
    return findings


def check_dates_in_year(sie: SieFile) -> list[Finding]:
    fy = sie.header.fiscal_year(0)
    t = sie.transactions
    if fy is None or t.num_rows == 0:
        return []
    start = pa.scalar(fy.start, pa.date32())
    end = pa.scalar(fy.end, pa.date32())
    outside = pc.or_(pc.less(t["date"], start), pc.greater(t["date"], end))
    bad = t.filter(outside)
    first = bad.slice(0, SHOWN_DATES)
    shown = list(zip(first["line"].to_pylist(), first["date"].to_pylist(), strict=True))
    return dates_outside(sie.name, fy, shown, bad.num_rows)


# Rows with a date outside the year named one by one; the rest are counted.
SHOWN_DATES = 20


def dates_outside(name: str, fy: FiscalYear, shown: list[tuple[int, dt.date]], count: int) -> list[Finding]:
    """Findings for ``count`` rows dated outside ``fy``, the first of them (line, date) ``shown``."""
    findings = []
    for line, date in shown:
        findings.append(
            _finding(
                Level.WARNING,
                f"datumet {date} ligger utanför räkenskapsåret {fy.start}–{fy.end}",
                file=name,
                line=line,
                code="datum-utanfor-ar",
            )
        )
    if count > SHOWN_DATES:
        findings.append(
            _finding(
                Level.WARNING,
                f"ytterligare {count - SHOWN_DATES} rader har datum utanför räkenskapsåret",
                file=name,
                code="datum-utanfor-ar",
            )
        )
    return findings


# From this many rows on, the compiled pass (bokslut.sie.distinct) finds the distinct values;
# below it Arrow does, so small files never load the compiler.
COMPILED_MIN_ROWS = 200_000


def first_uses(
    t: pa.Table, column: str, *, split: bool = False, compiled: bool | None = None
) -> dict[str, int]:
    """Each distinct value of ``column`` (each object pair of it, with ``split``) and its first line.

    Linear in the rows whatever their shape: hashing, never a comparison of each row
    with each declared value.
    """
    if t.num_rows == 0:
        return {}
    if compiled if compiled is not None else t.num_rows >= COMPILED_MIN_ROWS:
        from bokslut.sie import distinct

        return distinct.as_dict(distinct.first_lines(t[column], t["line"], split=split))
    values = t[column]
    lines = t["line"]
    if split:
        parts = pc.split_pattern(values.combine_chunks(), "|")
        values = pc.list_flatten(parts)
        lines = lines.combine_chunks().take(pc.list_parent_indices(parts))
        # "|" inside an id is escaped: glue such pieces back to the pair they belong to.
        if pc.any(pc.match_substring(values, "\\")).as_py():
            return _first_uses_escaped(t, column)
    firsts = pa.table({"value": values, "line": lines}).group_by("value").aggregate([("line", "min")])
    found = dict(zip(firsts["value"].to_pylist(), firsts["line_min"].to_pylist(), strict=True))
    if split:
        found.pop("", None)  # a row without objects
    return found


def _first_uses_escaped(t: pa.Table, column: str) -> dict[str, int]:
    """As :func:`first_uses` with ``split``, key by key (ids with escaped characters)."""
    firsts = t.select([column, "line"]).group_by(column).aggregate([("line", "min")])
    out: dict[str, int] = {}
    for key, line in zip(firsts[column].to_pylist(), firsts["line_min"].to_pylist(), strict=True):
        for pair in _split_escaped(key):
            if line < out.get(pair, line + 1):
                out[pair] = line
    return out


def _split_escaped(key: str) -> list[str]:
    """The pairs of a canonical key, each still escaped ("1:a\\|b")."""
    pieces: list[str] = []
    current: list[str] = []
    escaped = False
    for ch in key:
        if escaped:
            current.append(ch)
            escaped = False
        elif ch == "\\":
            current.append(ch)
            escaped = True
        elif ch == "|":
            pieces.append("".join(current))
            current = []
        else:
            current.append(ch)
    if key:
        pieces.append("".join(current))
    return pieces


def _undeclared(used: dict[str, int], known: pa.Array) -> dict[str, int]:
    """The entries of ``used`` whose value is not in ``known`` (one hash lookup each)."""
    if not used:
        return {}
    values = pa.array(list(used), pa.string())
    missing = values.filter(pc.invert(pc.is_in(values, value_set=known))).to_pylist()
    return {v: used[v] for v in missing}


def check_declared(sie: SieFile) -> list[Finding]:
    t = sie.transactions
    # Distinct values first, each with its first line (one pass); then what is missing.
    return undeclared(sie, first_uses(t, "account"), first_uses(t, "objects", split=True))


def undeclared(sie: SieFile, accounts: dict[str, int], pairs: dict[str, int] | pa.Table) -> list[Finding]:
    """Findings for what the rows and the balance records use but ``sie`` does not declare.

    ``accounts`` and ``pairs`` are the rows' distinct accounts and object pairs, each with
    its first line (:func:`first_uses`); ``pairs`` may be a table ``value``, ``line``
    (:meth:`bokslut.sie.distinct.FirstLines.table`), which is not turned into Python
    objects: a file may use hundreds of thousands of objects, none declared.
    """
    declared = [a.number for a in sie.accounts if a.name or a.ktyp]
    declared_dims = {d.number for d in sie.dimensions}
    known = pa.array(declared, pa.string())
    first_line = _undeclared(accounts, known)
    known_accounts = set(declared)
    for b in sie.balances:
        if b.account not in known_accounts:
            first_line.setdefault(b.account, b.line)
    periods = period_balance_table(sie.period_balances)
    if periods.num_rows:
        unknown = periods.filter(pc.invert(pc.is_in(periods["account"], value_set=known)))
        firsts = unknown.group_by("account").aggregate([("line", "min")])
        for account, line in zip(firsts["account"].to_pylist(), firsts["line_min"].to_pylist(), strict=True):
            first_line.setdefault(account, line)
    findings = []
    if sie.accounts or sie.sietyp_label != "4I":
        for account in sorted(first_line):
            findings.append(
                _finding(
                    Level.WARNING,
                    f"konto {account} används men deklareras inte med #KONTO",
                    file=sie.name,
                    line=first_line[account],
                    code="odeklarerat-konto",
                )
            )
    if isinstance(pairs, dict):
        pairs = pa.table(
            {"value": pa.array(list(pairs), pa.string()), "line": pa.array(list(pairs.values()), pa.int64())}
        )
    rows_pairs = pairs.select(["value", "line"]).cast(_PAIRS)
    for dim, (items, count) in sorted(
        _undeclared_objects(sie, rows_pairs, _record_pairs(sie, periods)).items()
    ):
        # Reserved dimensions 1–19 need no #DIM (spec §8.4); free ones (20–) do.
        if dim >= 20 and dim not in declared_dims:
            findings.append(
                _finding(
                    Level.WARNING,
                    f"dimension {dim} används men deklareras inte med #DIM",
                    file=sie.name,
                    line=items[0][1],
                    code="odeklarerad-dimension",
                )
            )
        shown = ", ".join(f"'{o}'" for o, _ in items)
        more = f" och {count - len(items)} till" if count > len(items) else ""
        findings.append(
            _finding(
                Level.WARNING,
                f"objekt {shown}{more} i dimension {dim} används men deklareras inte med #OBJEKT",
                file=sie.name,
                line=items[0][1],
                code="odeklarerat-objekt",
            )
        )
    return findings


# Objects named in a finding, per dimension (the rest are counted).
SHOWN_OBJECTS = 5
# A pair the columns can take apart: a plain dimension number, then an id without escapes.
_PLAIN_PAIR = r"^(0|[1-9][0-9]{0,8}):[^\\]*$"


_PAIRS = pa.schema([("value", pa.string()), ("line", pa.int64())])


def _record_pairs(sie: SieFile, periods: pa.Table) -> pa.Table:
    """The object pairs of the balance records (``periods``: the period balances' columns) as
    the rows' pairs are given: each pair once, escaped as in a key, with its first line."""
    pairs = [(dim, obj, b.line) for b in sie.balances for dim, obj in b.objects]
    values: list[str] = pair_keys([p[0] for p in pairs], [p[1] for p in pairs]).to_pylist()
    lines = [p[2] for p in pairs]
    keys = periods.filter(pc.not_equal(periods["objects"], "")).select(["objects", "line"])
    escaped = pc.match_substring(keys["objects"], "\\")
    # Keys with an escaped character (seldom seen) are split one by one: a "|" may be an id's.
    odd = keys.filter(escaped)
    for key, line in zip(odd["objects"].to_pylist(), odd["line"].to_pylist(), strict=True):
        for pair in _split_escaped(key):
            values.append(pair)
            lines.append(line)
    plain = keys.filter(pc.invert(escaped))
    listed = pc.split_pattern(plain["objects"].combine_chunks(), "|")
    parts = [
        pa.table({"value": values, "line": lines}, schema=_PAIRS),
        pa.table(
            {
                "value": pc.list_flatten(listed),
                "line": plain["line"].combine_chunks().take(pc.list_parent_indices(listed)),
            },
            schema=_PAIRS,
        ),
    ]
    return _first_of_each(pa.concat_tables(parts))


def _first_of_each(pairs: pa.Table) -> pa.Table:
    firsts = pairs.group_by("value").aggregate([("line", "min")])
    return pa.table({"value": firsts["value"], "line": firsts["line_min"]}, schema=_PAIRS)


def _known(values: pa.Array, declared: pa.Array) -> pa.Array:
    """Whether each of the distinct ``values`` is among ``declared``. The smaller side is
    hashed: building the hash table costs several times a lookup in it, and a region
    declares hundreds of thousands of objects, a year's rows may use a fraction of them."""
    if len(values) >= len(declared):
        return pc.is_in(values, value_set=declared)
    found = np.zeros(len(values), np.bool_)
    found[pc.index_in(declared, value_set=values).drop_null().to_numpy()] = True
    return pa.array(found)


def _undeclared_objects(sie: SieFile, *used: pa.Table) -> dict[int, tuple[list[tuple[str, int]], int]]:
    """Per dimension: its first undeclared objects (by line, then id) with their lines, and
    how many it has; from tables of the object pairs ``used`` (the rows' and the balance
    records'), each pair once in a table, escaped as in a key, with its first line there."""
    objects = object_table(sie.objects)
    declared = pair_keys(objects["dim"].combine_chunks(), objects["obj"].combine_chunks())
    # Looked up column-wise (a region declares hundreds of thousands of objects: no set of
    # them in Python), then the first line of each one missing.
    missing = _first_of_each(
        pa.concat_tables([t.filter(pc.invert(_known(t["value"].combine_chunks(), declared))) for t in used])
    )
    values = missing["value"]
    if pc.all(pc.match_substring_regex(values, _PLAIN_PAIR)).as_py() is False:
        return _undeclared_objects_one_by_one(missing)
    parts = pc.split_pattern(values, ":", max_splits=1)
    t = pa.table(
        {
            "dim": pc.cast(pc.list_element(parts, 0), pa.int64()),
            "obj": pc.list_element(parts, 1),
            "line": missing["line"],
        }
    ).sort_by([("dim", "ascending"), ("line", "ascending"), ("obj", "ascending")])
    dims = t["dim"].to_numpy()
    out: dict[int, tuple[list[tuple[str, int]], int]] = {}
    if dims.size == 0:
        return out
    starts = np.flatnonzero(np.r_[True, dims[1:] != dims[:-1]])
    for start, stop in zip(starts.tolist(), [*starts[1:].tolist(), dims.size], strict=True):
        first = t.slice(start, min(stop - start, SHOWN_OBJECTS))
        items = list(zip(first["obj"].to_pylist(), first["line"].to_pylist(), strict=True))
        out[int(dims[start])] = (items, stop - start)
    return out


def _undeclared_objects_one_by_one(missing: pa.Table) -> dict[int, tuple[list[tuple[str, int]], int]]:
    """As :func:`_undeclared_objects`, pair by pair: ids with escaped characters."""
    used_objects: dict[tuple[int, str], int] = {}
    for pair, line in zip(missing["value"].to_pylist(), missing["line"].to_pylist(), strict=True):
        if "\\" in pair:
            for dim_obj in split_objects(pair):
                used_objects[dim_obj] = line
        else:
            number, _, obj = pair.partition(":")
            used_objects[(int(number), obj)] = line
    undeclared_by_dim: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for (dim, obj), line in used_objects.items():
        undeclared_by_dim[dim].append((obj, line))
    out = {}
    for dim, items in undeclared_by_dim.items():
        items.sort(key=lambda p: (p[1], p[0]))
        out[dim] = (items[:SHOWN_OBJECTS], len(items))
    return out


# Bokföringslagen 3 kap. 3 §: a fiscal year is at most 18 months (when it is extended).
MAX_FISCAL_YEAR_DAYS = 18 * 31


def check_fiscal_year(sie: SieFile) -> list[Finding]:
    dates = sie.vouchers["date"]
    return fiscal_year_findings(sie, pc.min(dates).as_py() if len(dates) else None)


def fiscal_year_findings(sie: SieFile, first_voucher: dt.date | None) -> list[Finding]:
    """Findings about #RAR 0; ``first_voucher`` is the earliest voucher date (None without vouchers)."""
    fy = sie.header.fiscal_year(0)
    if fy is not None:
        if (fy.end - fy.start).days + 1 > MAX_FISCAL_YEAR_DAYS:
            return [
                _finding(
                    Level.WARNING,
                    f"räkenskapsåret {fy.start}–{fy.end} är längre än de 18 månader "
                    "som bokföringslagen tillåter",
                    file=sie.name,
                    line=fy.line,
                    code="rar-for-langt",
                )
            ]
        return []
    if sie.sietyp_label == "4I" and first_voucher is not None:
        message = (
            "filen saknar #RAR 0 (räkenskapsårets första och sista dag); räkenskapsåret antas vara "
            f"kalenderåret {first_voucher.year}, året för den första verifikationen"
        )
    else:
        message = "filen saknar #RAR 0 (räkenskapsårets första och sista dag), som specifikationen kräver"
    return [_finding(Level.WARNING, message, file=sie.name, code="rar-saknas")]


# Duplicates named one by one; the rest are counted.
_SHOWN_DUPLICATES = 20


# A voucher number as most programs write it: a whole number below 10¹⁵, no leading zero.
PLAIN_NUMBER = r"^(0|[1-9][0-9]{0,14})$"


def _surely_unique(v: pa.Table) -> bool:
    """True when no (series, number) repeats, decided fast for the usual plain numbers."""
    numbers = v["number"]
    if not pc.all(pc.match_substring_regex(numbers, PLAIN_NUMBER)).as_py():
        return False  # other numbering: the exact grouping decides
    series = pc.dictionary_encode(v["series"].combine_chunks())
    if len(series.dictionary) >= 2**13:
        return False
    # One int64 per voucher: series index above bit 50, the number (< 10¹⁵ < 2⁵⁰) below.
    keys = (series.indices.to_numpy().astype(np.int64) << 50) | pc.cast(numbers, pa.int64()).to_numpy()
    keys.sort()
    return not bool((keys[1:] == keys[:-1]).any())


def check_unique_vouchers(sie: SieFile) -> list[Finding]:
    v = sie.vouchers
    if v.num_rows < 2 or _surely_unique(v):
        return []
    numbered = v.select(["series", "number", "line"]).filter(pc.not_equal(v["number"], ""))
    groups = numbered.group_by(["series", "number"]).aggregate([("line", "count"), ("line", "list")])
    twice = groups.filter(pc.greater(groups["line_count"], 1))
    if twice.num_rows == 0:
        return []
    return duplicates(sie.name, [(r["series"], r["number"], r["line_list"]) for r in twice.to_pylist()])


def duplicates(name: str, groups: list[tuple[str, str, list[int]]]) -> list[Finding]:
    """Findings for voucher numbers used more than once: (series, number, lines) each."""
    found = []
    rows = sorted(((s, n, sorted(lines)) for s, n, lines in groups), key=lambda r: r[2][1])
    for series, number, lines in rows[:_SHOWN_DUPLICATES]:
        shown = ", ".join(str(n) for n in lines[:5]) + (" …" if len(lines) > 5 else "")
        found.append(
            _finding(
                Level.WARNING,
                f"verifikationsnumret {voucher_label(series, number)} förekommer "
                f"{len(lines)} gånger (rad {shown})",
                file=name,
                line=lines[1],
                code="dubbelt-verifikationsnummer",
            )
        )
    if len(rows) > _SHOWN_DUPLICATES:
        found.append(
            _finding(
                Level.WARNING,
                f"ytterligare {len(rows) - _SHOWN_DUPLICATES} verifikationsnummer förekommer mer än en gång",
                file=name,
                code="dubbelt-verifikationsnummer",
            )
        )
    return found


CHECKS: Sequence[Check] = (
    check_balanced,
    check_opening_vs_previous_closing,
    check_balances_reconcile,
    check_dates_in_year,
    check_declared,
    check_fiscal_year,
    check_unique_vouchers,
)


def validate(sie: SieFile, checks: Sequence[Check] = CHECKS) -> list[Finding]:
    """All checks' findings for ``sie`` (the reader's own findings not included)."""
    findings: list[Finding] = []
    for check in checks:
        findings.extend(check(sie))
    return findings
