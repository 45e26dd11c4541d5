"""`bokslut import`: validate SIE files, then copy them into data/ledger and index them.

Validation comes first and covers every file; one error anywhere and nothing is
written. The copies go in through :mod:`bokslut.ledger.journal`, so an import
that is interrupted — even killed — leaves data/ as it was or completes.

A file is stored under the name of its fiscal year (``2023.se``; a broken year
``20090701-20100630.se``), so importing a new export of a year replaces the
old one, and importing the same bytes again changes nothing. A 4I file (vouchers
from a pre-system, no balances) is stored beside it under its own name.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bokslut.diagnostics import BokslutError, Finding, Level, error, has_errors
from bokslut.ledger import journal
from bokslut.ledger.store import Parsed, Progress, Store, _quiet, fiscal_period, open_store
from bokslut.sie.checks import validate
from bokslut.sie.model import SieFile
from bokslut.sie.reader import read_sie_bytes
from bokslut.workspace.layout import Layout


@dataclass(frozen=True, slots=True)
class ImportedFile:
    source: str  # as the user named it
    target: str  # workspace-relative path in data/ledger
    status: str  # "ny", "ersatt" or "oförändrad"
    fiscal_year: int
    replaced: str | None  # the file it replaced, when status is "ersatt"
    vouchers: int
    transactions: int


@dataclass(frozen=True, slots=True)
class ImportResult:
    files: tuple[ImportedFile, ...]
    findings: tuple[Finding, ...]


def target_name(sie: SieFile, source: Path, data: bytes) -> str:
    period = fiscal_period(sie)
    if period is None:
        raise BokslutError(f"{source}: filen har varken räkenskapsår (#RAR) eller verifikationer")
    year, start, end = period
    if sie.sietyp_label == "4I":
        stem = re.sub(r"[^0-9A-Za-zÅÄÖåäö_-]+", "-", source.stem).strip("-") or "import"
        digest = hashlib.sha256(data).hexdigest()[:8]
        return f"{year}-{stem}-{digest}{source.suffix.lower() or '.si'}"
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        return f"{year}.se"
    return f"{start:%Y%m%d}-{end:%Y%m%d}.se"


def _read_all(paths: Sequence[Path], progress: Progress) -> tuple[list[tuple[Path, bytes, SieFile, list[Finding]]], list[Finding]]:
    out = []
    findings: list[Finding] = []
    for path in paths:
        progress(f"Läser {path}")
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            findings.append(error("filen finns inte", file=str(path)))
            continue
        except IsADirectoryError:
            findings.append(error("är en mapp, inte en SIE-fil", file=str(path)))
            continue
        except PermissionError:
            findings.append(error("filen kan inte läsas (behörighet saknas)", file=str(path)))
            continue
        sie = read_sie_bytes(data, str(path))
        progress(f"Kontrollerar {path}")
        file_findings = [*sie.findings, *validate(sie)] if not has_errors(sie.findings) else list(sie.findings)
        findings.extend(file_findings)
        out.append((path, data, sie, file_findings))
    return out, findings


def import_files(layout: Layout, paths: Sequence[Path], progress: Progress = _quiet) -> ImportResult:
    """Import ``paths`` into the workspace; raises BokslutError (nothing written) on any error."""
    if not layout.config.is_file():
        raise BokslutError(f"{layout.root}: ingen bokslut.toml här – skapa arbetsytan med 'bokslut new'")
    read, findings = _read_all(paths, progress)
    if has_errors(findings):
        raise BokslutError("inget importerades: filerna innehåller fel", findings)

    with open_store(layout, progress=progress) as store:
        existing = _existing_main_files(store)
    planned: list[tuple[Path, bytes, SieFile, list[Finding], str]] = []
    targets: dict[str, Path] = {}
    for path, data, sie, file_findings in read:
        target = (layout.ledger_dir / target_name(sie, path, data)).relative_to(layout.root).as_posix()
        if target in targets:
            raise BokslutError(
                f"{path} och {targets[target]} gäller samma räkenskapsår – importera en av dem",
            )
        targets[target] = path
        planned.append((path, data, sie, file_findings, target))

    changes: list[journal.Change] = []
    results: list[ImportedFile] = []
    parsed: dict[str, Parsed] = {}
    notes: list[Finding] = []
    for i, (path, data, sie, file_findings, target) in enumerate(planned):
        period = fiscal_period(sie)
        assert period is not None
        year = period[0]
        counts = (sie.vouchers.num_rows, sie.transactions.num_rows)
        digest = hashlib.sha256(data).hexdigest()
        target_path = layout.root / target
        if target_path.exists() and _same_bytes(target_path, data):
            results.append(ImportedFile(str(path), target, "oförändrad", year, None, *counts))
            continue
        replaced: str | None = None
        if target_path.exists():
            replaced = target
        elif sie.sietyp_label != "4I" and year in existing and existing[year] != target:
            replaced = existing[year]
            changes.append(journal.Change(existing[year], None))
        staged = journal.stage_bytes(layout, f"{i}-{Path(target).name}", data)
        changes.append(journal.Change(target, staged))
        status = "ersatt" if replaced else "ny"
        if replaced:
            notes.append(
                Finding(
                    Level.NOTICE,
                    f"räkenskapsåret {year} fanns redan ({replaced}) och ersätts av denna fil",
                    file=str(path),
                )
            )
        results.append(ImportedFile(str(path), target, status, year, replaced, *counts))
        parsed[target] = Parsed(sie, digest, tuple(file_findings))

    if changes:
        progress("Sparar filerna i data/ledger")
        journal.commit(layout, changes)
        progress("Indexerar")
        with open_store(layout, parsed=parsed, progress=progress):
            pass
    return ImportResult(tuple(results), tuple(findings) + tuple(notes))


def _existing_main_files(store: Store) -> dict[int, str]:
    rows = store.con.execute(
        "SELECT fiscal_year, path FROM source_file WHERE sietyp <> '4I' AND fiscal_year IS NOT NULL"
    ).fetchall()
    return {int(y): str(p) for y, p in rows}


def _same_bytes(path: Path, data: bytes) -> bool:
    if path.stat().st_size != len(data):
        return False
    return path.read_bytes() == data

