"""A koncernföretag's own SIE file, read by the SIE reader and aggregated for consolidation.

The company files are not imported into the kommun's store: they are small, use another
chart (BAS) and belong to another organisation. Each is read once per computation,
checked against the report year, and reduced to opening balances and flows per account
and counterparty (motpart) in öre.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from bokslut.cache_signing import read_entry, sign, signing_key, verify
from bokslut.diagnostics import BokslutError, Finding, Level, error, warning
from bokslut.sie.model import SieFile, canonical_objects
from bokslut.sie.reader import load_input, read_sie_bytes
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
    # Last year from this year's file's -1 balances: no motpart objects, so internal result
    # items cannot be told apart (only koncern accounts are internal, with the kommun).
    derived: bool = False

    def line_total(self, line: str, closing: bool) -> int:
        """The company's own (100 %) total of a line: the closing balance or the year's net."""
        total = 0
        for (account, _), flow in self.flows.items():
            if self.lines.get(account) == line:
                total += flow.net
        if closing:
            total += sum(v for (a, _), v in self.ib.items() if self.lines.get(a) == line)
        return total


@dataclass(frozen=True)
class ParsedFile:
    """What consolidation needs of a company file, independent of the mapping and config."""

    fiscal_year: tuple[dt.date, dt.date, int] | None  # #RAR 0: start, end, line
    accounts: dict[str, int]  # account -> #KONTO line
    ib: list[tuple[str, int, int]]  # #IB 0 without objects: account, öre, line
    oib: list[tuple[str, str, int]]  # #OIB 0: account, canonical objects, öre
    rows: list[tuple[str, str, int, int, int]]  # account, objects, debit, credit, first line
    findings: tuple[Finding, ...]
    # Last year as the file states it (#RAR -1; #IB, #UB, #RES -1 without objects).
    previous_year: tuple[dt.date, dt.date, int] | None = None
    prev_ib: list[tuple[str, int, int]] = field(default_factory=list)
    prev_ub: list[tuple[str, int, int]] = field(default_factory=list)
    prev_res: list[tuple[str, int, int]] = field(default_factory=list)

    def previous(self) -> ParsedFile | None:
        """Last year from the -1 balances: opening #IB -1, closing #UB -1 (else #IB 0),
        the result accounts' #RES -1 as the year's flows. No objects, so no motpart."""
        if self.previous_year is None or not (self.prev_ib or self.prev_ub or self.prev_res):
            return None
        closing = self.prev_ub or self.ib
        delta: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for account, amount, line in closing:
            delta[account][0] += amount
            delta[account][1] = delta[account][1] or line
        for account, amount, line in self.prev_ib:
            delta[account][0] -= amount
            delta[account][1] = delta[account][1] or line
        for account, amount, line in self.prev_res:
            delta[account][0] += amount
            delta[account][1] = delta[account][1] or line
        # A closing balance that already holds the year's result (booked to equity) would
        # count it twice; CLOSING_ACCOUNT (mapped to eget kapital) takes the booking back out.
        booked = sum(x for x, _ in delta.values())
        if booked:
            line = self.previous_year[2]
            delta[CLOSING_ACCOUNT][0] -= booked
            delta[CLOSING_ACCOUNT][1] = delta[CLOSING_ACCOUNT][1] or line
        rows = [(a, "", max(x, 0), min(x, 0), n) for a, (x, n) in sorted(delta.items()) if x]
        return ParsedFile(self.previous_year, self.accounts, list(self.prev_ib), [], rows, ())


CACHE_VERSION = 3
# An entry: this line, the HMAC of the file's digest and the body, a newline, the body (JSON).
MAGIC = b"bokslut-koncern-cache\n"
MAC_LENGTH = 64
# An entry larger than this many times its file (plus a megabyte) was not written by bokslut.
MAX_ENTRY_RATIO = 4
# BAS 8999 Årets resultat, mapped to eget kapital by the default mapping (its 2099 counterpart).
CLOSING_ACCOUNT = "8999"
FAST_COMPANY_BYTES = 512 * 1024


def parsed_file(
    root: Path, path: Path, name: str, max_bytes: int, cache: Path | None, secret: bytes | None = None
) -> ParsedFile:
    """The company file read by the SIE reader and aggregated, or the same from the cache.

    The cache (``.bokslut/koncern/``) is keyed by the file's SHA-256, so an edited file is
    read again; reading a company file is most of the time the koncern tables take. An
    entry is used only when it is signed with this user's key (:mod:`bokslut.cache_signing`;
    ``secret`` stands in for it): one brought along with a received workspace, or altered,
    is ignored and the file read instead. Without a key nothing is kept.
    """
    data = load_input(path, max_bytes, setting="granser.sie_mb", inside=root)
    digest = hashlib.sha256(data).hexdigest()
    if cache is not None and secret is None:
        secret = signing_key()
    cached = cache / f"{digest}.bin" if cache is not None and secret is not None else None
    if cached is not None and secret is not None:
        hit = _load_cached(cached, digest, secret, name, MAX_ENTRY_RATIO * len(data) + 1024 * 1024)
        if hit is not None:
            return hit
    # A company file of some size goes to the compiled scanner at once (the reader's own
    # threshold is higher): it falls back to the exact reader on anything unusual.
    parsed = _aggregate(read_sie_bytes(data, name, fast=True if len(data) >= FAST_COMPANY_BYTES else None))
    if cached is not None and secret is not None:
        _save_cached(cached, digest, secret, parsed)
    return parsed


def _aggregate(sie: SieFile) -> ParsedFile:
    fy = sie.header.fiscal_year(0)
    ib = [
        (b.account, b.amount, b.line)
        for b in sie.balances
        if b.year_index == 0 and b.kind == "IB" and not b.objects
    ]
    oib = [
        (b.account, canonical_objects(b.objects), b.amount)
        for b in sie.balances
        if b.year_index == 0 and b.kind == "OIB" and b.objects
    ]
    prev = sie.header.fiscal_year(-1)

    def plain(kind: str) -> list[tuple[str, int, int]]:
        return [
            (b.account, b.amount, b.line)
            for b in sie.balances
            if b.year_index == -1 and b.kind == kind and not b.objects
        ]

    rows: list[tuple[str, str, int, int, int]] = []
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
            rows.append(
                (
                    str(row["account"]),
                    str(row["objects"]),
                    int(row["debit_sum"]),
                    int(row["credit_sum"]),
                    int(row["line_min"]),
                )
            )
    return ParsedFile(
        (fy.start, fy.end, fy.line) if fy is not None else None,
        {a.number: a.line for a in sie.accounts},
        ib,
        oib,
        rows,
        tuple(x for x in sie.findings if x.level is not Level.NOTICE),
        (prev.start, prev.end, prev.line) if prev is not None else None,
        plain("IB"),
        plain("UB"),
        plain("RES"),
    )


def _load_cached(path: Path, digest: str, secret: bytes, name: str, max_bytes: int) -> ParsedFile | None:
    raw = read_entry(path, max_bytes)
    if raw is None or not raw.startswith(MAGIC):
        return None
    start = len(MAGIC) + MAC_LENGTH
    mac, body = raw[len(MAGIC) : start], raw[start + 1 :]
    if raw[start : start + 1] != b"\n" or not verify(secret, mac, digest.encode(), body):
        return None  # not written by this user for this file: read the file
    try:
        data = json.loads(body)
        if not isinstance(data, dict) or data.get("version") != CACHE_VERSION:
            return None
        return ParsedFile(
            _year(data["fiscal_year"]),
            {str(k): int(v) for k, v in data["accounts"].items()},
            [(str(a), int(x), int(n)) for a, x, n in data["ib"]],
            [(str(a), str(o), int(x)) for a, o, x in data["oib"]],
            [(str(a), str(o), int(d), int(c), int(n)) for a, o, d, c, n in data["rows"]],
            tuple(
                Finding(
                    Level(f["level"]),
                    str(f["message"]),
                    file=name,
                    line=f["line"],
                    where=f.get("where"),
                    code=f.get("code", ""),
                )
                for f in data["findings"]
            ),
            _year(data["previous_year"]),
            *([(str(a), int(x), int(n)) for a, x, n in data[k]] for k in ("prev_ib", "prev_ub", "prev_res")),
        )
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return None  # a damaged cache entry is read again from the file


def _year(fy: list[object] | None) -> tuple[dt.date, dt.date, int] | None:
    if not fy:
        return None
    return (dt.date.fromisoformat(str(fy[0])), dt.date.fromisoformat(str(fy[1])), int(str(fy[2])))


def _save_cached(path: Path, digest: str, secret: bytes, parsed: ParsedFile) -> None:
    def year(fy: tuple[dt.date, dt.date, int] | None) -> list[object] | None:
        return [fy[0].isoformat(), fy[1].isoformat(), fy[2]] if fy else None

    data = {
        "version": CACHE_VERSION,
        "fiscal_year": year(parsed.fiscal_year),
        "previous_year": year(parsed.previous_year),
        "prev_ib": parsed.prev_ib,
        "prev_ub": parsed.prev_ub,
        "prev_res": parsed.prev_res,
        "accounts": parsed.accounts,
        "ib": parsed.ib,
        "oib": parsed.oib,
        "rows": parsed.rows,
        "findings": [f.to_json() for f in parsed.findings],
    }
    body = json.dumps(data).encode("utf-8")
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if folder.is_symlink() or not folder.is_dir():
            return  # never write through a link to somewhere else
        tmp = folder / f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(MAGIC + sign(secret, digest.encode(), body) + b"\n" + body)
            os.replace(tmp, path)  # an entry planted as a link is replaced, not written through
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
    except OSError:
        pass  # no cache: the next computation reads the file again


def config_line(config_text: str, sie: str, key: str = "sie") -> int | None:
    """The line of bokslut.toml naming the company file ``sie`` under ``key`` (for messages)."""
    pattern = re.compile(rf'^\s*{key}\s*=\s*["\']{re.escape(sie)}["\']')
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
    cache: Path | None = None,
    previous: bool = False,
) -> tuple[CompanyLedger | None, list[Finding]]:
    """The company's ledger for the report year (``previous``: for last year, from
    ``sie_fg`` or else the -1 balances of ``sie``), or None with the reason as a finding."""
    sie, setting = (f.sie_fg, "sie_fg") if previous and f.sie_fg else (f.sie, "sie")
    derived = previous and f.sie_fg is None
    left_out = "jämförelseåret" if previous else "de sammanställda räkenskaperna"
    where = config_line(config_text, sie, setting)
    path = root / sie
    if not path.is_file():
        return None, [
            error(
                f"koncernföretaget {f.namn} ({f.id}) saknar sin SIE-fil {sie}; företaget kan inte "
                f"tas med i {left_out}",
                file="bokslut.toml",
                line=where,
                code="koncern-sie-saknas",
            )
        ]
    try:
        parsed = parsed_file(root, path, sie, config.granser.sie_bytes, cache)
    except BokslutError as exc:
        return None, [error(exc.message, file=sie, code="koncern-sie-fel")]
    findings = [] if derived else list(parsed.findings)
    if any(x.level is Level.ERROR for x in parsed.findings):
        findings.append(
            error(
                f"SIE-filen för {f.namn} kan inte läsas felfritt; företaget tas inte med i {left_out}",
                file=sie,
                code="koncern-sie-fel",
            )
        )
        return None, findings
    start, end = config.rapport.period()
    if previous:
        start, end = _year_before(start), _year_before(end)
    if derived:
        own = parsed.previous()
        if own is None:
            findings.append(
                warning(
                    f"SIE-filen för {f.namn} har inga saldon för föregående år (#RAR -1 med #IB, #UB "
                    "eller #RES -1) och sie_fg saknas; den sammanställda jämförelsekolumnen visas inte",
                    file=sie,
                    code="koncern-fg-saknas",
                )
            )
            return None, findings
        parsed = own
    fy = parsed.fiscal_year
    if fy is None or (fy[0], fy[1]) != (start, end):
        said = f"{fy[0]}–{fy[1]}" if fy is not None else "inget (#RAR 0 saknas)"
        what = "jämförelseåret" if previous else "rapporten"
        findings.append(
            error(
                f"SIE-filen för {f.namn} gäller räkenskapsåret {said}, {what} {start}–{end}; "
                f"företaget tas inte med i {left_out}",
                file=sie,
                line=fy[2] if fy is not None else None,
                code="koncern-fel-ar",
            )
        )
        return None, findings

    dim = config.dimensioner.motpart
    account_lines = dict(parsed.accounts)

    def counterparty(account: str, objects: str) -> str | None:
        code = object_of(objects, dim) if dim is not None and objects else None
        if code is not None:
            return code
        return mapping.kommun_code if account in mapping.internal_accounts else None

    ib: dict[Key, int] = defaultdict(int)
    internal_ib: dict[str, int] = defaultdict(int)
    if dim is not None:
        for account, objects, amount in parsed.oib:
            code = object_of(objects, dim)
            if code is not None:
                ib[(account, code)] += amount
                internal_ib[account] += amount
    for account, amount, line in parsed.ib:
        account_lines.setdefault(account, line)
        rest = amount - internal_ib.get(account, 0)
        if rest:
            ib[(account, counterparty(account, ""))] += rest

    flows: dict[Key, Flow] = defaultdict(Flow)
    for account, objects, debit, credit, first in parsed.rows:
        account_lines.setdefault(account, first)
        key = (account, counterparty(account, objects))
        flows[key] = flows[key] + Flow(debit, credit)

    lines: dict[str, str] = {}
    activity: dict[str, int] = defaultdict(int)
    for (a, _), v in ib.items():
        activity[a] += abs(v)
    for (a, _), fl in flows.items():
        activity[a] += abs(fl.debit) + abs(fl.credit)
    for account in sorted(activity):
        mapped = mapping.rad.get(account)
        if mapped is None:
            if activity[account]:
                findings.append(
                    error(
                        f"konto {account} i {f.namn}s SIE-fil finns inte i koncernmappningen "
                        f"({mapping.file}); kontot kommer inte med och den sammanställda "
                        "balansräkningen balanserar inte förrän det mappas",
                        file=sie,
                        line=account_lines.get(account),
                        code="koncern-konto-omappat",
                    )
                )
            continue
        lines[account] = mapped
    return CompanyLedger(f, sie, dict(ib), dict(flows), lines, account_lines, derived), findings


def _year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


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
