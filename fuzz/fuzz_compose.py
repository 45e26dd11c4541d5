"""Coverage-guided fuzzing of chapter composing (Markdown with Jinja expressions) with atheris.

A chapter is untrusted code. The contract of ``compose``: any text gives a Document or a
BokslutError whose findings name the chapter (never another exception), within the
sandbox's limits of time and size; the Document renders to HTML; and no finding passes
Jinja's or Python's English on.

    mkdir -p /tmp/compose-corpus
    .venv/bin/python fuzz/fuzz_compose.py -runs=100000 -max_len=4096 /tmp/compose-corpus \
        examples/lystkom-2023/text examples/sydnarke-2020/text

libFuzzer writes the inputs it finds into the first folder, so give it a scratch one.
"""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal

import atheris

with atheris.instrument_imports(include=["bokslut.compose", "bokslut.direction"]):
    from bokslut.compose.chapters import compose

from bokslut.diagnostics import BokslutError
from bokslut.document import TitlePage
from bokslut.parts import ReportPart
from bokslut.render.html import render_html
from bokslut.report_data import ReportData
from bokslut.table import Column, Row, RowKind, Table

# Words that only Jinja's or Python's own messages would bring into a finding.
ENGLISH = ("Traceback", "got an unexpected", "is undefined", "No filter named", "object has no attribute")


def _data() -> ReportData:
    rr = Table(
        "resultatrakning",
        "Resultaträkning",
        (Column("utfall", "2023"), Column("utfall_fg", "2022")),
        (
            Row(
                "intakter",
                "Intäkter",
                values={"utfall": Decimal("43901500"), "utfall_fg": Decimal("40359500")},
            ),
            Row(
                "kostnader",
                "Kostnader",
                values={"utfall": Decimal("-42525500"), "utfall_fg": Decimal("-38918100")},
            ),
            Row(
                "arets_resultat",
                "Årets resultat",
                RowKind.TOTAL,
                values={"utfall": Decimal("1376000"), "utfall_fg": Decimal("1441400")},
                parts=("intakter", "kostnader"),
                quantity="arets_resultat",
                note="not_intakter",
            ),
        ),
    )
    note = Table(
        "not_intakter",
        "Intäkter",
        (Column("utfall", "2023"),),
        (Row("summa", "Summa", RowKind.TOTAL, values={"utfall": Decimal("43901500")}),),
    )
    part = ReportPart(
        tables=(rr, note),
        values={
            "arets_resultat": Decimal("1376000"),
            "andel": Decimal("12.5"),
            "antal": 13,
            "namn": "Lystkom",
        },
    )
    return ReportData.merge([part])


DATA = _data()
TITLE = TitlePage(
    "Kommunalförbundet Lystkom", "Årsredovisning 2023", "Räkenskapsåret 2023", dt.date(2023, 12, 31)
)


def test_one(data: bytes) -> None:
    text = data.decode("utf-8", errors="replace")
    try:
        doc = compose([("text/01.md", text)], DATA, TITLE)
    except BokslutError as exc:
        for f in exc.findings:
            assert f.file == "text/01.md" or f.file is None, f
            assert not any(word in f.message for word in ENGLISH), f.message
        return
    render_html(doc)


def main() -> None:
    atheris.Setup(sys.argv, test_one)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
