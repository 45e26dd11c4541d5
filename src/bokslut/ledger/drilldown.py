"""Drill-down queries: the vouchers and rows behind an amount, each with its file and line.

A :class:`Selection` names ledger rows the way the statements count them (a fiscal
year's files, rows dated up to a day, accounts, an object restriction, debit or
credit only). :func:`voucher_page` pages through one account's vouchers in date
order and sums *all* matching rows in SQL, so a page of 50 vouchers still carries
the total it belongs to; :func:`voucher_rows` gives every row of one voucher;
:func:`opening_records` and :func:`budget_records` the #IB/#UB and #PBUDGET lines.

On a large ledger the rows files (kept in voucher order, without statistics) must be
scanned whole for one account. So the first drill-down into a fiscal year writes its
drill-down index beside them, ``.bokslut/drill/``: the year's rows as memory-mapped arrays
in voucher and in account order (:mod:`bokslut.ledger.drill_arrays`), which every query
here reads without SQL. Where they cannot be written exactly (object ids the SQL conditions
would split differently) each ledger file gets DuckDB's index instead: the rows sorted by
account and date, and rows and vouchers in voucher order, in small row groups with min/max
statistics, which DuckDB uses to read only the row groups an account or a voucher lives in.
Both are caches like the rest of ``.bokslut/``: written atomically, named by the ledger
files' ids and digests, rebuilt when missing, and when neither can be written (a read-only
workspace) the queries read the store's views instead.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import cast

import duckdb
import numpy as np
import numpy.typing as npt

from bokslut.ledger import drill_arrays, texts
from bokslut.ledger.drill_arrays import YearArrays
from bokslut.ledger.rowfiles import rows_file
from bokslut.ledger.store import Store

PAGE_SIZE = 50


@dataclass(frozen=True, slots=True)
class Place:
    """Where a record is written: a workspace-relative file and its line (or cell)."""

    file: str
    line: int | None = None
    cell: str | None = None

    def text(self) -> str:
        if self.line is not None:
            return f"{self.file}:{self.line}"
        if self.cell is not None:
            return f"{self.file} ({self.cell})"
        return self.file


@dataclass(frozen=True, slots=True)
class Selection:
    """Ledger rows as a statement counts them.

    ``fiscal_year``: the rows of that year's files, dated up to ``to`` (the statements
    count a fiscal year's file up to the report's cut). ``objects``: canonical
    ``dim:obj`` pairs; a row carries, of every dimension named, one of that dimension's
    pairs (a nämnd's row names each of its ansvar: any of them). ``no_object_in``: a
    dimension the row must not carry (the driftredovisning's "ej fördelat"). ``flows``:
    "net", "debit" or "credit". ``sign`` turns the ledger's sign into the report's.
    """

    fiscal_year: int
    to: dt.date
    accounts: tuple[str, ...] = ()
    objects: tuple[str, ...] = ()
    no_object_in: int | None = None
    flows: str = "net"
    sign: int = 1
    exclude_objects: tuple[str, ...] = ()  # pairs whose rows do not count (internal counterparts)

    def with_accounts(self, accounts: Sequence[str]) -> Selection:
        return replace(self, accounts=tuple(accounts))


@dataclass(frozen=True, slots=True)
class RowEntry:
    """One #TRANS (or #RTRANS/#BTRANS) row: amount in öre, ledger sign."""

    account: str
    objects: str
    amount: int
    text: str
    kind: str
    place: Place
    counted: bool = True  # whether the row belongs to the selection's amount


@dataclass(frozen=True, slots=True)
class VoucherEntry:
    voucher_id: int
    series: str
    number: str
    date: dt.date
    text: str
    place: Place
    amount: int  # öre, report sign: the selection's rows of this voucher
    rows: tuple[RowEntry, ...] = ()


@dataclass(frozen=True, slots=True)
class VoucherPage:
    """One page of an account's vouchers, with totals over all of them (öre, report sign)."""

    account: str
    total: int  # all rows of the account in the selection, not only this page's
    row_count: int
    offset: int
    limit: int
    has_more: bool  # whether vouchers follow this page
    vouchers: tuple[VoucherEntry, ...] = field(default_factory=tuple)
    voucher_count: int = 0  # vouchers of all the rows (as count_vouchers), from the same scan

    @property
    def page_total(self) -> int:
        return sum(v.amount for v in self.vouchers)


@dataclass(frozen=True, slots=True)
class BalanceRecord:
    """An #IB/#UB/#RES/#PBUDGET line of a ledger file: öre, ledger sign."""

    kind: str
    account: str
    objects: str
    amount: int
    place: Place
    period: int | None = None


# --------------------------------------------------------------------- the index


def drill_dir(store: Store) -> Path:
    return store.layout.cache / "drill"


def _index_path(store: Store, file_id: int, digest: str) -> Path:
    return drill_dir(store) / f"file-{file_id}-{digest[:16]}.duckdb"


def _quoted(path: Path) -> str:
    return "'" + str(path.resolve()).replace("'", "''") + "'"


_HEADS = "v.series AS v_series, v.number AS v_number, v.date AS v_date, v.text AS v_text, v.line AS v_line"


def _index_sql(rows: str, vouchers: str) -> list[str]:
    """The drill-down index of one ledger file from its rows and vouchers files."""
    narrow = "file_id, voucher_id, row_no, kind, account, amount, date, objects"
    return [
        f"CREATE TABLE vouchers AS SELECT file_id, voucher_id, series, number, date, text, line "
        f"FROM read_parquet({vouchers}) ORDER BY voucher_id",
        "CREATE INDEX vouchers_voucher_id ON vouchers (voucher_id)",
        # Every row with its voucher's head: one lookup gives a page or a voucher.
        f"CREATE TABLE rows AS SELECT t.file_id, t.voucher_id, t.row_no, t.kind, t.account, t.amount, "
        f"t.date, t.text, t.objects, t.line, t.text_at, t.text_len, {_HEADS} FROM read_parquet({rows}) t "
        "LEFT JOIN vouchers v USING (voucher_id) ORDER BY t.voucher_id, t.row_no",
        "CREATE INDEX rows_voucher_id ON rows (voucher_id)",
        # An account's rows, and an object's rows of an account, next to each other in date
        # order: zone maps skip the row groups of every other account or object.
        f"CREATE TABLE byaccount AS SELECT {narrow} FROM read_parquet({rows}) "
        "ORDER BY account, date, voucher_id, row_no",
        # With the rows' texts and voucher heads: a page of an object's vouchers is read from
        # the object's few row groups (looking rows up by voucher id would scan the whole year).
        "CREATE TABLE byobject AS SELECT pair, * FROM (SELECT *, unnest(string_split(objects, '|')) "
        "AS pair FROM rows WHERE objects <> '') ORDER BY pair, account, date, voucher_id, row_no",
    ]


def ensure_index(store: Store, file_id: int, digest: str) -> bool:
    """Write the drill-down index of one ledger file if it is missing; False if it cannot be."""
    path = _index_path(store, file_id, digest)
    if path.is_file():
        return True
    # Per process and thread: a server's background build and a page may both be writing it.
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.unlink(missing_ok=True)
        with duckdb.connect(str(tmp)) as con:
            # Within a laptop's memory, as the import: the sorts spill beyond it.
            con.execute("SET memory_limit = '768MB'")
            rows = _quoted(rows_file(store.layout, file_id, digest, "rows"))
            vouchers = _quoted(rows_file(store.layout, file_id, digest, "vouchers"))
            for sql in _index_sql(rows, vouchers):
                con.execute(sql)
            con.execute("CHECKPOINT")
        os.replace(tmp, path)
    except (OSError, duckdb.Error):
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        return False
    finally:
        # DuckDB's write-ahead log and spill folder beside the file being written.
        with contextlib.suppress(OSError):
            tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)
        shutil.rmtree(tmp.with_name(tmp.name + ".tmp"), ignore_errors=True)
    _forget_stale(store)
    return True


def _forget_stale(store: Store) -> None:
    """Remove index files of ledger files this store no longer holds (a replaced year)."""
    current = {
        _index_path(store, int(f), str(h)).name
        for f, h in store.con.execute("SELECT file_id, digest FROM source_file").fetchall()
    }
    folder = drill_dir(store)
    for p in folder.iterdir() if folder.is_dir() else ():
        if p.name.startswith("file-") and p.name not in current:
            with contextlib.suppress(OSError):
                p.unlink()


def _alias(file_id: int, digest: str) -> str:
    return f"drill_{file_id}_{digest[:16]}"


def _attach(store: Store, file_id: int, digest: str, build: bool) -> bool:
    """Attach the file's drill-down index to the store's connection, first writing it if needed
    and ``build`` says so."""
    if not (ensure_index(store, file_id, digest) if build else _index_path(store, file_id, digest).is_file()):
        return False
    try:
        store.con.execute(
            f"ATTACH {_quoted(_index_path(store, file_id, digest))} AS {_alias(file_id, digest)} (READ_ONLY)"
        )
    except duckdb.Error:
        return False
    return True


def _tables(store: Store, year: int, build: bool | None = None) -> dict[str, str | None]:
    """FROM clauses for the year's "byaccount", "byobject", "rows" (with the voucher heads) and
    "vouchers": the drill-down index, or without one (it could not be written) the store's
    views, and None for "byobject", which only the index has.

    Kept on the store once the index is attached: a generation's files never change, and
    asking DuckDB again cost a page several milliseconds. A missing index is written first when
    ``build`` (by default the store's ``drill_build``) says so; else, until another thread or
    process has written it, the views answer (a server writes it in the background)."""
    known = store.drill_tables.get(year)
    if known is not None:
        return known
    files = store.con.execute(
        "SELECT f.file_id, f.digest, d.database_name IS NOT NULL FROM source_file f LEFT JOIN "
        "duckdb_databases() d ON d.database_name = 'drill_' || f.file_id || '_' || left(f.digest, 16) "
        "WHERE f.fiscal_year = ? ORDER BY f.file_id",
        [year],
    ).fetchall()
    build = store.drill_build if build is None else build
    indexed = bool(files) and all(bool(on) or _attach(store, int(f), str(h), build) for f, h, on in files)
    names = ("byaccount", "byobject", "rows", "vouchers")
    if indexed:
        aliases = [_alias(int(f), str(h)) for f, h, _ in files]
        if len(aliases) == 1:
            found: dict[str, str | None] = {t: f"{aliases[0]}.{t}" for t in names}
        else:
            found = {
                t: "(" + " UNION ALL ".join(f"SELECT * FROM {a}.{t}" for a in aliases) + ")" for t in names
            }
        store.drill_tables[year] = found
        return found
    ids = ", ".join(str(int(f)) for f, _, _ in files) or "NULL"
    return {
        "byaccount": f'(SELECT * FROM "transaction" WHERE file_id IN ({ids}))',
        "byobject": None,
        "rows": f'(SELECT t.*, {_HEADS} FROM "transaction" t LEFT JOIN "voucher" v USING (voucher_id) '
        f"WHERE t.file_id IN ({ids}))",
        "vouchers": f'(SELECT * FROM "voucher" WHERE file_id IN ({ids}))',
    }


def _source(store: Store, year: int, table: str) -> str:
    src = _tables(store, year)[table]
    assert src is not None
    return src


def prepare(store: Store, year: int) -> None:
    """Write the drill-down index of a year now (a server does it at start): the year's arrays,
    or where they cannot be written, DuckDB's index of each of its ledger files."""
    if _write_arrays(store, year):
        return
    _tables(store, year, build=True)


def _write_arrays(store: Store, year: int) -> bool:
    if drill_arrays.write(store, drill_dir(store), year, _files(store, year)):
        drill_arrays.remove_stale(drill_dir(store), drill_arrays.current_names(store))
        # DuckDB's index of the year's files, written before the arrays could be, is not read
        # again (a connection that has it open keeps reading it after the unlink).
        for f, h in _files(store, year):
            with contextlib.suppress(OSError):
                _index_path(store, f, h).unlink(missing_ok=True)
        _forget_stale(store)
        return True
    return False


def _files(store: Store, year: int) -> list[tuple[int, str]]:
    """The year's ledger files (id, digest): fixed for an open store."""
    key = ("files", year)
    found = store.drill_memo.get(key)
    if isinstance(found, list):
        return found
    files = drill_arrays.files_of(store, year)
    store.drill_memo[key] = files
    return files


def _arrays(store: Store, year: int) -> YearArrays | None:
    """The year's arrays once written (looked for again on each query until they are).

    A store that may write the index (``drill_build``) writes them on the first query, once;
    where they cannot be written, the queries read DuckDB's index or the views."""
    key = ("arrays", year)
    found = store.drill_memo.get(key)
    if isinstance(found, YearArrays):
        return found
    files = _files(store, year)
    if not files:
        return None
    arrays = drill_arrays.load(drill_dir(store), year, files)
    if arrays is None and store.drill_build and ("no arrays", year) not in store.drill_memo:
        store.drill_memo[("no arrays", year)] = True
        if _write_arrays(store, year):
            arrays = drill_arrays.load(drill_dir(store), year, files)
    if arrays is not None:
        store.drill_memo[key] = arrays
    return arrays


# --------------------------------------------------------------------- conditions


def pairs_by_dimension(pairs: Sequence[str]) -> dict[int, tuple[str, ...]]:
    """A selection's ``dim:obj`` pairs by dimension, in their order: a row must match one pair
    of each dimension."""
    out: dict[int, list[str]] = {}
    for pair in pairs:
        out.setdefault(int(pair.partition(":")[0]), []).append(pair)
    return {dim: tuple(group) for dim, group in out.items()}


def _pair_sql(pair: str) -> tuple[str, list[object]]:
    return (
        "(objects = ? OR starts_with(objects, ? || '|') OR contains(objects, '|' || ? || '|') "
        "OR ends_with(objects, '|' || ?))",
        [pair, pair, pair, pair],
    )


def _hashable(params: list[object]) -> tuple[object, ...]:
    """Query parameters as a memo key (a list of pairs as a tuple)."""
    return tuple(tuple(p) if isinstance(p, list) else p for p in params)


def _conditions(sel: Selection, account: str | None) -> tuple[str, list[object]]:
    clauses = ["kind = 'TRANS'", "date <= ?"]
    params: list[object] = [sel.to]
    if account is not None:
        clauses.append("account = ?")
        params.append(account)
    for group in pairs_by_dimension(sel.objects).values():
        if len(group) > 1 and not any("\\" in pair for pair in group):
            # One of many (a nämnd's ansvar): the row's pairs against the list, not a clause each.
            clauses.append("list_has_any(string_split(objects, '|'), ?::VARCHAR[])")
            params.append(list(group))
            continue
        alternatives = [_pair_sql(pair) for pair in group]
        clauses.append("(" + " OR ".join(c for c, _ in alternatives) + ")")
        params.extend(p for _, ps in alternatives for p in ps)
    if sel.no_object_in is not None:
        d = f"{int(sel.no_object_in)}:"
        clauses.append("NOT (starts_with(objects, ?) OR contains(objects, '|' || ?))")
        params.extend([d, d])
    for pair in sel.exclude_objects:
        c, p = _pair_sql(pair)
        clauses.append(f"NOT {c}")
        params.extend(p)
    if sel.flows == "debit":
        clauses.append("amount > 0")
    elif sel.flows == "credit":
        clauses.append("amount < 0")
    return " AND ".join(clauses), params


def _paths(store: Store) -> dict[int, str]:
    """The ledger files' workspace-relative paths by id (fixed for an open store)."""
    found = store.drill_memo.get("paths")
    if isinstance(found, dict):
        return found
    paths = {int(f): str(p) for f, p in store.con.execute("SELECT file_id, path FROM source_file").fetchall()}
    store.drill_memo["paths"] = paths
    return paths


# --------------------------------------------------------------------- queries


# Results kept per open store (one generation of the ledger), of each kind: the largest is a
# listing, 8 bytes a voucher.
_KEPT = 32
_KEPT_POSITIONS = 8


def _listing(store: Store, src: str, where: str, params: list[object]) -> npt.NDArray[np.int64]:
    """Every voucher of the rows ``where`` selects, ordered by first date and id."""
    key = ("listing", src, where, _hashable(params))
    found = store.drill_memo.get(key)
    if isinstance(found, np.ndarray):
        return found
    got = store.con.execute(
        f"SELECT voucher_id, min(date) AS first FROM {src} WHERE {where} "
        "GROUP BY voucher_id ORDER BY first, voucher_id",
        params,
    ).fetchnumpy()
    ids = np.asarray(got["voucher_id"], dtype=np.int64)
    _keep(store, key, ids)
    return ids


def voucher_page(
    store: Store,
    sel: Selection,
    account: str,
    *,
    offset: int = 0,
    limit: int = PAGE_SIZE,
) -> VoucherPage:
    """One account's vouchers in the selection, in date order, and the totals of all its rows.

    The totals are counted once per open store (a later page reuses them); a page finds its
    vouchers from the start of the account's sorted rows and reads their rows from the few row
    groups they lie in: on a large ledger two or three queries instead of four."""
    arrays = _arrays(store, sel.fiscal_year)
    if arrays is not None:
        return _arrays_page(store, arrays, sel, account, offset, limit)
    where, params = _conditions(sel, account)
    tables = _tables(store, sel.fiscal_year)
    src = tables["byaccount"]
    assert src is not None
    scan_where, scan_params = where, params
    # The "byobject" table splits object lists at every "|", also at an escaped one inside an id;
    # it holds a row once per pair, so it serves a selection of one pair of its dimension only.
    single = sel.objects and len(pairs_by_dimension(sel.objects)[int(sel.objects[0].partition(":")[0])]) == 1
    by_object = tables["byobject"] if single and "\\" not in sel.objects[0] else None
    if by_object is not None:
        src, scan_where, scan_params = by_object, f"pair = ? AND {where}", [sel.objects[0], *params]
    total, row_count, voucher_count = _totals(store, src, scan_where, scan_params)
    ids = _page_ids(store, src, scan_where, scan_params, offset, limit)
    has_more = offset + limit < voucher_count
    by_voucher: dict[int, list[RowEntry]] = {i: [] for i in ids}
    heads: dict[int, tuple[str, str, dt.date, str, Place]] = {}
    if ids:
        listed = ", ".join(str(i) for i in ids)
        paths = _paths(store)
        rows_src, rows_where, rows_params = tables["rows"], where, params
        if by_object is not None:
            rows_src, rows_where, rows_params = by_object, scan_where, scan_params
        # The range lets the scan skip, by their min/max, the row groups of other vouchers.
        found = store.con.execute(
            f"SELECT voucher_id, file_id, account, objects, amount, kind, line, "
            f"v_series, v_number, v_date, v_text, v_line, {_TEXT} FROM {rows_src} "
            f"WHERE voucher_id BETWEEN {min(ids)} AND {max(ids)} AND voucher_id IN ({listed}) "
            f"AND {rows_where} ORDER BY voucher_id, row_no",
            rows_params,
        ).fetchall()
        shown = _row_texts(store, [(int(r[1]), *r[-3:]) for r in found])
        for (vid, fid, acc, objs, amount, kind, line, series, number, date, vtext, vline, *_), text in zip(
            found, shown, strict=True
        ):
            path = paths[int(fid)]
            by_voucher[int(vid)].append(
                RowEntry(str(acc), str(objs), int(amount), text, str(kind), Place(path, int(line)))
            )
            heads[int(vid)] = (str(series), str(number), date, str(vtext), Place(path, int(vline)))
    vouchers = tuple(
        VoucherEntry(vid, *heads[vid], amount=sel.sign * sum(r.amount for r in rows), rows=tuple(rows))
        for vid, rows in by_voucher.items()
    )
    return VoucherPage(
        account,
        sel.sign * total,
        row_count,
        offset,
        limit,
        has_more,
        vouchers,
        voucher_count,
    )


def _selected(
    a: YearArrays,
    sel: Selection,
    date: npt.NDArray[np.int32],
    objects: npt.NDArray[np.int32],
    amount: npt.NDArray[np.int64],
) -> npt.NDArray[np.bool_]:
    """Which of the #TRANS rows given by their columns :func:`_conditions` selects."""
    mask: npt.NDArray[np.bool_] = date <= sel.to.toordinal() - _EPOCH
    for dim, group in pairs_by_dimension(sel.objects).items():
        known = [found[1] for found in map(a.tokens.get, group) if found is not None]
        if not known:  # no row carries any of them
            return np.zeros(len(date), np.bool_)
        carried = a.object_dims[dim][objects]
        mask &= carried == known[0] if len(known) == 1 else np.isin(carried, known)
    if sel.no_object_in is not None:
        codes = a.object_dims.get(int(sel.no_object_in))
        if codes is not None:
            mask &= codes[objects] < 0
    for pair in sel.exclude_objects:
        found = a.tokens.get(pair)
        if found is not None:
            mask &= a.object_dims[found[0]][objects] != found[1]
    if sel.flows == "debit":
        mask &= amount > 0
    elif sel.flows == "credit":
        mask &= amount < 0
    return mask


_EPOCH = dt.date(1970, 1, 1).toordinal()


def _arrays_selection(
    store: Store, a: YearArrays, sel: Selection, account: str
) -> tuple[tuple[object, ...], npt.NDArray[np.int64] | slice, npt.NDArray[np.int32], tuple[int, int, int]]:
    """The account's rows in the selection (their positions in the account order, a slice when
    they are all of the account's rows up to the day, and their vouchers) and their totals:
    sum (öre, ledger sign), rows and vouchers."""
    key = (
        "arrays",
        sel.fiscal_year,
        sel.to,
        sel.objects,
        sel.no_object_in,
        sel.flows,
        sel.exclude_objects,
        account,
    )
    kept = store.drill_memo.get(("positions", *key))
    if isinstance(kept, tuple):
        pos, vix = kept
    else:
        lo, hi = a.accounts.get(account, (0, 0))
        # An account's rows are in date order: the day cuts them.
        hi = lo + int(np.searchsorted(a.a_date[lo:hi], sel.to.toordinal() - _EPOCH, side="right"))
        if sel.objects or sel.no_object_in is not None or sel.exclude_objects or sel.flows != "net":
            mask = _selected(a, sel, a.a_date[lo:hi], a.a_objects[lo:hi], a.a_amount[lo:hi])
            pos = np.flatnonzero(mask) + lo
        else:
            pos = slice(lo, hi)  # the account's vouchers are a view of the mapping: nothing copied
        vix = a.a_voucher[pos]
        # The account's next page masks nothing again (up to 12 bytes a row, a few kept).
        _keep(store, ("positions", *key), (pos, vix), _KEPT_POSITIONS)
    found = store.drill_memo.get(("totals", *key))
    if isinstance(found, tuple):
        totals = cast(tuple[int, int, int], found)
    else:
        seen = np.zeros(len(a.v_id), np.bool_)
        seen[vix] = True
        totals = (int(a.a_amount[pos].sum()), len(vix), int(np.count_nonzero(seen)))
        _keep(store, ("totals", *key), totals)
    return key, pos, vix, totals


def _arrays_page(
    store: Store, a: YearArrays, sel: Selection, account: str, offset: int, limit: int
) -> VoucherPage:
    """:func:`voucher_page` from the year's arrays: the same page, without a query."""
    key, pos, vix, (total, row_count, voucher_count) = _arrays_selection(store, a, sel, account)
    ids = _first_seen(store, ("listing", *key), vix, offset, limit)
    on_page = np.zeros(len(a.v_id), np.bool_)
    on_page[ids] = True
    on = on_page[vix]
    take = np.flatnonzero(on) + pos.start if isinstance(pos, slice) else pos[on]
    # In the voucher order: each voucher's rows together, by row number. Read from the account
    # order (the page's rows lie near each other there), but for the texts.
    take = take[np.argsort(a.a_row[take], kind="stable")]
    paths = _paths(store)
    rows: dict[int, list[RowEntry]] = {i: [] for i in ids}
    for r, v, amount, line, obj in zip(
        a.a_row[take].tolist(),
        a.a_voucher[take].tolist(),
        a.a_amount[take].tolist(),
        a.a_line[take].tolist(),
        a.a_objects[take].tolist(),
        strict=True,
    ):
        place = Place(paths[int(a.v_file_id[v])], line)
        rows[v].append(RowEntry(account, a.object_lists[obj], amount, a.r_text[r], "TRANS", place))
    vouchers = tuple(
        _arrays_head(a, paths, i, sel.sign * sum(r.amount for r in rows[i]), rows[i]) for i in ids
    )
    has_more = offset + limit < voucher_count
    return VoucherPage(account, sel.sign * total, row_count, offset, limit, has_more, vouchers, voucher_count)


def _arrays_head(
    a: YearArrays, paths: dict[int, str], i: int, amount: int, rows: Sequence[RowEntry]
) -> VoucherEntry:
    return VoucherEntry(
        int(a.v_id[i]),
        a.v_series[i],
        a.v_number[i],
        a.day(int(a.v_date[i])),
        a.v_text[i],
        Place(paths[int(a.v_file_id[i])], int(a.v_line[i])),
        amount=amount,
        rows=tuple(rows),
    )


def _arrays_voucher(
    store: Store, a: YearArrays, voucher_id: int, sel: Selection | None
) -> VoucherEntry | None:
    """:func:`voucher_rows` from the year's arrays."""
    i = a.voucher_index(voucher_id)
    if i is None:
        return None
    lo, hi = (int(x) for x in a.v_rows[i : i + 2])
    if sel is None:
        inside = np.zeros(hi - lo, np.bool_)
    else:
        inside = _selected(a, sel, a.r_date[lo:hi], a.r_objects[lo:hi], a.r_amount[lo:hi])
        inside &= a.r_kind[lo:hi] == a.kinds.index("TRANS")
    accounts = sel.accounts if sel is not None else ()
    paths = _paths(store)
    place = paths[int(a.v_file_id[i])]
    rows = []
    for r, kind, acc, obj, amount, line, counted in zip(
        range(lo, hi),
        a.r_kind[lo:hi].tolist(),
        a.r_account[lo:hi].tolist(),
        a.r_objects[lo:hi].tolist(),
        a.r_amount[lo:hi].tolist(),
        a.r_line[lo:hi].tolist(),
        inside.tolist(),
        strict=True,
    ):
        account = a.account_names[acc]
        counted = counted and (not accounts or account in accounts)
        rows.append(
            RowEntry(
                account, a.object_lists[obj], amount, a.r_text[r], a.kinds[kind], Place(place, line), counted
            )
        )
    sign = sel.sign if sel is not None else 1
    return _arrays_head(a, paths, i, sign * sum(r.amount for r in rows if r.counted), rows)


def _first_seen(
    store: Store, key: tuple[object, ...], vix: npt.NDArray[np.int32], offset: int, limit: int
) -> list[int]:
    """Vouchers ``offset`` to ``offset + limit`` in the order they first turn up in ``vix`` (rows
    in date order: by their first date), from the first rows near the start, else from a listing
    of all of them kept for later pages."""
    want = (offset + limit) * 4
    while want <= _TOP_ROWS:
        seen = list(dict.fromkeys(vix[:want].tolist()))
        if len(seen) >= offset + limit or want >= len(vix):
            return seen[offset : offset + limit]
        want *= 4
    listing = store.drill_memo.get(key)
    if not isinstance(listing, np.ndarray):
        _, first = np.unique(vix, return_index=True)
        listing = vix[np.sort(first)]
        _keep(store, key, listing)
    return [int(i) for i in listing[offset : offset + limit]]


def _totals(store: Store, src: str, where: str, params: list[object]) -> tuple[int, int, int]:
    """Sum (öre, ledger sign), rows and vouchers of the rows ``where`` selects; kept per open store,
    so an account's later pages and a second visit skip the scan."""
    key = ("totals", src, where, _hashable(params))
    found = store.drill_memo.get(key)
    if isinstance(found, tuple):
        return cast(tuple[int, int, int], found)
    total, n_rows, n_vouchers = store.con.execute(
        f"SELECT coalesce(sum(amount), 0)::BIGINT, count(*), count(DISTINCT voucher_id) FROM {src} "
        f"WHERE {where}",
        params,
    ).fetchone() or (0, 0, 0)
    totals = (int(total), int(n_rows), int(n_vouchers))
    _keep(store, key, totals)
    return totals


def _keep(store: Store, key: tuple[object, ...], value: object, kept: int = _KEPT) -> None:
    memo = store.drill_memo
    kind = [k for k in memo if isinstance(k, tuple) and k[:1] == key[:1]]
    for old in kind[: max(0, len(kind) - kept + 1)]:
        del memo[old]
    memo[key] = value


# Rows read from the start of the account's (date, voucher) order, beyond which a page's ids
# come from one grouping of all its rows instead (kept: later pages are slices of it).
_TOP_ROWS = 20_000


def _page_ids(store: Store, src: str, where: str, params: list[object], offset: int, limit: int) -> list[int]:
    """Ids of ``limit`` vouchers from ``offset`` on, ordered by their first date and id.

    In the rows' order (date, voucher, row) a voucher first turns up at its first date, so the
    first vouchers to turn up are the first ones in page order: near the start a top-N over
    narrow columns (which reads only the first row groups of a sorted index) finds them."""
    want = (offset + limit) * 4
    while want <= _TOP_ROWS:
        rows = store.con.execute(
            f"SELECT voucher_id FROM {src} WHERE {where} ORDER BY date, voucher_id, row_no LIMIT ?",
            [*params, want],
        ).fetchall()
        ids = list(dict.fromkeys(int(r[0]) for r in rows))
        if len(ids) >= offset + limit or len(rows) < want:
            return ids[offset : offset + limit]
        want *= 4
    return [int(i) for i in _listing(store, src, where, params)[offset : offset + limit]]


def count_vouchers(store: Store, sel: Selection, account: str) -> int:
    """How many vouchers the account's rows in the selection belong to (a page says only if more follow)."""
    arrays = _arrays(store, sel.fiscal_year)
    if arrays is not None:
        return _arrays_selection(store, arrays, sel, account)[3][2]
    where, params = _conditions(sel, account)
    src = _source(store, sel.fiscal_year, "byaccount")
    row = store.con.execute(f"SELECT count(DISTINCT voucher_id) FROM {src} WHERE {where}", params).fetchone()
    return int(row[0]) if row else 0


# A row's text as the queries read it: in the row, or where it stands in its ledger file.
_TEXT = "text, text_at, text_len"


def _row_texts(store: Store, found: Sequence[tuple[int, str | None, int | None, int | None]]) -> list[str]:
    """Each row's text ("" for none) from its file id and :data:`_TEXT`."""
    return [text or "" for text in texts.row_texts(_ledger_files(store), found)]


def _ledger_files(store: Store) -> dict[int, texts.LedgerFile]:
    """The store's ledger files (fixed for an open store)."""
    found = store.drill_memo.get("ledger_files")
    if not isinstance(found, dict):
        found = texts.ledger_files(store.con, store.layout.root)
        store.drill_memo["ledger_files"] = found
    return found


def _voucher_heads(
    store: Store, year: int, ids: list[int]
) -> dict[int, tuple[str, str, dt.date, str, Place]]:
    if not ids:
        return {}
    src = _source(store, year, "vouchers")
    listed = ", ".join(str(int(i)) for i in ids)
    paths = _paths(store)
    out = {}
    for vid, fid, series, number, date, text, line in store.con.execute(
        f"SELECT voucher_id, file_id, series, number, date, text, line FROM {src} "
        f"WHERE voucher_id IN ({listed})"
    ).fetchall():
        out[int(vid)] = (str(series), str(number), date, str(text), Place(paths[int(fid)], int(line)))
    return out


def find_voucher(store: Store, year: int, series: str, number: str) -> int | None:
    """The id of voucher ``series number`` of a fiscal year, if there is one."""
    arrays = _arrays(store, year)
    if arrays is not None:
        i = arrays.find(series, number)
        return int(arrays.v_id[i]) if i is not None else None
    src = _source(store, year, "vouchers")
    row = store.con.execute(
        f"SELECT voucher_id FROM {src} WHERE series = ? AND number = ? ORDER BY voucher_id LIMIT 1",
        [series, number],
    ).fetchone()
    return int(row[0]) if row else None


def voucher_rows(
    store: Store, year: int, voucher_id: int, sel: Selection | None = None
) -> VoucherEntry | None:
    """Every row of one voucher; with ``sel``, rows outside it are marked not counted."""
    arrays = _arrays(store, year)
    if arrays is not None:
        return _arrays_voucher(store, arrays, voucher_id, sel)
    src = _source(store, year, "rows")
    cond, params = ("FALSE", []) if sel is None else _conditions(sel.with_accounts(()), None)
    accounts = sel.accounts if sel is not None else ()
    paths = _paths(store)
    rows = []
    head: tuple[str, str, dt.date, str, Place] | None = None
    found = store.con.execute(
        f"SELECT file_id, account, objects, amount, kind, line, ({cond}), "
        f"v_series, v_number, v_date, v_text, v_line, {_TEXT} FROM {src} "
        "WHERE voucher_id = ? ORDER BY row_no",
        [*params, voucher_id],
    ).fetchall()
    shown = _row_texts(store, [(int(r[0]), *r[-3:]) for r in found])
    for (fid, acc, objs, amount, kind, line, inside, series, number, date, vtext, vline, *_), text in zip(
        found, shown, strict=True
    ):
        path = paths[int(fid)]
        head = (str(series), str(number), date, str(vtext), Place(path, int(vline)))
        counted = bool(inside) and (not accounts or str(acc) in accounts)
        rows.append(
            RowEntry(str(acc), str(objs), int(amount), text, str(kind), Place(path, int(line)), counted)
        )
    if head is None:  # a voucher without rows
        head = _voucher_heads(store, year, [voucher_id]).get(voucher_id)
        if head is None:
            return None
    sign = sel.sign if sel is not None else 1
    return VoucherEntry(
        voucher_id, *head, amount=sign * sum(r.amount for r in rows if r.counted), rows=tuple(rows)
    )


def opening_records(store: Store, year: int, accounts: Sequence[str]) -> list[BalanceRecord]:
    """The #IB 0 lines a fiscal year's opening balances come from, as the statements pick them.

    Per account the record of the highest year index wins (a file's own year over an older
    year restated in a newer file), the newest file breaking ties; a year without any #IB
    opens with the #UB of the year before.
    """
    if not accounts:
        return []
    # Kept per open store: a balance figure's page asks on every visit, and the window over
    # the year's balances cost a page tens of milliseconds.
    key = ("opening", year, tuple(accounts))
    found = store.drill_memo.get(key)
    if isinstance(found, tuple):
        return list(cast(tuple[BalanceRecord, ...], found))
    con = store.con
    has_ib = con.execute(
        "SELECT count(*) FROM balance WHERE fiscal_year = ? AND kind = 'IB' AND objects = ''", [year]
    ).fetchone()
    kind, fy = ("IB", year) if has_ib and has_ib[0] else ("UB", year - 1)
    rows = con.execute(
        """
        SELECT b.account, b.amount, b.line, f.path FROM (
            SELECT *, row_number() OVER (PARTITION BY account
                                         ORDER BY year_index DESC, file_id DESC) AS rn
            FROM balance WHERE fiscal_year = ? AND kind = ? AND objects = ''
                AND list_contains(?, account)
        ) b JOIN source_file f USING (file_id) WHERE rn = 1 ORDER BY b.account
        """,
        [fy, kind, list(accounts)],
    ).fetchall()
    records = tuple(
        BalanceRecord(kind, str(a), "", int(amount), Place(str(p), int(line))) for a, amount, line, p in rows
    )
    _keep(store, key, records)
    return list(records)


def budget_records(store: Store, year: int, account: str, objects: str) -> list[BalanceRecord]:
    """The #PBUDGET lines behind a budget amount of one account and object key."""
    rows = store.con.execute(
        "SELECT p.period, p.amount, p.line, f.path FROM period_balance p JOIN source_file f USING (file_id) "
        "WHERE p.kind = 'PBUDGET' AND p.fiscal_year = ? AND p.account = ? AND p.objects = ? "
        "ORDER BY p.period, p.file_id, p.line",
        [year, account, objects],
    ).fetchall()
    return [
        BalanceRecord("PBUDGET", account, objects, int(a), Place(str(path), int(line)), int(period))
        for period, a, line, path in rows
    ]
