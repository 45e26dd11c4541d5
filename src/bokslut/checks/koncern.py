"""Tie-out of the sammanställda räkenskaper (docs/koncern.md): the consolidated balance
sheet balances, the eliminations net to zero, the consolidated result is the sum of the
parts, and the consolidated cash flow ends at the consolidated kassa och bank."""

from __future__ import annotations

from decimal import Decimal

from bokslut.diagnostics import Finding, error
from bokslut.statements.build import Statements
from bokslut.table import Table

# Scaling by ägarandel is rounded to the öre per account; this many kronor cover it.
ROUNDING_KR = Decimal(1)


def _kr(v: Decimal) -> str:
    return f"{v:,.2f}".replace(",", "\u00a0").replace(".", ",").replace("-", "\u2212")


def _n(t: Table | None, row: str, col: str = "utfall") -> Decimal | None:
    return t.number(row, col) if t is not None else None


def check_koncern(s: Statements) -> list[Finding]:
    rr, br = s.get("koncern_resultatrakning"), s.get("koncern_balansrakning")
    kfa, overview = s.get("koncern_kassaflodesanalys"), s.get("kommunala_koncernen")
    if rr is None or br is None:
        return []
    out: list[Finding] = []
    for col in (c.id for c in br.columns):
        assets = _n(br, "summa_tillgangar", col)
        claims = _n(br, "summa_eget_kapital_och_skulder", col)
        if assets is None or claims is None or assets == claims:
            continue
        which = " för föregående år" if col == "utfall_fg" else ""
        out.append(
            error(
                f"den sammanställda balansräkningen{which} balanserar inte: tillgångar {_kr(assets)} kr, "
                f"eget kapital, avsättningar och skulder {_kr(claims)} kr (skillnad "
                f"{_kr(assets - claims)} kr) – kontrollera omappade konton i koncernföretagens filer",
                where=f"koncern_balansrakning/summa_tillgangar/{col}",
                code="koncern-br-balanserar-inte",
            )
        )
    result = _n(rr, "arets_resultat")
    eliminated = _n(overview, "elimineringar", "andel_resultat")
    if eliminated is not None and eliminated != 0:
        out.append(
            error(
                f"elimineringarna av interna resultatposter går inte jämnt ut ({_kr(eliminated)} kr): "
                "parterna har bokfört olika belopp mot varandra (se koncern_interna_poster)",
                where="kommunala_koncernen/elimineringar/andel_resultat",
                code="koncern-elimineringar",
            )
        )
    total = _n(overview, "summa", "andel_resultat")
    if result is not None and total is not None and abs(result - total) > ROUNDING_KR:
        out.append(
            error(
                f"koncernens resultat i resultaträkningen ({_kr(result)} kr) är inte summan av "
                f"företagens andelar och elimineringarna ({_kr(total)} kr)",
                where="koncern_resultatrakning/arets_resultat/utfall",
                code="koncern-resultat",
            )
        )
    ek_result = _n(br, "ek_arets_resultat")
    if result is not None and ek_result is not None and ek_result != result:
        out.append(
            error(
                f"årets resultat i den sammanställda balansräkningen ({_kr(ek_result)} kr) skiljer sig "
                f"från resultaträkningen ({_kr(result)} kr)",
                where="koncern_balansrakning/ek_arets_resultat/utfall",
                code="koncern-resultat",
            )
        )
    cash = _n(kfa, "kf_likvida_slut")
    bank = _n(br, "kassa_och_bank") or Decimal(0)
    placements = _n(br, "kortfristiga_placeringar") or Decimal(0)
    ctx = s.context
    if ctx is not None and any(p.startswith("18") for p in ctx.chart.likvida_medel.prefixes):
        bank += placements
    if cash is not None and cash != bank:
        out.append(
            error(
                f"likvida medel vid årets slut i den sammanställda kassaflödesanalysen ({_kr(cash)} kr) "
                f"är inte balansräkningens ({_kr(bank)} kr)",
                where="koncern_kassaflodesanalys/kf_likvida_slut/utfall",
                code="koncern-kassaflode",
            )
        )
    return out
