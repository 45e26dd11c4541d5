"""Checks of the composed document: the numbers as the reader sees them.

The statements must tie out *as shown*: a balance sheet whose exact amounts
balance but whose shown amounts do not is still a balance sheet that does not
balance for the reader. Where the exact amounts already disagree, the ledger
checks (:mod:`bokslut.checks.statements`) report it with the amounts in
kronor; here only what rounding broke is added, plus the relations the ledger
checks do not cover (opening = last year's closing in the notes and the
cash-flow statement). Every figure in the text must show the value it names.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from bokslut.checks.statements import NOTE_LINES
from bokslut.compose.report import ComposedReport
from bokslut.diagnostics import Finding, error, warning
from bokslut.document import (
    Block,
    Document,
    Figure,
    Heading,
    Inline,
    Link,
    ListBlock,
    Paragraph,
    Quote,
    Styled,
)
from bokslut.render.numbers import UNIT_LABEL, format_number
from bokslut.table import UNIT_DECIMALS, UNIT_SCALE, ColumnKind, Unit, column_decimals
from bokslut.workspace.config import OrgTyp, RapportTyp


@dataclass(frozen=True, slots=True)
class Ref:
    """One cell of a table, with a name for the reader and a sign."""

    name: str
    table: str
    row: str
    column: str
    sign: int = 1


def _cell(doc: Document, ref: Ref) -> tuple[Decimal | None, Decimal | None]:
    """(shown, exact) of a cell, signed; None where the table, row or number is missing."""
    rounded = doc.tables.get(ref.table)
    if rounded is None:
        return None, None
    shown = rounded.get(ref.row, ref.column)
    exact = rounded.table.number(ref.row, ref.column)
    return (
        ref.sign * shown if isinstance(shown, Decimal) else None,
        ref.sign * exact if exact is not None else None,
    )


def _shown_text(doc: Document, ref: Ref, value: Decimal) -> str:
    rounded = doc.tables[ref.table]
    t = rounded.table
    try:
        decimals = column_decimals(t, t.column(ref.column), t.row(ref.row))
    except KeyError:
        decimals = 0
    unit = f" {UNIT_LABEL[t.unit]}" if t.unit is not None else ""
    return format_number(value, decimals).replace("\u00a0", " ") + unit


def _kr(v: Decimal) -> str:
    return format_number(v, 2).replace("\u00a0", " ") + " kr"


def equal_as_shown(
    doc: Document, what: str, refs: Sequence[Ref], exact_checked: bool, code: str
) -> list[Finding]:
    """Every cell in ``refs`` shows the same number as the first.

    ``exact_checked``: the ledger checks already compare the exact amounts of these
    cells, so a pair whose exact amounts differ is left to them.
    """
    present = [(r, *_cell(doc, r)) for r in refs]
    present = [(r, s, e) for r, s, e in present if s is not None]
    if len(present) < 2:
        return []
    first, s0, e0 = present[0]
    out: list[Finding] = []
    for ref, shown, exact in present[1:]:
        assert shown is not None and s0 is not None
        if shown == s0:
            continue
        same_exact = exact is not None and e0 is not None and exact == e0
        if not same_exact and exact_checked:
            continue
        why = (
            "samma belopp avrundas till två olika tal"
            if same_exact
            else f"exakt {_kr(exact) if exact is not None else '–'} och {_kr(e0) if e0 is not None else '–'}"
        )
        out.append(
            error(
                f"{what}: {ref.name} visar {_shown_text(doc, ref, shown)} men {first.name} visar "
                f"{_shown_text(doc, first, s0)} ({why})",
                where=f"{ref.table}/{ref.row}/{ref.column}",
                code=code,
            )
        )
    return out


def _columns(doc: Document, table: str) -> list[str]:
    rounded = doc.tables.get(table)
    return [c.id for c in rounded.table.columns] if rounded is not None else []


def _column_by_label(doc: Document, table: str, label: str) -> str | None:
    rounded = doc.tables.get(table)
    if rounded is None:
        return None
    for c in rounded.table.columns:
        if c.label == label:
            return c.id
    return None


def _label(doc: Document, table: str, column: str) -> str:
    rounded = doc.tables.get(table)
    if rounded is None:
        return column
    try:
        return rounded.table.column(column).label
    except KeyError:
        return column


def tie_out(report: ComposedReport) -> list[Finding]:
    """The statements agree with each other as they are shown."""
    doc = report.document
    if doc is None:
        return []
    interim = report.config.rapport.typ is RapportTyp.DELARSRAPPORT
    out: list[Finding] = []
    br = "balansrakning"
    for c in _columns(doc, br):
        out += equal_as_shown(
            doc,
            f"balansräkningen {_label(doc, br, c)} balanserar inte som den visas",
            [
                Ref("summa tillgångar", br, "summa_tillgangar", c),
                Ref("summa eget kapital, avsättningar och skulder", br, "summa_eget_kapital_och_skulder", c),
            ],
            True,
            "visat-br-balanserar",
        )
    for c in ("utfall",) if interim else ("utfall", "utfall_fg"):
        refs = [
            Ref("resultaträkningen", "resultatrakning", "arets_resultat", c),
            Ref("balansräkningen", br, "ek_arets_resultat", c),
            Ref("kassaflödesanalysen", "kassaflodesanalys", "kf_arets_resultat", c),
            Ref("noten om eget kapital", "not_eget_kapital", "arets_resultat", c),
        ]
        label = _label(doc, "resultatrakning", c)
        bk = _column_by_label(doc, "balanskravsutredning", label)
        if bk is not None:
            refs.append(Ref("balanskravsutredningen", "balanskravsutredning", "bk_arets_resultat", bk))
        out += equal_as_shown(doc, f"årets resultat {label}", refs, True, "visat-arets-resultat")
    if interim:
        # The balanskrav prognos starts from the RR's prognos for the year.
        out += equal_as_shown(
            doc,
            "årets resultat enligt prognosen",
            [
                Ref("resultaträkningen", "resultatrakning", "arets_resultat", "prognos"),
                Ref("balanskravsprognosen", "balanskrav_prognos", "bk_arets_resultat", "prognos"),
            ],
            True,
            "visat-arets-resultat",
        )
    out += _cash_flow(doc, interim)
    for note_id, (table_id, row, sign) in NOTE_LINES.items():
        for c in _columns(doc, note_id):
            out += equal_as_shown(
                doc,
                f"noten stämmer inte med sin rad ({_label(doc, note_id, c)})",
                [
                    Ref(f"raden i {_title(doc, table_id)}", table_id, row, c),
                    Ref("notens summa", note_id, "summa", c, sign),
                ],
                True,
                "visat-not-summa",
            )
    fixed = doc.tables.get("not_anlaggningstillgangar")
    if fixed is not None:
        for r in fixed.table.rows:
            if r.id.endswith(".redovisat"):
                line = r.id.split(".")[0]
                for c in _columns(doc, fixed.table.id):
                    out += equal_as_shown(
                        doc,
                        "noten om anläggningstillgångar stämmer inte med balansräkningen "
                        f"({_label(doc, br, c)})",
                        [
                            Ref("balansräkningen", br, line, c),
                            Ref("notens redovisade värde", fixed.table.id, r.id, c),
                        ],
                        True,
                        "visat-not-summa",
                    )
    out += _opening_is_last_closing(doc)
    return out


def _title(doc: Document, table: str) -> str:
    if table in TITLES:
        return TITLES[table]
    rounded = doc.tables.get(table)
    return rounded.table.title.lower() if rounded is not None else table


def _cash_flow(doc: Document, interim: bool) -> list[Finding]:
    """The cash-flow statement ends at likvida medel, and its change is the balance sheet's."""
    kf, br = "kassaflodesanalys", "balansrakning"
    if kf not in doc.tables or br not in doc.tables:
        return []
    out: list[Finding] = []
    for c in _columns(doc, kf):
        out += equal_as_shown(
            doc,
            f"kassaflödesanalysen {_label(doc, kf, c)} slutar inte på balansräkningens likvida medel",
            [
                Ref("balansräkningens kassa och bank", br, "kassa_och_bank", c),
                Ref("kassaflödesanalysen", kf, "kf_likvida_slut", c),
            ],
            True,
            "visat-kassaflode",
        )
    shown_now, exact_now = _cell(doc, Ref("", br, "kassa_och_bank", "utfall"))
    shown_prev, exact_prev = _cell(doc, Ref("", br, "kassa_och_bank", "utfall_fg"))
    flow, flow_exact = _cell(doc, Ref("", kf, "kf_arets_kassaflode", "utfall"))
    if interim or None in (shown_now, shown_prev, flow):
        return out
    assert shown_now is not None and shown_prev is not None and flow is not None
    change = shown_now - shown_prev
    if change != flow:
        exact_same = None not in (exact_now, exact_prev, flow_exact) and (
            exact_now - exact_prev == flow_exact  # type: ignore[operator]
        )
        ref = Ref("", kf, "kf_arets_kassaflode", "utfall")
        out.append(
            error(
                f"årets kassaflöde visas som {_shown_text(doc, ref, flow)} men likvida medel i "
                f"balansräkningen ändras med {_shown_text(doc, ref, change)}"
                + (" (samma belopp avrundas olika)" if exact_same else ""),
                where=f"{kf}/kf_arets_kassaflode/utfall",
                code="visat-kassaflode",
            )
        )
    return out


def _opening_is_last_closing(doc: Document) -> list[Finding]:
    """This year's opening balances show last year's closing balances."""
    pairs: list[tuple[str, Ref, Ref]] = [
        (
            "eget kapital vid årets början",
            Ref("ingående eget kapital", "not_eget_kapital", "ingaende", "utfall"),
            Ref("föregående års utgående eget kapital", "not_eget_kapital", "utgaende", "utfall_fg"),
        ),
        (
            "eget kapital vid årets början",
            Ref("ingående eget kapital", "balansrakning", "ek_ingaende", "utfall"),
            Ref("föregående års eget kapital", "balansrakning", "summa_eget_kapital", "utfall_fg"),
        ),
        (
            "likvida medel vid årets början",
            Ref("likvida medel vid årets början", "kassaflodesanalys", "kf_likvida_borjan", "utfall"),
            Ref(
                "föregående års likvida medel vid årets slut",
                "kassaflodesanalys",
                "kf_likvida_slut",
                "utfall_fg",
            ),
        ),
    ]
    fixed = doc.tables.get("not_anlaggningstillgangar")
    if fixed is not None:
        ids = {r.id for r in fixed.table.rows}
        for r in fixed.table.rows:
            stem, _, kind = r.id.rpartition(".")
            if kind.startswith("ib_") and f"{stem}.ub_{kind[3:]}" in ids:
                pairs.append(
                    (
                        f"ingående balans i {fixed.table.title.lower()} ({r.label.lower()})",
                        Ref("årets ingående balans", fixed.table.id, r.id, "utfall"),
                        Ref(
                            "föregående års utgående balans",
                            fixed.table.id,
                            f"{stem}.ub_{kind[3:]}",
                            "utfall_fg",
                        ),
                    )
                )
    out: list[Finding] = []
    for what, opening, closing in pairs:
        out += equal_as_shown(doc, what, [closing, opening], False, "visat-ib-ub")
    return out


# ---------------------------------------------------------------------------
# Figures in the text


def _runs(blocks: Sequence[Block]) -> Iterator[Inline]:
    for b in blocks:
        if isinstance(b, Heading | Paragraph):
            yield from _flatten(b.runs)
        elif isinstance(b, ListBlock):
            for item in b.items:
                yield from _runs(item)
        elif isinstance(b, Quote):
            yield from _runs(b.blocks)


def _flatten(runs: Sequence[Inline]) -> Iterator[Inline]:
    for r in runs:
        if isinstance(r, Styled | Link):
            yield from _flatten(r.children)
        else:
            yield r


def figures(report: ComposedReport) -> list[Finding]:
    """Every figure in the text shows the value it names, as the tables show it."""
    doc = report.document
    if doc is None:
        return []
    out: list[Finding] = []
    for chapter in doc.chapters:
        for run in _runs(chapter.blocks):
            if isinstance(run, Figure):
                problem = figure_problem(doc, run)
                if problem:
                    out.append(
                        error(problem, file=chapter.source, line=run.line, where=run.ref, code="visad-siffra")
                    )
    return out


_UNITS = {label: unit for unit, label in UNIT_LABEL.items()}


def figure_problem(doc: Document, fig: Figure) -> str | None:
    """Why ``fig`` does not show the value it names, or None when it does."""
    ref = fig.ref
    absolute = ref.startswith("abs(") and ref.endswith(")")
    inner = ref[4:-1] if absolute else ref

    def sign(v: Decimal) -> Decimal:
        return abs(v) if absolute else v

    shown = Decimal(fig.shown) if isinstance(fig.shown, int) else fig.shown
    if inner.startswith("v."):
        name = inner[2:]
        if name not in doc.values:
            return f"siffran '{fig.text}' hänvisar till värdet {inner}, som inte finns i rapporten"
        value = doc.values[name]
        if isinstance(value, str) or value is None:
            return None
        if Decimal(fig.exact) != sign(Decimal(value)):  # type: ignore[arg-type]
            return f"siffran '{fig.text}' står för {fig.exact} men {inner} är {value}"
        unit = _UNITS.get(fig.unit)
        if unit is not None and isinstance(shown, Decimal):
            for cell_ref, table_shown in _pinned(doc, name, Decimal(value), unit):
                if sign(table_shown) != shown:
                    return (
                        f"siffran '{fig.text}' ({inner}) visar inte samma tal som tabellen "
                        f"({cell_ref}: {format_number(sign(table_shown), UNIT_DECIMALS[unit])})"
                    )
            return _too_far(fig, shown, sign(Decimal(value)), unit)
        return None
    if inner.startswith("cell:"):
        try:
            table_id, row_id, col_id = inner[5:].split("/")
        except ValueError:
            return None
        rounded = doc.tables.get(table_id)
        if rounded is None:
            return f"siffran '{fig.text}' hänvisar till tabellen '{table_id}', som inte finns i rapporten"
        t = rounded.table
        try:
            row, col = t.row(row_id), t.column(col_id)
        except KeyError:
            return f"siffran '{fig.text}' hänvisar till cellen {inner}, som inte finns"
        cell_shown = rounded.get(row_id, col_id)
        if not isinstance(cell_shown, Decimal) or not isinstance(shown, Decimal):
            return None
        kind = row.column_kind or col.kind
        unit = _UNITS.get(fig.unit)
        same_scale = (kind is ColumnKind.MONEY and unit is not None and unit is (t.unit or Unit.KR)) or (
            kind is not ColumnKind.MONEY and unit is None
        )
        decimals = column_decimals(t, col, row)
        if same_scale and _places(shown) == decimals and sign(cell_shown) != shown:
            return (
                f"siffran '{fig.text}' visar inte samma tal som tabellen "
                f"({table_id}/{row_id}/{col_id}: {format_number(sign(cell_shown), decimals)})"
            )
        exact = t.number(row_id, col_id)
        if kind is ColumnKind.MONEY and unit is not None and exact is not None:
            return _too_far(fig, shown, sign(exact), unit)
    return None


def _places(d: Decimal) -> int:
    exponent = d.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _pinned(doc: Document, name: str, exact: Decimal, unit: Unit) -> Iterator[tuple[str, Decimal]]:
    """Table cells that are the quantity ``name`` with this exact value, shown in ``unit``."""
    for tid, rounded in doc.tables.items():
        t = rounded.table
        if (t.unit or Unit.KR) is not unit:
            continue
        for row in t.rows:
            if row.quantity != name:
                continue
            for col in t.columns:
                shown = rounded.get(row.id, col.id)
                if row.values.get(col.id) == exact and isinstance(shown, Decimal):
                    yield f"{tid}/{row.id}/{col.id}", shown


def _too_far(fig: Figure, shown: Decimal, exact: Decimal, unit: Unit) -> str | None:
    """A shown amount more than one step (of its unit, or of the coarser unit it was
    rounded to with ``avrunda``) from its exact value is not that value."""
    step = Decimal(1).scaleb(-UNIT_DECIMALS[unit])
    for coarse in (Unit.MKR, Unit.TKR):
        ratio = UNIT_SCALE[coarse] / UNIT_SCALE[unit]
        if ratio > 1 and shown % (ratio * Decimal(1).scaleb(-UNIT_DECIMALS[coarse])) == 0:
            step = max(step, ratio * Decimal(1).scaleb(-UNIT_DECIMALS[coarse]))
            break
    if abs(shown - exact / UNIT_SCALE[unit]) >= step:
        return f"siffran '{fig.text}' ligger mer än ett steg från sitt exakta värde ({_kr(exact)})"
    return None


# ---------------------------------------------------------------------------
# What is missing

REQUIRED = {
    RapportTyp.ARSREDOVISNING: ("resultatrakning", "balansrakning", "kassaflodesanalys"),
    RapportTyp.DELARSRAPPORT: ("resultatrakning", "balansrakning"),
}
EXPECTED = (
    "driftredovisning",
    "driftredovisning_namnd",
    "investeringsredovisning",
    "investeringsprojekt",
    "balanskravsutredning",
    "balanskrav_aterstallande",
    "balanskrav_prognos",
    "ansvarsforbindelser",
)
TITLES = {
    "resultatrakning": "resultaträkningen",
    "balansrakning": "balansräkningen",
    "kassaflodesanalys": "kassaflödesanalysen",
    "driftredovisning": "driftredovisningen",
    "driftredovisning_namnd": "driftredovisningen per nämnd",
    "investeringsprojekt": "tabellen över investeringsprojekt",
    "investeringsredovisning": "investeringsredovisningen",
    "balanskravsutredning": "balanskravsutredningen",
    "balanskrav_prognos": "balanskravsprognosen",
    "balanskrav_aterstallande": "tabellen över återställande av negativa balanskravsresultat",
    "ansvarsforbindelser": "tabellen över ansvarsförbindelser",
}


def completeness(report: ComposedReport) -> list[Finding]:
    """An empty or half-made workspace says what is missing."""
    out: list[Finding] = []
    layout, config = report.layout, report.config
    typ = config.rapport.typ
    # Chapters that could not be read are findings of their own; "no chapters" would mislead.
    unreadable = any((f.file or "").startswith("text") for f in report.findings)
    if not report.chapters and not unreadable:
        out.append(
            error(
                "rapporten har inga kapitel: text/ saknar kapitelfiler (.md) – 'bokslut new' lägger "
                "dit de kapitel lagen kräver",
                file="text",
                code="kapitel-saknas",
            )
        )
    data = report.data
    if data is not None and "resultatrakning" not in data.tables:
        files = (
            [p for p in sorted(layout.ledger_dir.glob("*")) if p.suffix.lower() in (".se", ".si", ".sie")]
            if layout.ledger_dir.is_dir()
            else []
        )
        if not files:
            message = (
                "huvudboken saknas: data/ledger har ingen SIE-fil, så rapporten har ingen "
                "resultaträkning eller balansräkning – lägg in den med 'bokslut import'"
            )
        else:
            message = (
                f"huvudboken har inget räkenskapsår {config.rapport.ar}, så rapporten har ingen "
                "resultaträkning eller balansräkning – importera årets SIE-fil med 'bokslut import'"
            )
        out.append(error(message, file="data/ledger", code="huvudbok-saknas"))
    doc = report.document
    if doc is None or data is None or not report.chapters:
        return out
    placed = {p.table_id for p in doc.placements()}
    if not placed & set(data.tables):
        out.append(
            error(
                "inget kapitel placerar någon av rapportens tabeller – skriv t.ex. "
                '{{ tabell("resultatrakning") }} där tabellen ska stå',
                file="text",
                code="tabeller-saknas",
            )
        )
        return out
    # A gemensam nämnd reports to its kommun and has no statutory statements of its own.
    required = () if config.organisation.typ is OrgTyp.GEMENSAM_NAMND else REQUIRED[typ]
    # The balanskrav is the kommun's, not its gemensam nämnd's (KL 11 kap. 5 §).
    namnd = config.organisation.typ is OrgTyp.GEMENSAM_NAMND
    expected = tuple(t for t in EXPECTED if not (namnd and t == "balanskrav_prognos"))
    for tid in required:
        if tid in data.tables and tid not in placed:
            out.append(
                error(
                    f"{TITLES[tid]} finns men står inte i något kapitel – skriv "
                    f'{{{{ tabell("{tid}") }}}} där den ska stå',
                    file="text",
                    code="tabell-ej-placerad",
                )
            )
    for tid in expected:
        if tid in data.tables and tid not in placed:
            out.append(
                warning(
                    f"{TITLES[tid]} finns men står inte i något kapitel – skriv "
                    f'{{{{ tabell("{tid}") }}}} där den ska stå',
                    file="text",
                    code="tabell-ej-placerad",
                )
            )
    return out
