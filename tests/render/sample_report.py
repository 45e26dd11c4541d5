"""A realistic small report (shaped like the Lystkom seed) for renderer and build tests."""

from __future__ import annotations

import datetime as dt
import struct
import zlib
from decimal import Decimal

from bokslut.document import TitlePage
from bokslut.parts import ReportPart
from bokslut.table import Column, ColumnKind, Row, RowKind, Table, Unit, with_sums


def d(text: str) -> Decimal:
    return Decimal(text)


def resultatrakning() -> Table:
    cols = (Column("ar_2023", "2023"), Column("ar_2022", "2022"))
    rows = (
        Row(
            "intakter",
            "Verksamhetens intäkter",
            values={"ar_2023": d("43902311.40"), "ar_2022": d("40360170")},
            note="not_1",
        ),
        Row(
            "kostnader",
            "Verksamhetens kostnader",
            values={"ar_2023": d("-31822479.95"), "ar_2022": d("-28532400")},
            note="not_2",
        ),
        Row(
            "avskrivningar",
            "Av- och nedskrivningar",
            values={"ar_2023": d("-11303600"), "ar_2022": d("-11086200")},
            note="not_3",
        ),
        Row(
            "nettokostnader",
            "Verksamhetens nettokostnader",
            RowKind.SUBTOTAL,
            parts=("intakter", "kostnader", "avskrivningar"),
        ),
        Row(
            "medlemsavgifter",
            "Medlemsavgifter",
            values={"ar_2023": d("810000"), "ar_2022": d("790000")},
        ),
        Row(
            "verksamhetens_resultat",
            "Verksamhetens resultat",
            RowKind.SUBTOTAL,
            parts=("nettokostnader", "medlemsavgifter"),
        ),
        Row(
            "finansiella_kostnader",
            "Finansiella kostnader",
            values={"ar_2023": d("-210408"), "ar_2022": d("-90730")},
            note="not_4",
        ),
        Row(
            "arets_resultat",
            "Årets resultat",
            RowKind.TOTAL,
            parts=("verksamhetens_resultat", "finansiella_kostnader"),
            quantity="arets_resultat",
        ),
    )
    return with_sums(Table("resultatrakning", "Resultaträkning", cols, rows, Unit.TKR, label_header="Post"))


def note(nid: str, title: str, items: list[tuple[str, str, str]]) -> Table:
    cols = (Column("ar_2023", "2023"), Column("ar_2022", "2022"))
    rows = [
        Row(f"r{i}", label, values={"ar_2023": d(a), "ar_2022": d(b)})
        for i, (label, a, b) in enumerate(items)
    ]
    rows.append(Row("summa", f"Summa {title.lower()}", RowKind.TOTAL, parts=tuple(r.id for r in rows)))
    return with_sums(Table(nid, title, cols, tuple(rows), Unit.TKR))


def driftredovisning() -> Table:
    cols = (
        Column("budget_2023", "Budget 2023"),
        Column("utfall_2023", "Utfall 2023"),
        Column("avvikelse_2023", "Avvikelse", derived=("utfall_2023", "-", "budget_2023")),
    )
    blocks = {
        "it": (
            "81141 IT",
            [
                ("Intäkter", "34751000", "36207320"),
                ("Personalkostnader", "-10769000", "-10430412"),
                ("Övriga kostnader", "-11516000", "-12505901"),
                ("Avskrivningar", "-11768000", "-11303600"),
            ],
        ),
        "kundtjanst": (
            "81143 Kundtjänst",
            [
                ("Intäkter", "7679000", "7110254"),
                ("Personalkostnader", "-5644000", "-5493120"),
                ("Övriga kostnader", "-1932000", "-1885430"),
            ],
        ),
        "revision": (
            "81145 Revision",
            [("Personalkostnader", "-20000", "-11730"), ("Övriga kostnader", "-160000", "-155270")],
        ),
    }
    rows: list[Row] = []
    subtotals = []
    for key, (label, items) in blocks.items():
        ids = []
        for i, (item, budget, utfall) in enumerate(items):
            rid = f"{key}_{i}"
            ids.append(rid)
            rows.append(Row(rid, item, values={"budget_2023": d(budget), "utfall_2023": d(utfall)}, level=1))
        rows.append(Row(key, label, RowKind.SUBTOTAL, parts=tuple(ids)))
        subtotals.append(key)
    rows.append(Row("totalt", "Totalt", RowKind.TOTAL, parts=tuple(subtotals)))
    return with_sums(
        Table(
            "driftredovisning",
            "Driftredovisning",
            cols,
            tuple(rows),
            Unit.TKR,
            label_header="Verksamhet",
        )
    )


def balanskravsutredning() -> Table:
    cols = (Column("ar_2023", "2023"), Column("ar_2022", "2022"), Column("ar_2021", "2021"))
    rows = (
        Row(
            "arets_resultat",
            "Årets resultat",
            RowKind.TOTAL,
            values={"ar_2023": d("1375823.45"), "ar_2022": d("1441040"), "ar_2021": d("1688000")},
            quantity="arets_resultat",
        ),
        Row(
            "realisationsvinster",
            "Samtliga realisationsvinster",
            values={"ar_2023": d(0), "ar_2022": d(0), "ar_2021": d(0)},
        ),
        Row(
            "balanskravsresultat",
            "Årets balanskravsresultat",
            RowKind.TOTAL,
            parts=("arets_resultat", "-realisationsvinster"),
        ),
    )
    return with_sums(Table("balanskravsutredning", "Balanskravsutredning", cols, rows, Unit.TKR))


def nyckeltal() -> Table:
    cols = (
        Column("ar_2023", "2023", ColumnKind.PERCENT),
        Column("ar_2022", "2022", ColumnKind.PERCENT),
    )
    rows = (
        Row("soliditet", "Soliditet", values={"ar_2023": d("20.0015"), "ar_2022": d("16.12")}),
        Row(
            "resultatandel",
            "Resultat i andel av omsättning",
            values={"ar_2023": d("3.134"), "ar_2022": d("3.57")},
        ),
    )
    return Table("nyckeltal", "Finansiella nyckeltal", cols, rows, unit=None)


def mal() -> Table:
    cols = (
        Column("indikator", "Indikator", ColumnKind.TEXT),
        Column("bedomning", "Måluppfyllelse", ColumnKind.TEXT),
    )
    rows = tuple(
        Row(f"m{i}", f"Mål {i}", values={"indikator": ind, "bedomning": b})
        for i, (ind, b) in enumerate(
            [
                ("NKI", "uppfyllt"),
                ("Svarstid", "delvis uppfyllt"),
                ("Sjukfrånvaro", "uppfyllt"),
                ("Återbruk", "ej uppfyllt"),
            ],
            1,
        )
    )
    return Table("mal", "Mål och måluppfyllelse", cols, rows, unit=None)


def balansrakning() -> Table:
    cols = (Column("ar_2023", "2023-12-31"), Column("ar_2022", "2022-12-31"))
    rows = (
        Row("h_tillgangar", "Tillgångar", RowKind.HEADING),
        Row(
            "inventarier",
            "Maskiner och inventarier",
            values={"ar_2023": d("20787400"), "ar_2022": d("22861200")},
            note="not_5",
            level=1,
        ),
        Row(
            "fordringar",
            "Fordringar",
            values={"ar_2023": d("5281100"), "ar_2022": d("5041300")},
            level=1,
        ),
        Row(
            "kassa",
            "Kassa och bank",
            values={"ar_2023": d("5995240"), "ar_2022": d("3342100")},
            note="not_6",
            level=1,
            quantity="likvida_medel",
        ),
        Row(
            "summa_tillgangar",
            "Summa tillgångar",
            RowKind.TOTAL,
            parts=("inventarier", "fordringar", "kassa"),
        ),
        Row("h_ek", "Eget kapital och skulder", RowKind.HEADING),
        Row(
            "eget_kapital",
            "Eget kapital",
            values={"ar_2023": d("6412940"), "ar_2022": d("5037116.55")},
            level=1,
        ),
        Row(
            "skulder",
            "Skulder",
            values={"ar_2023": d("25650800"), "ar_2022": d("26207483.45")},
            level=1,
        ),
        Row(
            "summa_ek_skulder",
            "Summa eget kapital och skulder",
            RowKind.TOTAL,
            parts=("eget_kapital", "skulder"),
        ),
    )
    return with_sums(Table("balansrakning", "Balansräkning", cols, rows, Unit.TKR))


def kassaflodesanalys() -> Table:
    cols = (Column("ar_2023", "2023"),)
    rows = (
        Row(
            "arets_resultat",
            "Årets resultat",
            values={"ar_2023": d("1375823.45")},
            quantity="arets_resultat",
        ),
        Row(
            "avskrivningar",
            "Justering för av- och nedskrivningar",
            values={"ar_2023": d("11303600")},
            note="not_5",
        ),
        Row("rorelsekapital", "Förändring av rörelsekapital", values={"ar_2023": d("1202716.55")}),
        Row(
            "drift",
            "Kassaflöde från drift",
            RowKind.SUBTOTAL,
            parts=("arets_resultat", "avskrivningar", "rorelsekapital"),
        ),
        Row(
            "investeringar",
            "Investeringar i materiella anläggningstillgångar",
            values={"ar_2023": d("-9229000")},
        ),
        Row("amortering", "Amortering långfristiga lån", values={"ar_2023": d("-2000000")}),
        Row(
            "arets_kassaflode",
            "Årets kassaflöde",
            RowKind.TOTAL,
            parts=("drift", "investeringar", "amortering"),
        ),
    )
    return with_sums(Table("kassaflodesanalys", "Kassaflödesanalys", cols, rows, Unit.TKR))


def investeringsredovisning() -> Table:
    cols = (
        Column("budget", "Budget 2023"),
        Column("utfall", "Utfall 2023"),
        Column("avvikelse", "Avvikelse", derived=("budget", "-", "utfall")),
    )
    items = [
        ("IT-utrustning 3 år", "6000000", "4600312"),
        ("IT-utrustning 4 år", "3300000", "3165120"),
        ("Fordon", "0", "177400"),
    ]
    rows = [
        Row(f"p{i}", label, values={"budget": d(b), "utfall": d(u)}) for i, (label, b, u) in enumerate(items)
    ]
    rows.append(Row("totalt", "Totalt", RowKind.TOTAL, parts=tuple(r.id for r in rows)))
    return with_sums(
        Table(
            "investeringsredovisning",
            "Investeringsredovisning",
            cols,
            tuple(rows),
            Unit.TKR,
            label_header="Projekt",
        )
    )


def parts() -> list[ReportPart]:
    notes = [
        note(
            "not_1",
            "Verksamhetens intäkter",
            [
                ("Försäljning av tjänster", "36207320.40", "32810170"),
                ("Övriga intäkter", "7694991", "7550000"),
            ],
        ),
        note(
            "not_2",
            "Verksamhetens kostnader",
            [
                ("Personalkostnader", "-17000000", "-15200000"),
                ("Övriga kostnader", "-14822479.95", "-13332400"),
            ],
        ),
        note(
            "not_3",
            "Av- och nedskrivningar",
            [("Avskrivningar inventarier", "-11303600", "-11086200")],
        ),
        note("not_4", "Finansiella kostnader", [("Räntekostnader", "-210408", "-90730")]),
        note(
            "not_5",
            "Maskiner och inventarier",
            [
                ("Ingående värde", "22861200", "21573000"),
                ("Investeringar", "9229800", "12374400"),
                ("Avskrivningar", "-11303600", "-11086200"),
            ],
        ),
        note("not_6", "Kassa och bank", [("Bank", "5995240", "3342100")]),
    ]
    statements = ReportPart(
        tables=(
            resultatrakning(),
            balansrakning(),
            kassaflodesanalys(),
            driftredovisning(),
            investeringsredovisning(),
            balanskravsutredning(),
            nyckeltal(),
            *notes,
        ),
        values={
            "arets_resultat": d("1375823.45"),
            "balanskravsresultat": d("1375823.45"),
            "likvida_medel": d("5995240"),
            "resultat_andel_av_omsattning": d("3.134"),
            "soliditet": d("20.0015"),
            "antal_anstallda": 27,
            "orgnamn": "Kommunalförbundet Lystkom",
        },
    )
    return [statements, ReportPart(tables=(mal(),))]


def title_page() -> TitlePage:
    return TitlePage(
        "Kommunalförbundet Lystkom",
        "Årsredovisning 2023",
        "Räkenskapsåret 1 januari – 31 december 2023",
        dt.date(2023, 12, 31),
    )


CHAPTERS = [
    (
        "text/01-forvaltningsberattelse.md",
        """{# Förvaltningsberättelsen: skriv med egna ord. #}
# Förvaltningsberättelse

## Årets resultat

{{ v.orgnamn }} redovisar ett överskott på **{{ v.arets_resultat | tkr }}**
({{ v.arets_resultat | kr(avrunda="tkr") }}).
IT redovisar {{ cell("driftredovisning", "it", "utfall_2023") | tkr }} mot budget
{{ cell("driftredovisning", "it", "budget_2023") | tkr }}.
Soliditeten är {{ v.soliditet | procent }}
och förbundet har {{ v.antal_anstallda }} anställda.
Intäkterna redovisas i {{ notnummer("not_1") }}.

- Intäkterna ökade.
- Kostnaderna för *konsulter* minskade.

{{ diagram("resultat_mot_budget") }}

{{ diagram("resultatutveckling") }}

### Måluppfyllelse

{{ diagram("fordelning", tabell="mal", kolumn="bedomning", rubrik="Måluppfyllelse 2023") }}

{{ tabell("mal") }}

## Driftredovisning

{{ tabell("driftredovisning") }}

## Balanskravsresultat

{{ tabell("balanskravsutredning") }}

{{ tabell("nyckeltal") }}
""",
    ),
    (
        "text/02-finansiella-rapporter.md",
        """# Finansiella rapporter

## Resultaträkning

{{ tabell("resultatrakning") }}

## Noter

{{ noter() }}
""",
    ),
]


def png(width: int = 2, height: int = 1) -> bytes:
    """A real red PNG file, for the pictures in chapters and on the cover."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + body
