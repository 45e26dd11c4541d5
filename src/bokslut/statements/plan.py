"""Budget and forecast (prognos): #PBUDGET from the store, or CSV/XLSX files.

A file in data/budget/ or data/prognos/ is a table with a header row. Columns
(case-insensitive, any order): ``ar``, ``belopp`` (kr) or ``belopp_tkr``, and the
keys the amount is given for: ``verksamhet`` + ``kostnadsslag`` (a budget per
verksamhet and kostnadsslag), ``konto`` with optional ``objekt`` ("1:81141",
several separated by space) and ``period`` (YYYYMM), ``rad`` (a line of the
resultaträkning, e.g. ``verksamhetens_intakter``: the whole-year budget or
prognos of a delårsrapport's RR when it is not made per account), or
``projekt`` (an investment budget). Amounts are in the report's sign unless [budget] tecken =
"bokforing"; internally everything is ledger sign (debit positive), öre.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence, Set
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from bokslut.diagnostics import Finding, error, warning
from bokslut.environment import read_problem
from bokslut.sie.model import canonical_objects
from bokslut.statements.facts import Facts
from bokslut.statements.specs import RESULTATRAKNING, RR_LEAVES
from bokslut.tabular import (
    DEFAULT_MAX_BYTES,
    Source,
    csv_problem,
    open_size_finding,
    open_workbook,
    shown,
    workbook_problem,
)
from bokslut.workspace.safe_files import inside, open_data_file

KNOWN_COLUMNS = {
    "ar",
    "konto",
    "objekt",
    "period",
    "verksamhet",
    "kostnadsslag",
    "projekt",
    "rad",
    "belopp",
    "belopp_tkr",
}


@dataclass(frozen=True, slots=True)
class PlanRow:
    """One budget or forecast amount, öre in ledger sign (debit positive)."""

    year: int
    amount: int
    account: str | None = None
    objects: str = ""  # canonical object key, as in the store
    period: int | None = None  # YYYYMM
    verksamhet: str | None = None
    kostnadsslag: str | None = None
    projekt: str | None = None
    rad: str | None = None  # a resultaträkning line id (statements.specs.RR_LEAVES)
    source: str = ""  # file (and line/cell) or "SIE #PBUDGET"
    file: str | None = None  # the budget/prognos file, for findings
    line: int | None = None  # CSV line
    cell: str | None = None  # XLSX cell of the amount


def pbudget_rows(facts: Facts) -> list[PlanRow]:
    rows: list[PlanRow] = []
    for year, yd in facts.years.items():
        for account, per_obj in yd.budget.items():
            for objects, amount in per_obj.items():
                rows.append(PlanRow(year, amount, account=account, objects=objects, source="#PBUDGET"))
    return rows


# A `rad` cell names an RR line by id or by its label ("Verksamhetens intäkter").
RR_LINE_BY_NAME = {
    **{line.label.casefold(): line.id for line in RESULTATRAKNING if not line.parts},
    **{line_id.casefold(): line_id for line_id in RR_LEAVES},
}

# What the store and the computation hold: öre in a signed 64-bit integer, dimensions in 32 bits.
MAX_ORE = 2**63 - 1
MAX_DIMENSION = 2**31 - 1
_DIGITS = re.compile(r"^[0-9]+$")
_OBJECT = re.compile(r"^([0-9]{1,10}):(.+)$")


def _cells_csv(raw: bytes) -> Iterator[tuple[int, list[tuple[str, str]]]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")  # a byte cp1252 leaves undefined raises: see read_plan_file
    sample = text[:4096]
    delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    for lineno, row in enumerate(reader, start=1):
        yield lineno, [(f"kolumn {i + 1}", c) for i, c in enumerate(row)]


def _cells_xlsx(wb: Any) -> Iterator[tuple[int, list[tuple[str, str]]]]:
    from openpyxl.utils import get_column_letter

    ws = wb.worksheets[0]
    for r, values in enumerate(ws.iter_rows(values_only=True), start=1):
        cells = []
        for c, v in enumerate(values, start=1):
            text = "" if v is None else (format(v, "f") if isinstance(v, Decimal) else str(v))
            cells.append((f"{get_column_letter(c)}{r}", text))
        yield r, cells
    wb.close()


# ASCII digits only: "-٣٠٠.00" (Arabic-Indic) is not −300 kr.
_NUMBER = re.compile(r"^[+-]?[0-9]+(?:[.,][0-9]+)?$")


def parse_amount(text: str) -> Decimal | None:
    """ "-10 769 000,50" / "1234.5" / "−12" -> Decimal; None if not a number."""
    t = text.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    t = t.replace("\u2212", "-")
    if not _NUMBER.match(t):
        return None
    try:
        return Decimal(t.replace(",", "."))
    except InvalidOperation:
        return None


def read_plan_file(
    path: Path,
    rel: str,
    default_year: int,
    ledger_sign: bool,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    root: Path | None = None,
) -> tuple[list[PlanRow], list[Finding]]:
    """All rows of one budget/forecast file, and a finding for every bad cell.

    With ``root`` (the workspace) only a regular file inside it is read, opened once.
    """
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv", ".txt"):
        return [], [error("okänt filformat (förväntade .csv eller .xlsx)", file=rel)]
    opened = open_data_file(root, path, rel)
    if isinstance(opened, Finding):
        return [], [opened]
    with opened:
        too_big = open_size_finding(opened, path, rel, max_bytes)
        if too_big is not None:
            return [], [too_big]
        if suffix != ".xlsx":
            try:
                opened.seek(0)
                raw = opened.read(max_bytes + 1)
                return _read_rows(_cells_csv(raw), rel, default_year, ledger_sign, cell_based=False)
            except OSError as exc:
                return [], [error(read_problem(exc), file=rel)]
            except (UnicodeDecodeError, csv.Error) as exc:
                return [], [csv_problem(exc, Source(path, root), rel)]
        wb, findings = open_workbook(opened, rel)
        if wb is None:
            return [], findings
        try:
            return _read_rows(_cells_xlsx(wb), rel, default_year, ledger_sign, cell_based=True)
        except Exception as exc:  # openpyxl raises many kinds for a sheet it cannot parse
            return [], [error(workbook_problem(exc), file=rel, code="kalkylblad")]
        finally:
            wb.close()


def _read_rows(
    source: Iterator[tuple[int, list[tuple[str, str]]]],
    rel: str,
    default_year: int,
    ledger_sign: bool,
    *,
    cell_based: bool,
) -> tuple[list[PlanRow], list[Finding]]:
    findings: list[Finding] = []
    rows: list[PlanRow] = []
    header: list[str] | None = None
    for lineno, cells in source:
        if all(not v.strip() for _, v in cells):
            continue
        if header is None:
            header = [v.strip().lower().replace("å", "a").replace("ä", "a") for _, v in cells]
            unknown = [h for h in header if h and h not in KNOWN_COLUMNS]
            for h in unknown:
                findings.append(
                    error(
                        f"okänd kolumn '{h}' (kända: {', '.join(sorted(KNOWN_COLUMNS))})",
                        file=rel,
                        line=None if cell_based else lineno,
                        where=None if not cell_based else cells[header.index(h)][0],
                    )
                )
            if "belopp" not in header and "belopp_tkr" not in header:
                findings.append(error("kolumnen 'belopp' (eller 'belopp_tkr') saknas", file=rel, line=lineno))
                return [], findings
            continue
        rec = {header[i]: (ref, v.strip()) for i, (ref, v) in enumerate(cells) if i < len(header)}

        def where(col: str, rec: dict[str, tuple[str, str]] = rec, lineno: int = lineno) -> dict[str, object]:
            ref = rec.get(col, ("", ""))[0]
            if cell_based:
                return {"file": rel, "where": ref}
            return {"file": rel, "line": lineno, "where": f"kolumn {col}"}

        amount_col = "belopp" if "belopp" in rec else "belopp_tkr"
        value = parse_amount(rec.get(amount_col, ("", ""))[1])
        if value is None:
            findings.append(
                error(
                    f"'{shown(rec.get(amount_col, ('', ''))[1])}' är inget belopp (förväntade ett tal)",
                    **where(amount_col),
                )
            )
            continue
        if amount_col == "belopp_tkr":
            value *= 1000
        ore_value = value * 100
        if ore_value != ore_value.to_integral_value():
            findings.append(error(f"beloppet {value} har fler än två decimaler", **where(amount_col)))
            continue
        amount = int(ore_value)
        if abs(amount) > MAX_ORE:
            findings.append(error(f"beloppet {value} är för stort för att räkna med", **where(amount_col)))
            continue
        if not ledger_sign:
            amount = -amount
        year = default_year
        if rec.get("ar", ("", ""))[1]:
            text = rec["ar"][1]
            if not re.fullmatch(r"[0-9]{4}(\.0)?", text):
                findings.append(error(f"'{shown(text)}' är inget årtal (förväntade ÅÅÅÅ)", **where("ar")))
                continue
            year = int(text[:4])
        period = None
        if rec.get("period", ("", ""))[1]:
            text = rec["period"][1].replace("-", "")
            if not re.fullmatch(r"[0-9]{6}", text) or not 1 <= int(text[4:]) <= 12:
                findings.append(
                    error(
                        f"'{shown(rec['period'][1])}' är ingen period (förväntade ÅÅÅÅMM)",
                        **where("period"),
                    )
                )
                continue
            period = int(text)
        objects = ""
        if rec.get("objekt", ("", ""))[1]:
            pairs = []
            bad = False
            for tok in rec["objekt"][1].split():
                match = _OBJECT.match(tok)
                if match is None or not 1 <= int(match.group(1)) <= MAX_DIMENSION:
                    bad = True
                    break
                pairs.append((int(match.group(1)), match.group(2)))
            if bad:
                findings.append(
                    error(
                        f"'{shown(rec['objekt'][1])}' är inget objekt "
                        "(förväntade dimension:objekt, t.ex. 1:81141)",
                        **where("objekt"),
                    )
                )
                continue
            objects = canonical_objects(tuple(pairs))

        def opt(col: str, rec: dict[str, tuple[str, str]] = rec) -> str | None:
            v = rec.get(col, ("", ""))[1]
            return v or None

        account = opt("konto")
        if account is not None and not _DIGITS.match(account):
            account = account.split(".")[0] if _DIGITS.match(account.replace(".", "")) else account
            if not _DIGITS.match(account):
                findings.append(error(f"'{shown(account)}' är inget kontonummer", **where("konto")))
                continue
        rad = opt("rad")
        if rad is not None:
            line_id = RR_LINE_BY_NAME.get(rad.casefold())
            if line_id is None:
                findings.append(
                    error(
                        f"'{shown(rad)}' är ingen rad i resultaträkningen som kan budgeteras "
                        f"(kända: {', '.join(RR_LEAVES)}); summaraderna räknas fram",
                        **where("rad"),
                    )
                )
                continue
            if account is not None:
                findings.append(
                    error(
                        "raden anger både konto och rad; kontot bestämmer redan raden i "
                        "resultaträkningen – ange det ena",
                        **where("rad"),
                    )
                )
                continue
            rad = line_id
        if account is None and rad is None and opt("kostnadsslag") is None and opt("projekt") is None:
            findings.append(
                error("raden anger varken konto, rad, kostnadsslag eller projekt", file=rel, line=lineno)
            )
            continue
        ref = rec.get(amount_col, ("", ""))[0] if cell_based else f"rad {lineno}"
        rows.append(
            PlanRow(
                year=year,
                amount=amount,
                account=account,
                objects=objects,
                period=period,
                verksamhet=opt("verksamhet"),
                kostnadsslag=opt("kostnadsslag"),
                projekt=opt("projekt"),
                rad=rad,
                source=f"{rel} ({ref})",
                file=rel,
                line=None if cell_based else lineno,
                cell=ref if cell_based else None,
            )
        )
    return rows, findings


def read_plan_dir(
    directory: Path, root: Path, default_year: int, ledger_sign: bool, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[list[PlanRow], list[Finding]]:
    rows: list[PlanRow] = []
    findings: list[Finding] = []
    folder = directory.relative_to(root).as_posix()
    if (directory.exists() or directory.is_symlink()) and inside(root, folder) is None:
        # Not even the names of the files over there are shown.
        return rows, [
            error(
                "mappen leder via en symbolisk länk utanför arbetsytan och läses inte – "
                "kopiera in mappen i arbetsytan i stället för att länka till den",
                file=folder,
                code="utanfor-arbetsytan",
            )
        ]
    if not directory.is_dir():
        return rows, findings
    for path in sorted(directory.iterdir()):
        if path.name.startswith((".", "~$")) or path.suffix.lower() not in (
            ".csv",
            ".xlsx",
            ".txt",
        ):
            continue
        rel = path.relative_to(root).as_posix()
        r, f = read_plan_file(path, rel, default_year, ledger_sign, max_bytes=max_bytes, root=root)
        rows.extend(r)
        findings.extend(f)
    return rows, findings


def plan_total(rows: Sequence[PlanRow]) -> int:
    return sum(r.amount for r in rows)


def unknown_projects(rows: Sequence[PlanRow], known: Set[str], dimension: int | None) -> list[Finding]:
    """A warning per budget/prognos row whose projekt is neither in bokslut.toml [projekt] nor
    an object of the projekt dimension in the ledger: a misspelt code would otherwise be a row of
    its own in the investeringsredovisning, with a budget and no outcome."""
    findings: list[Finding] = []
    for r in rows:
        if r.projekt is None or r.projekt in known:
            continue
        where = "i [projekt] i bokslut.toml eller " + (
            f"som objekt i dimension {dimension} i huvudboken" if dimension else "i huvudboken"
        )
        findings.append(
            warning(
                f"projektet '{r.projekt}' finns inte {where}; raden visas som ett eget projekt utan utfall",
                file=r.file,
                line=r.line,
                where=r.cell or "kolumn projekt",
                code="okant-projekt",
            )
        )
    return findings
