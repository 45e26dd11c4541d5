"""Table understanding: what the header, the columns and the rows of a grid mean."""

from __future__ import annotations

from bokslut.granska.grid import RawRow, RawTable, column_of, understand
from bokslut.granska.model import Place, Role, RowKind


def grid(rows: list[list[str]], title: str = "", bold: tuple[int, ...] = ()) -> RawTable:
    return RawTable(
        [RawRow(cells, Place("t.md", line=i + 1), bold=i in bold) for i, cells in enumerate(rows)],
        Place("t.md", line=1),
        title,
    )


def test_columns_roles_years_unit_notes_and_sums() -> None:
    t = understand(
        grid(
            [
                ["Post", "Not", "Budget 2023", "Utfall 2023", "Avvikelse"],
                ["Intäkter", "Not 1", "34 751", "36 207", "−1 456"],
                ["Kostnader", "", "−10 769", "−10 430", "−339"],
                ["Summa", "", "23 982", "25 777", "−1 795"],
            ],
            title="Driftredovisning (tkr)",
        )
    )
    assert t is not None
    assert t.unit == "tkr" and t.title == "Driftredovisning (tkr)"
    assert [(c.heading, c.role, c.year) for c in t.columns] == [
        ("Budget 2023", Role.BUDGET, 2023),
        ("Utfall 2023", Role.OUTCOME, 2023),
        ("Avvikelse", Role.DEVIATION, None),
    ]
    assert [(r.label, r.kind, r.note) for r in t.rows] == [
        ("Intäkter", RowKind.ITEM, 1),
        ("Kostnader", RowKind.ITEM, None),
        ("Summa", RowKind.SUM, None),
    ]
    assert [c.text for c in t.rows[0].cells if c] == ["34 751", "36 207", "−1 456"]


def test_headings_varav_and_typography() -> None:
    t = understand(
        grid(
            [
                ["", "2023", "2022"],
                ["TILLGÅNGAR", "", ""],
                ["Taxor och avgifter", "", ""],
                ["Eget kapital", "6 413", "5 037"],
                ["- varav årets resultat", "1 376", "1 441"],
                ["Årets resultat", "1 376", "1 441"],
                ["Summa", "7 789", "6 478"],
            ],
            bold=(6,),
        )
    )
    assert t is not None
    kinds = [r.kind for r in t.rows]
    # "Årets resultat" is a sum by its label only when the table marks no sums in bold.
    assert kinds == [RowKind.HEADING, RowKind.EMPTY, RowKind.ITEM, RowKind.VARAV, RowKind.ITEM, RowKind.SUM]


def test_a_grid_without_numbers_is_no_table() -> None:
    assert understand(grid([["Namn", "Uppdrag"], ["Roland Sjögren (KD)", "Ordförande"]])) is None


def test_interim_cut_off_is_read_as_a_year() -> None:
    c = column_of("Utfall 200731")
    assert (c.role, c.year) == (Role.OUTCOME, 2020)
