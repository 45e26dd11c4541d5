"""A koncernföretag's own SIE file, read by the SIE reader and aggregated for consolidation.

The company files are not imported into the kommun's store: they are small, use another
chart (BAS) and belong to another organisation. Each is read once per computation,
checked against the report year, and reduced to opening balances and flows per account
and counterparty (motpart) in öre.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from bokslut.diagnostics import Finding, Level, error, warning
from bokslut.sie.reader import read_sie
from bokslut.statements.facts import Flow, object_of
from bokslut.statements.koncern_mapping import KoncernMapping
from bokslut.workspace.config import Config, KoncernForetag

Key = tuple[str, str | None]  # (account, motpart code or None for external)


@dataclass(frozen=True)
class CompanyLedger:
    foretag: KoncernForetag
    file: str
    ib: dict[Key, int]
    flows: dict[Key, Flow]
    lines: dict[str, str]  # account -> the kommun layout's line (mapped accounts only)
    account_lines: dict[str, int]  # account -> line in the file (#KONTO, else its first row)

    def line_total(self, line: str, closing: bool) -> int:
        """The company's own (100 %) total of a line: the closing balance or the year's net."""
        total = 0
        for (account, _), flow in self.flows.items():
            if self.lines.get(account) == line:
                total += flow.net
        if closing:
            total += sum(v for (a, _), v in self.ib.items() if self.lines.get(a) == line)
        return total


def config_line(config_text: str, sie: str) -> int | None:
    """The line of bokslut.toml naming the company file ``sie`` (for messages)."""
    pattern = re.compile(rf'^\s*sie\s*=\s*["\']{re.escape(sie)}["\']')
    for no, raw in enumerate(config_text.splitlines(), start=1):
        if pattern.match(raw):
            return no
    return None


def read_company(
    root: Path,
    config: Config,
    config_text: str,
    f: KoncernForetag,
    mapping: KoncernMapping,
) -> tuple[CompanyLedger | None, list[Finding]]:
    """The company's ledger for the report year, or None (with the reason as an error)."""
    where = config_line(config_text, f.sie)
    path = root / f.sie
    if not path.is_file():
        return None, [
            error(
                f"koncernföretaget {f.namn} ({f.id}) saknar sin SIE-fil {f.sie}; företaget kan inte "
                "tas med i de sammanställda räkenskaperna",
                file="bokslut.toml",
                line=where,
                code="koncern-sie-saknas",
            )
        ]
    sie = read_sie(path, f.sie, max_bytes=config.granser.sie_bytes, setting="granser.sie_mb", inside=root)
    findings = [x for x in sie.findings if x.level is not Level.NOTICE]
    if any(x.level is Level.ERROR for x in sie.findings):
        findings.append(
            error(
                f"SIE-filen för {f.namn} kan inte läsas felfritt; företaget tas inte med i de "
                "sammanställda räkenskaperna",
                file=f.sie,
                code="koncern-sie-fel",
            )
        )
        return None, findings
    start, end = config.rapport.period()
    fy = sie.header.fiscal_year(0)
    if fy is None or (fy.start, fy.end) != (start, end):
        said = f"{fy.start}–{fy.end}" if fy is not None else "inget (#RAR 0 saknas)"
        findings.append(
            error(
                f"SIE-filen för {f.namn} gäller räkenskapsåret {said}, rapporten {start}–{end}; "
                "företaget tas inte med i de sammanställda räkenskaperna",
                file=f.sie,
                line=fy.line if fy is not None else None,
                code="koncern-fel-ar",
            )
        )
        return None, findings

    dim = config.dimensioner.motpart
    account_lines = {a.number: a.line for a in sie.accounts}

    def counterparty(account: str, objects: str) -> str | None:
        code = object_of(objects, dim) if dim is not None and objects else None
        if code is not None:
            return code
        return mapping.kommun_code if account in mapping.internal_accounts else None

    ib: dict[Key, int] = defaultdict(int)
    internal_ib: dict[str, int] = defaultdict(int)
    for b in sie.balances:
        if b.year_index != 0 or b.kind != "OIB" or dim is None:
            continue
        code = next((o for d, o in b.objects if d == dim), None)
        if code is not None:
            ib[(b.account, code)] += b.amount
            internal_ib[b.account] += b.amount
    for b in sie.balances:
        if b.year_index == 0 and b.kind == "IB" and not b.objects:
            account_lines.setdefault(b.account, b.line)
            rest = b.amount - internal_ib.get(b.account, 0)
            if rest:
                ib[(b.account, counterparty(b.account, ""))] += rest

    flows: dict[Key, Flow] = defaultdict(Flow)
    tx = sie.transactions.filter(pc.equal(sie.transactions["kind"], "TRANS"))
    if tx.num_rows:
        amount = tx["amount"]
        zero = pa.scalar(0, pa.int64())
        tx = tx.append_column("debit", pc.if_else(pc.greater(amount, 0), amount, zero))
        tx = tx.append_column("credit", pc.if_else(pc.less(amount, 0), amount, zero))
        grouped = tx.group_by(["account", "objects"]).aggregate(
            [("debit", "sum"), ("credit", "sum"), ("line", "min")]
        )
        for row in grouped.to_pylist():
            account = str(row["account"])
            account_lines.setdefault(account, int(row["line_min"]))
            key = (account, counterparty(account, str(row["objects"])))
            flows[key] = flows[key] + Flow(int(row["debit_sum"]), int(row["credit_sum"]))

    lines: dict[str, str] = {}
    used = {a for a, _ in ib} | {a for a, _ in flows}
    for account in sorted(used):
        line = mapping.rad.get(account)
        amount = sum(v for (a, _), v in ib.items() if a == account)
        moved = sum(abs(fl.debit) + abs(fl.credit) for (a, _), fl in flows.items() if a == account)
        if line is None:
            if amount or moved:
                findings.append(
                    error(
                        f"konto {account} i {f.namn}s SIE-fil finns inte i koncernmappningen "
                        f"({mapping.file}); kontot kommer inte med och den sammanställda "
                        "balansräkningen balanserar inte förrän det mappas",
                        file=f.sie,
                        line=account_lines.get(account),
                        code="koncern-konto-omappat",
                    )
                )
            continue
        lines[account] = line
    return CompanyLedger(f, f.sie, dict(ib), dict(flows), lines, account_lines), findings


def unknown_counterparties(c: CompanyLedger, known: set[str]) -> list[Finding]:
    """Motpart objects in a company file that name no company of the koncern nor the kommun."""
    out: list[Finding] = []
    seen: set[str] = set()
    for account, code in sorted(
        {k for k in c.ib if k[1] is not None} | {k for k in c.flows if k[1] is not None},
        key=lambda k: (k[0], k[1] or ""),
    ):
        if code is None or code in known or code in seen:
            continue
        seen.add(code)
        out.append(
            warning(
                f"motpart '{code}' i {c.foretag.namn}s SIE-fil (konto {account}) är varken kommunen "
                "eller ett koncernföretag; posten behandlas som extern",
                file=c.file,
                line=c.account_lines.get(account),
                code="koncern-okand-motpart",
            )
        )
    return out
