"""Renderer-side speed of `bokslut build`: a large synthetic report in every format.

Generates its own data: a driftredovisning with many verksamheter (subtotal
blocks), a resultaträkning with notes, many note tables, charts and chapters
full of live figures. Prints compose and per-format times and the total.
Target (issue 4): the full build of the example report in all formats under
5 s; this report is several times larger than the example.

    .venv/bin/python benchmarks/bench_build.py [--verksamheter 60] [--noter 40] [--kapitel 12]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from bokslut.parts import ReportPart
from bokslut.pipeline.build import RENDERERS, build_report, compose_workspace
from bokslut.table import Column, Row, RowKind, Table, Unit, with_sums
from bokslut.workspace.config import OrgTyp, load_config
from bokslut.workspace.layout import Layout
from bokslut.workspace.new import create_workspace

ITEMS = ("Intäkter", "Personalkostnader", "Övriga kostnader", "Avskrivningar")


def money(rng: random.Random, scale: int) -> Decimal:
    return Decimal(rng.randint(-scale * 100, scale * 100)).scaleb(-2)


def drift(rng: random.Random, n: int) -> Table:
    cols = (
        Column("budget_2023", "Budget 2023"),
        Column("utfall_2023", "Utfall 2023"),
        Column("avvikelse_2023", "Avvikelse", derived=("utfall_2023", "-", "budget_2023")),
        Column("budget_2022", "Budget 2022"),
        Column("utfall_2022", "Utfall 2022"),
    )
    rows: list[Row] = []
    subtotals = []
    for v in range(n):
        ids = []
        for i, item in enumerate(ITEMS):
            rid = f"v{v}_{i}"
            ids.append(rid)
            values = {c.id: money(rng, 20_000_000) for c in cols if c.derived is None}
            rows.append(Row(rid, item, values=values, level=1))
        rows.append(Row(f"v{v}", f"{81100 + v} Verksamhet {v}", RowKind.SUBTOTAL, parts=tuple(ids)))
        subtotals.append(f"v{v}")
    rows.append(Row("totalt", "Totalt", RowKind.TOTAL, parts=tuple(subtotals)))
    return with_sums(Table("driftredovisning", "Driftredovisning", cols, tuple(rows), Unit.TKR))


def note(rng: random.Random, k: int) -> Table:
    cols = (Column("ar_2023", "2023"), Column("ar_2022", "2022"))
    rows = [
        Row(f"r{i}", f"Post {i} i not {k}", values={c.id: money(rng, 5_000_000) for c in cols})
        for i in range(8)
    ]
    rows.append(Row("summa", "Summa", RowKind.TOTAL, parts=tuple(r.id for r in rows)))
    return with_sums(Table(f"not_{k}", f"Not om post {k}", cols, tuple(rows), Unit.TKR))


def resultatrakning(rng: random.Random, notes: int) -> Table:
    cols = (Column("ar_2023", "2023"), Column("ar_2022", "2022"))
    rows = [
        Row(
            f"r{k}",
            f"Resultatpost {k}",
            values={c.id: money(rng, 50_000_000) for c in cols},
            note=f"not_{k}",
        )
        for k in range(1, notes + 1)
    ]
    rows.append(
        Row(
            "arets_resultat",
            "Årets resultat",
            RowKind.TOTAL,
            parts=tuple(r.id for r in rows),
            quantity="arets_resultat",
        )
    )
    return with_sums(Table("resultatrakning", "Resultaträkning", cols, tuple(rows), Unit.TKR))


def chapters(n: int, verksamheter: int) -> dict[str, str]:
    out = {
        "01-rakenskaper.md": "# Finansiella rapporter\n\n{{ tabell('resultatrakning') }}\n\n"
        "# Noter\n\n{{ noter() }}\n",
        "02-drift.md": "# Driftredovisning\n\n{{ diagram('resultat_mot_budget') }}\n\n"
        "{{ tabell('driftredovisning') }}\n",
    }
    for c in range(n):
        parts = [f"# Verksamhetsberättelse {c}\n"]
        for v in range(verksamheter):
            parts.append(
                f"## Verksamhet {v}\n\n"
                f"Verksamheten redovisar "
                f"{{{{ cell('driftredovisning', 'v{v}', 'utfall_2023') | tkr }}}} mot en budget på "
                f"{{{{ cell('driftredovisning', 'v{v}', 'budget_2023') | tkr }}}}, en avvikelse på "
                f"{{{{ cell('driftredovisning', 'v{v}', 'avvikelse_2023') | tkr }}}}. Förbundets "
                "resultat är {{ v.arets_resultat | tkr }}. *Året präglades av förändring*, "
                "och arbetet med **digitalisering** fortsatte.\n\n- Mål ett.\n- Mål två.\n"
            )
        out[f"{10 + c:02d}-verksamhet.md"] = "\n".join(parts)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--verksamheter", type=int, default=60)
    ap.add_argument("--noter", type=int, default=40)
    ap.add_argument("--kapitel", type=int, default=4)
    args = ap.parse_args()
    rng = random.Random(2023)
    tables = (
        drift(rng, args.verksamheter),
        resultatrakning(rng, args.noter),
        *(note(rng, k) for k in range(1, args.noter + 1)),
    )
    rr = tables[1]
    part = ReportPart(tables=tables, values={"arets_resultat": rr.value("arets_resultat", "ar_2023")})
    with tempfile.TemporaryDirectory() as tmp:
        layout: Layout = create_workspace(
            Path(tmp) / "ws", "Benchmarkförbundet", OrgTyp.KOMMUNALFORBUND, 2023
        )
        for p in layout.text_dir.iterdir():
            p.unlink()
        for name, text in chapters(args.kapitel, args.verksamheter).items():
            (layout.text_dir / name).write_text(text, encoding="utf-8")
        config = load_config(layout.config)
        rows = sum(len(t.rows) for t in tables)
        print(f"rapport: {len(tables)} tabeller, {rows} rader, {args.kapitel + 2} kapitel")
        total_start = time.perf_counter()
        start = time.perf_counter()
        doc, _ = compose_workspace(layout, config, [lambda lay, cfg: [part]])
        print(f"compose  {time.perf_counter() - start:6.2f} s")
        for fmt, render in RENDERERS.items():
            start = time.perf_counter()
            data = render(doc)
            print(f"{fmt:<8} {time.perf_counter() - start:6.2f} s  {len(data) / 1024:8.0f} KiB")
        print(f"summa    {time.perf_counter() - total_start:6.2f} s  (steg för steg)")
        start = time.perf_counter()
        build_report(layout, config, [lambda lay, cfg: [part]], quiet=True)
        print(f"build    {time.perf_counter() - start:6.2f} s  (hela bygget, alla format; mål < 5 s)")


if __name__ == "__main__":
    main()
