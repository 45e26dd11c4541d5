"""`bokslut harled`: a figure of the report back to its accounts, vouchers and rows."""

from __future__ import annotations

import sys
from decimal import Decimal
from typing import Any

import click

from bokslut.cli.common import echo_json, print_findings, workspace_root
from bokslut.diagnostics import Level
from bokslut.drilldown import (
    Breakdown,
    UnknownName,
    breakdown_json,
    page_json,
    voucher_json,
)
from bokslut.ledger.drilldown import PAGE_SIZE, VoucherEntry, VoucherPage
from bokslut.money import format_ore
from bokslut.pipeline.drill import open_drill
from bokslut.render.numbers import format_number
from bokslut.sie.tokens import printable
from bokslut.workspace.config import load_config
from bokslut.workspace.layout import Layout

_HINTS = {"tabell": "TABELL", "rad": "RAD", "kolumn": "KOLUMN", "värde": "--varde"}


def _ore(amount: int) -> str:
    return format_ore(amount).replace("\u00a0", " ").replace("\u2212", "-")


def _dec(v: Decimal | None) -> str:
    if v is None:
        return ""
    return format_number(v, max(0, -int(v.as_tuple().exponent))).replace("\u00a0", " ").replace("\u2212", "-")


def _shown(b: Breakdown) -> str:
    f = b.figure
    if f.shown is None:
        return ""
    if isinstance(f.shown, str):
        return f.shown
    text = _dec(f.shown)
    return f"{text} {f.unit}" if f.unit else text


def _exact(v: object) -> str:
    return f"{_dec(v)} kr" if isinstance(v, Decimal) else ""


def _out(text: str) -> None:
    # Labels, names and texts come from the user's files: no control character may reach the terminal.
    click.echo(printable(text))


def _print_tree(b: Breakdown, indent: int = 0, sign: str = "") -> None:
    pad = "  " * indent
    f = b.figure
    head = f"{pad}{sign}{f.label} [{f.row}, {f.column}]"
    shown = _shown(b)
    _out(f"{head}  {f'visat {shown}  ' if shown else ''}exakt {_exact(f.exact)}".rstrip())
    for n in b.notes:
        _out(f"{pad}  OBS: {n}")
    if b.parts:
        _out(f"{pad}  {b.description}:")
        for p in b.parts:
            _print_tree(p.breakdown, indent + 2, "+ " if p.sign > 0 else "− ")
        _out(f"{pad}  Summa av delarna: {_exact(b.total)}")
        return
    if b.kind == "huvudbok":
        _out(f"{pad}  {b.description}; konton ({len(b.accounts)}):")
        width = max([len(a.name[:40]) for a in b.accounts] + [4])
        for a in b.accounts:
            name = a.name if len(a.name) <= 40 else a.name[:39] + "…"
            ib = f"  IB {_ore(a.opening)}" if a.opening else ""
            _out(
                f"{pad}    {a.account:<6} {name:<{width}}{ib}  rörelse {_ore(a.movement)}  → {_ore(a.amount)}"
            )
            for key, amount in a.objects:
                _out(f"{pad}      objekt {key or '(inget)'}: {_ore(amount)}")
            for r in a.opening_records:
                _out(f"{pad}      #{r.kind} {_ore(r.amount)}  {r.place.text()}")
        _out(f"{pad}  Summa konton: {_exact(b.total)}")
    elif b.kind in ("budget", "prognos"):
        _out(f"{pad}  {b.description}:")
        for e in b.plan:
            where = e.place.text() if e.place is not None else ""
            _out(f"{pad}    {_ore(e.amount)}  {e.description}  {where}".rstrip())
            for r in e.records:
                _out(f"{pad}      #PBUDGET {r.period} {_ore(r.amount)}  {r.place.text()}")
        _out(f"{pad}  Summa rader: {_exact(b.total)}")
    elif b.data is not None:
        _out(f"{pad}  Källa: {b.data.place.text()}")
        for k, v in b.data.details:
            _out(f"{pad}    {k}: {v}")
    else:
        _out(f"{pad}  {b.description}")


def _print_voucher(v: VoucherEntry, show_counted: bool = False) -> None:
    _out(f"  {v.series} {v.number}  {v.date.isoformat()}  {v.text}  {v.place.text()}  → {_ore(v.amount)}")
    for r in v.rows:
        mark = ("* " if r.counted else "  ") if show_counted else ""
        kind = "" if r.kind == "TRANS" else f" #{r.kind}"
        objs = f" {r.objects}" if r.objects else ""
        text = f"  {r.text}" if r.text else ""
        _out(f"      {mark}{r.account}{objs}{kind}  {_ore(r.amount)}{text}  {r.place.text()}")


def _print_page(leaf: Breakdown, page: VoucherPage, page_no: int, count: int) -> None:
    f = leaf.figure
    acc = next((a for a in leaf.accounts if a.account == page.account), None)
    click.echo()
    _out(
        f"Konto {page.account}{' ' + acc.name if acc and acc.name else ''} i {f.label} [{f.row}, {f.column}]"
    )
    if acc is not None:
        for r in acc.opening_records:
            _out(f"  #{r.kind} ingående balans {_ore(r.amount)}  {r.place.text()}")
    pages = max(1, -(-count // page.limit))
    _out(
        f"  Verifikationer {page.offset + 1}–{page.offset + len(page.vouchers)} av {count} "
        f"(sida {page_no} av {pages}; {page.row_count} rader):"
    )
    for v in page.vouchers:
        _print_voucher(v)
    _out(f"  Summa denna sida: {_ore(page.page_total)}")
    _out(f"  Summa alla verifikationer: {_ore(page.total)}")
    if acc is not None:
        sign = leaf.selection.sign if leaf.selection is not None else 1
        _out(
            f"  Ingående balans {_ore(sign * acc.opening)} + verifikationer {_ore(page.total)} "
            f"= {_ore(acc.amount)}"
        )


def _unknown(exc: UnknownName) -> click.BadParameter:
    known = ", ".join(exc.known) or "(inga)"
    article = "något" if exc.what == "värde" else "någon"
    return click.BadParameter(
        f"{article} {exc.what} med namnet '{exc.name}' finns inte (finns: {known})",
        param_hint=_HINTS[exc.what],
    )


@click.command("harled")
@click.argument("workspace", metavar="ARBETSYTA", type=click.Path(file_okay=False))
@click.argument("table", metavar="[TABELL", required=False)
@click.argument("row", metavar="RAD", required=False)
@click.argument("column", metavar="KOLUMN]", required=False)
@click.option(
    "--varde", "value", metavar="NAMN", help="Ett namngivet värde i stället för en cell (arets_resultat)."
)
@click.option("--konto", "account", metavar="KONTO", help="Visa kontots verifikationer och rader.")
@click.option(
    "--sida",
    "page",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Sida av verifikationerna.",
)
@click.option(
    "--verifikation", "voucher", metavar="SERIE:NUMMER", help="Visa alla rader i en verifikation (A:12)."
)
@click.option("--json", "as_json", is_flag=True, help="Som JSON.")
def harled_cmd(
    workspace: str,
    table: str | None,
    row: str | None,
    column: str | None,
    value: str | None,
    account: str | None,
    page: int,
    voucher: str | None,
    as_json: bool,
) -> None:
    """Härled en siffra i rapporten: delsummor, konton, verifikationer och rader med fil:rad.

    Ange en cell (TABELL RAD KOLUMN, som i 'bokslut tables --csv') eller ett värde med --varde.
    Utan --konto visas delarna och kontona; med --konto kontots verifikationer, en sida i taget.
    """
    ctx = click.get_current_context()
    given = [x for x in (table, row, column) if x is not None]
    if value is not None and given:
        raise click.UsageError("ange antingen TABELL RAD KOLUMN eller --varde, inte båda", ctx)
    if value is None and len(given) != 3:
        raise click.UsageError(
            "ange TABELL RAD KOLUMN (t.ex. resultatrakning arets_resultat utfall) eller --varde", ctx
        )
    series_number: tuple[str, str] | None = None
    if voucher is not None:
        s, sep, n = voucher.rpartition(":")
        if not sep or not n:
            raise click.BadParameter(
                f"'{voucher}' ska skrivas SERIE:NUMMER, t.ex. A:12", ctx, param_hint="--verifikation"
            )
        series_number = (s, n)
    layout = Layout(workspace_root(workspace))
    with open_drill(layout, load_config(layout.config)) as (drill, findings):
        print_findings(f for f in findings if f.level is Level.ERROR)
        sign = 1
        try:
            if value is not None:
                found = drill.value_cell(value)
                if found is None:
                    raise click.BadParameter(
                        f"värdet '{value}' kommer inte ur någon tabellcell och kan inte härledas här",
                        ctx,
                        param_hint="--varde",
                    )
                sign, ref = found
            else:
                assert table is not None and row is not None and column is not None
                ref = drill.cell(table, row, column)
        except UnknownName as exc:
            raise _unknown(exc) from None
        breakdown = drill.explain(ref)
        leaves = [leaf for _, leaf in breakdown.leaves() if leaf.kind == "huvudbok"]
        pages: list[tuple[Breakdown, VoucherPage, int]] = []
        if account is not None:
            chosen = [leaf for leaf in leaves if any(a.account == account for a in leaf.accounts)]
            if not chosen:
                known = sorted({a.account for leaf in leaves for a in leaf.accounts})
                raise click.BadParameter(
                    f"kontot '{account}' ingår inte i siffran (konton: {', '.join(known) or '(inga)'})",
                    ctx,
                    param_hint="--konto",
                )
            for leaf in chosen:
                if leaf.movements:
                    offset = (page - 1) * PAGE_SIZE
                    found_page = drill.vouchers(leaf, account, offset=offset)
                    pages.append((leaf, found_page, drill.count_vouchers(leaf, account)))
        shown_voucher: VoucherEntry | None = None
        if series_number is not None:
            for leaf in leaves:
                shown_voucher = drill.voucher(leaf, *series_number)
                if shown_voucher is not None:
                    break
            if shown_voucher is None:
                raise click.BadParameter(
                    f"verifikationen {voucher} finns inte i siffrans räkenskapsår",
                    ctx,
                    param_hint="--verifikation",
                )
    if as_json:
        data: dict[str, Any] = {"value": value, "value_sign": sign, "breakdown": breakdown_json(breakdown)}
        if pages:
            data["vouchers"] = [
                {
                    "table": leaf.figure.table,
                    "row": leaf.figure.row,
                    "column": leaf.figure.column,
                    **page_json(p, count),
                }
                for leaf, p, count in pages
            ]
        if shown_voucher is not None:
            data["voucher"] = voucher_json(shown_voucher)
        echo_json(data)
    else:
        if value is not None:
            minus = "minus " if sign < 0 else ""
            _out(f"Värdet {value} = {minus}cellen {ref.table} / {ref.row} / {ref.column}")
        f = breakdown.figure
        table_title = drill.tables[f.table].title
        _out(f"{table_title} › {f.label} › {f.column_label}")
        _print_tree(breakdown)
        for leaf, p, count in pages:
            _print_page(leaf, p, page, count)
        if shown_voucher is not None:
            click.echo()
            _out(f"Verifikation {voucher} (* = räknas i siffran):")
            _print_voucher(shown_voucher, show_counted=True)
    if any(f.level is Level.ERROR for f in findings):
        sys.exit(1)
