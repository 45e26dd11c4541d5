"""Finansiella nyckeltal from the statements' exact values (never from rounded ones)."""

from __future__ import annotations

from decimal import Decimal

from bokslut.statements.engine import Cell, Line, build_table
from bokslut.table import Column, ColumnKind, Table
from bokslut.workspace.config import OrgTyp

HUNDRED = Decimal(100)


def _ratio(num: Decimal, den: Decimal) -> Decimal | None:
    return None if den == 0 else num / den * HUNDRED


def _v(t: Table, row: str, col: str) -> Decimal:
    try:
        v = t.value(row, col)
    except KeyError:
        return Decimal(0)
    return v if isinstance(v, Decimal) else Decimal(0)


def nyckeltal(org: OrgTyp, rr: Table, br: Table, kfa: Table | None) -> Table:
    """Resultat i % av omsättning, soliditet, kassalikviditet, självfinansieringsgrad."""
    columns = [
        Column(c.id, c.label, ColumnKind.PERCENT, decimals=1)
        for c in rr.columns
        if c.id in ("utfall", "utfall_fg")
    ]
    cells: dict[str, dict[str, Cell]] = {}
    for c in columns:
        col = c.id
        result = _v(rr, "arets_resultat", col)
        if org in (OrgTyp.KOMMUN, OrgTyp.REGION):
            base = _v(rr, "skatteintakter", col) + _v(rr, "generella_statsbidrag", col)
            base_rows = ["skatteintakter", "generella_statsbidrag"]
        else:
            base = _v(rr, "verksamhetens_intakter", col) + _v(rr, "medlemsavgifter", col)
            base_rows = ["verksamhetens_intakter", "medlemsavgifter"]
        src = {"tables": ["resultatrakning", "balansrakning", "kassaflodesanalys"]}
        cells.setdefault("resultat_andel", {})[col] = Cell(
            _ratio(result, base), {**src, "rows": ["arets_resultat", *base_rows]}
        )
        equity = _v(br, "summa_eget_kapital", col)
        assets = _v(br, "summa_tillgangar", col)
        cells.setdefault("soliditet", {})[col] = Cell(
            _ratio(equity, assets), {**src, "rows": ["summa_eget_kapital", "summa_tillgangar"]}
        )
        current = _v(br, "summa_omsattningstillgangar", col) - _v(br, "forrad", col)
        short = _v(br, "kortfristiga_skulder", col)
        cells.setdefault("kassalikviditet", {})[col] = Cell(
            _ratio(current, short),
            {**src, "rows": ["summa_omsattningstillgangar", "forrad", "kortfristiga_skulder"]},
        )
        if kfa is not None and col in {x.id for x in kfa.columns}:
            inv = -(_v(kfa, "kf_inv_materiella", col) + _v(kfa, "kf_inv_immateriella", col))
            own = result + _v(kfa, "kf_avskrivningar", col)
            cells.setdefault("sjalvfinansiering", {})[col] = Cell(
                _ratio(own, inv),
                {
                    **src,
                    "rows": [
                        "arets_resultat",
                        "kf_avskrivningar",
                        "kf_inv_materiella",
                        "kf_inv_immateriella",
                    ],
                },
            )
    omsattning = (
        "Resultat i % av skatteintäkter och generella statsbidrag"
        if org in (OrgTyp.KOMMUN, OrgTyp.REGION)
        else "Resultat i % av omsättning"
    )
    lines = (
        Line("resultat_andel", omsattning, show="data"),
        Line("soliditet", "Soliditet, %", show="data"),
        Line("kassalikviditet", "Kassalikviditet, %", show="data"),
        Line("sjalvfinansiering", "Självfinansieringsgrad av investeringar, %", show="data"),
    )
    return build_table(
        id="nyckeltal",
        title="Finansiella nyckeltal",
        columns=columns,
        lines=lines,
        cells=cells,
        unit=None,
        caption="Nyckeltal beräknade ur de exakta beloppen i resultat- och balansräkningen.",
    )
