"""Commands for the ledger: import, inspect, saldon."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from bokslut.cli.common import count_text, echo_json, print_findings, workspace_root
from bokslut.cli.params import Year, check_accounts, check_object, exclusive
from bokslut.diagnostics import Finding, Level, has_errors
from bokslut.ledger.queries import AccountRange, parse_object, trial_balance
from bokslut.ledger.store import open_store
from bokslut.money import format_ore, kronor
from bokslut.workspace.layout import Layout

if TYPE_CHECKING:
    from bokslut.sie.model import SieFile


CHECK_NAMES = {
    "check_balanced": "verifikationerna balanserar",
    "check_opening_vs_previous_closing": "ingående balans = föregående års utgående balans",
    "check_balances_reconcile": (
        "utgående balans = ingående balans + årets transaktioner; #RES = årets transaktioner"
    ),
    "check_dates_in_year": "transaktionsdatum inom räkenskapsåret",
    "check_declared": "använda konton och objekt är deklarerade",
    "check_fiscal_year": "räkenskapsåret anges (#RAR 0)",
    "check_unique_vouchers": "verifikationsnumren är unika",
}


def inspect_data(sie: SieFile) -> dict[str, Any]:
    from bokslut.sie import checks as sie_checks

    results = []
    findings: list[Finding] = list(sie.findings)
    readable = not has_errors(sie.findings) or sie.vouchers.num_rows or sie.accounts
    for check in sie_checks.CHECKS:
        found = check(sie) if readable else []
        findings.extend(found)
        worst = "ok"
        if any(f.level is Level.ERROR for f in found):
            worst = "error"
        elif any(f.level is Level.WARNING for f in found):
            worst = "warning"
        results.append(
            {
                "check": CHECK_NAMES.get(check.__name__, check.__name__),
                "result": worst,
                "findings": len(found),
            }
        )
    h = sie.header
    return {
        "file": sie.name,
        "program": h.program,
        "program_version": h.program_version,
        "format": h.format,
        "encoding": sie.encoding,
        "sietyp": sie.sietyp_label,
        "organisation": {"name": h.fnamn, "orgnr": h.orgnr},
        "generated": h.generated.isoformat() if h.generated else None,
        "fiscal_years": [
            {"index": fy.index, "start": fy.start.isoformat(), "end": fy.end.isoformat()}
            for fy in h.fiscal_years
        ],
        "ksumma": h.ksumma,
        "accounts": len(sie.accounts),
        "dimensions": [
            {
                "dim": d.number,
                "name": d.name,
                "parent": d.parent,
                "objects": sum(1 for o in sie.objects if o.dimension == d.number),
            }
            for d in sie.dimensions
        ],
        "objects": len(sie.objects),
        "vouchers": sie.vouchers.num_rows,
        "transactions": sie_checks.counted(sie).num_rows,
        "counts": dict(sorted(sie.counts.items())),
        "checks": results,
        "findings": [f.to_json() for f in findings],
    }


@click.command("inspect")
@click.argument("file", metavar="FIL", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Resultatet som JSON.")
def inspect_cmd(file: Path, as_json: bool) -> None:
    """Visa vad en SIE-fil innehåller och om den håller ihop."""
    from bokslut.sie.reader import read_sie

    sie = read_sie(file)
    data = inspect_data(sie)
    if as_json:
        echo_json(data)
    else:
        _print_inspect(data)
    if any(f["level"] == "error" for f in data["findings"]):
        sys.exit(1)


def _print_inspect(d: dict[str, Any]) -> None:
    from bokslut.sie.tokens import printable

    def out(text: str, err: bool = False) -> None:
        # Names and labels come from the file: no control character may reach the terminal.
        click.echo(printable(text), err=err)

    out(f"Fil:            {d['file']}")
    prog = " ".join(p for p in (d["program"], d["program_version"]) if p) or "–"
    out(f"Program:        {prog}")
    out(f"SIE-typ:        {d['sietyp']}   format: {d['format'] or '–'}   teckenkodning: {d['encoding']}")
    org = d["organisation"]
    out(f"Organisation:   {org['name'] or '–'}" + (f" ({org['orgnr']})" if org["orgnr"] else ""))
    for fy in d["fiscal_years"]:
        out(f"Räkenskapsår {fy['index']:>2}: {fy['start']} – {fy['end']}")
    out(f"Konton:         {count_text(d['accounts'])}")
    for dim in d["dimensions"]:
        parent = f", under {dim['parent']}" if dim["parent"] is not None else ""
        out(f"Dimension {dim['dim']:>3}:  {dim['name']} ({count_text(dim['objects'])} objekt{parent})")
    out(f"Objekt:         {count_text(d['objects'])}")
    out(f"Verifikationer: {count_text(d['vouchers'])}")
    counts = d["counts"]
    out("Poster:         " + ", ".join(f"{k} {count_text(v)}" for k, v in counts.items()))
    if d["ksumma"] is not None:
        out(f"Kontrollsumma:  {d['ksumma']}")
    out("Kontroller:")
    marks = {"ok": "OK     ", "warning": "VARNING", "error": "FEL    "}
    for c in d["checks"]:
        extra = f" ({c['findings']})" if c["findings"] else ""
        out(f"  {marks[c['result']]} {c['check']}{extra}")
    levels = {"error": "fel", "warning": "varning", "notice": "notis"}
    for f in d["findings"]:
        loc = f":{f['line']}" if f["line"] else ""
        out(f"{d['file']}{loc}: {levels[f['level']]}: {f['message']}", err=True)


@click.command("saldon")
@click.argument("workspace", metavar="ARBETSYTA")
@click.option("--ar", "ar", type=Year(), default=None, help="Räkenskapsår (standard: rapportens år).")
@click.option(
    "--konto", default=None, callback=check_accounts, help="Konton: 3010, 3000-3999 eller flera med komma."
)
@click.option(
    "--objekt", default=None, callback=check_object, help="Ett objekt som dimension:objekt, t.ex. 1:81141."
)
@click.option("--json", "as_json", is_flag=True, help="Som JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Som CSV (semikolon, decimalkomma).")
def saldon_cmd(
    workspace: str,
    ar: int | None,
    konto: str | None,
    objekt: str | None,
    as_json: bool,
    as_csv: bool,
) -> None:
    """Saldolista: ingående balans, årets rörelse och utgående balans per konto."""
    exclusive(click.get_current_context(), {"--json": as_json, "--csv": as_csv})
    root = workspace_root(workspace)
    layout = Layout(root)
    accounts = AccountRange.parse(konto) if konto else None
    obj = parse_object(objekt) if objekt else None
    if ar is None:
        from bokslut.workspace.config import load_config

        ar = load_config(layout.config).rapport.ar
    with open_store(layout) as store:
        print_findings(f for f in store.findings if f.level is not Level.ERROR)
        tb = trial_balance(store, ar, accounts, obj)
    ib, mv, ub = tb.totals()
    if as_json:
        echo_json(
            {
                "fiscal_year": tb.fiscal_year,
                "start": tb.start,
                "end": tb.end,
                "object": f"{obj[0]}:{obj[1]}" if obj else None,
                "unit": "kr",
                "rows": [
                    {
                        "account": r.account,
                        "name": r.name,
                        "opening": kronor(r.opening),
                        "movement": kronor(r.movement),
                        "closing": kronor(r.closing),
                    }
                    for r in tb.rows
                ],
                "totals": {"opening": kronor(ib), "movement": kronor(mv), "closing": kronor(ub)},
            }
        )
        return
    if as_csv:
        buf = io.StringIO()
        w = csv.writer(buf, delimiter=";", lineterminator="\n")
        w.writerow(["konto", "namn", "ingående balans", "årets rörelse", "utgående balans"])
        plain = {"minus": "-", "group": ""}
        for r in tb.rows:
            w.writerow(
                [
                    r.account,
                    r.name,
                    format_ore(r.opening, **plain),
                    format_ore(r.movement, **plain),
                    format_ore(r.closing, **plain),
                ]
            )
        click.echo(buf.getvalue(), nl=False)
        return
    title = f"Saldolista {tb.fiscal_year} ({tb.start} – {tb.end})"
    if obj:
        title += f", objekt {obj[0]}:{obj[1]}"
    click.echo(title)
    header = ("Konto", "Namn", "Ingående balans", "Årets rörelse", "Utgående balans")
    rows = [
        (r.account, r.name, format_ore(r.opening), format_ore(r.movement), format_ore(r.closing))
        for r in tb.rows
    ]
    rows.append(("", "Summa", format_ore(ib), format_ore(mv), format_ore(ub)))
    widths = [max(len(str(x[i])) for x in [header, *rows]) for i in range(5)]
    widths[1] = min(widths[1], 40)
    for i, row in enumerate([header, *rows]):
        if i == len(rows):
            click.echo("-" * (sum(widths) + 8))
        name = row[1] if len(row[1]) <= 40 else row[1][:39] + "…"
        click.echo(
            f"{row[0]:<{widths[0]}}  {name:<{widths[1]}}  {row[2]:>{widths[2]}}  "
            f"{row[3]:>{widths[3]}}  {row[4]:>{widths[4]}}"
        )
