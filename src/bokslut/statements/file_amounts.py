"""Cells of the small data files beside the ledger (pension, borgen, lån, leasing): amounts,
years, percentages and dates, each bad cell a Finding with the file and the line.

An amount column ``x`` may be given in kronor (``x``) or in thousands (``x_tkr``), as
the budget files allow; :func:`amount_columns` picks whichever the file has and names
the missing ones.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

from bokslut.diagnostics import Finding, error
from bokslut.money import kronor
from bokslut.statements.plan import MAX_ORE, parse_amount
from bokslut.tabular import ColumnSpec, RawTable, shown

_YEAR = re.compile(r"^[0-9]{4}(\.0)?$")


def amount_specs(names: Sequence[str]) -> list[ColumnSpec]:
    """Optional column specs for ``x`` and ``x_tkr`` of every amount column."""
    return [ColumnSpec(n, required=False) for name in names for n in (name, f"{name}_tkr")]


@dataclass(frozen=True, slots=True)
class AmountColumn:
    name: str  # the column as the file has it: "belopp" or "belopp_tkr"
    scale: int  # kronor per unit of the file: 1 or 1000


def amount_columns(
    raw: RawTable, names: Sequence[str], rel: str
) -> tuple[dict[str, AmountColumn], list[Finding]]:
    """The kronor-or-tkr column of each name; a missing one is an error on the header line."""
    out: dict[str, AmountColumn] = {}
    findings: list[Finding] = []
    for name in names:
        if raw.has(name):
            out[name] = AmountColumn(name, 1)
        elif raw.has(f"{name}_tkr"):
            out[name] = AmountColumn(f"{name}_tkr", 1000)
        else:
            findings.append(
                error(
                    f"kolumnen '{name}' (eller '{name}_tkr') saknas i rubrikraden",
                    file=rel,
                    line=1,
                    where=f"kolumn {name}",
                    code="kolumn-saknas",
                )
            )
    return out, findings


def cell_ore(cell: str, column: AmountColumn, rel: str, line: int, findings: list[Finding]) -> int | None:
    """An amount cell in öre; None (and a finding) when it is not an amount in whole öre."""
    value = parse_amount(cell)
    ore = None if value is None else value * column.scale * 100
    if ore is None or ore != ore.to_integral_value() or abs(ore) > MAX_ORE:
        findings.append(
            error(
                f"'{shown(cell)}' är inget belopp i kronor (högst två decimaler)",
                file=rel,
                line=line,
                where=f"kolumn {column.name}",
                code="belopp",
            )
        )
        return None
    return int(ore)


def cell_year(cell: str, default: int, rel: str, line: int, findings: list[Finding]) -> int | None:
    if not cell:
        return default
    if not _YEAR.fullmatch(cell):
        findings.append(
            error(
                f"'{shown(cell)}' är inget årtal (förväntade ÅÅÅÅ)",
                file=rel,
                line=line,
                where="kolumn ar",
                code="ar",
            )
        )
        return None
    return int(cell[:4])


def cell_percent(cell: str, column: str, rel: str, line: int, findings: list[Finding]) -> Decimal | None:
    """ "3,25", "3.25 %" -> Decimal("3.25")."""
    value = parse_amount(cell.strip().removesuffix("%").strip())
    if value is None or not (Decimal(-100) <= value <= Decimal(1000)):
        findings.append(
            error(
                f"'{shown(cell)}' är ingen procentsats (förväntade t.ex. 3,25)",
                file=rel,
                line=line,
                where=f"kolumn {column}",
                code="procent",
            )
        )
        return None
    return value


def cell_date(cell: str, column: str, rel: str, line: int, findings: list[Finding]) -> dt.date | None:
    text = cell.strip()[:10] if re.match(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}([ T]00:00(:00)?)?$", cell) else cell
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        findings.append(
            error(
                f"'{shown(cell)}' är inget datum (förväntade ÅÅÅÅ-MM-DD)",
                file=rel,
                line=line,
                where=f"kolumn {column}",
                code="datum",
            )
        )
        return None


def share_of(ore: int, numerator: Decimal, denominator: Decimal) -> int:
    """``ore × numerator / denominator`` rounded half-up to whole öre (exact arithmetic)."""
    with localcontext(prec=80):
        exact = Decimal(ore) * numerator / denominator
        return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def kr_text(ore: int) -> str:
    """Öre as a message shows kronor: "−50 000,00"."""
    v = kronor(ore)
    return f"{v:,.2f}".replace(",", "\u00a0").replace(".", ",").replace("-", "\u2212")
