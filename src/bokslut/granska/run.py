"""Read each file and run every check over it; the result the CLI prints and report.py writes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bokslut.diagnostics import Level
from bokslut.granska.depreciation import check_operating_depreciation
from bokslut.granska.directions import check_directions
from bokslut.granska.model import Discrepancy, Document, Place, ReadError
from bokslut.granska.quantities import check_quantities
from bokslut.granska.read import read_document
from bokslut.granska.result_words import check_result_words
from bokslut.granska.sums import EXPLAINED, check_deviations, check_sums
from bokslut.granska.text_figures import check_text_figures

ORDER = {Level.ERROR: 0, Level.WARNING: 1, Level.NOTICE: 2}


@dataclass(frozen=True, slots=True)
class Reviewed:
    file: str
    document: Document | None
    unreadable: str | None  # the Swedish reason a file could not be read at all


@dataclass(frozen=True, slots=True)
class Result:
    files: tuple[Reviewed, ...]
    discrepancies: tuple[Discrepancy, ...]

    def count(self, level: Level) -> int:
        return sum(1 for d in self.discrepancies if d.level is level)

    def exit_code(self) -> int:
        if any(f.unreadable for f in self.files):
            return 2
        return 1 if self.count(Level.ERROR) else 0


def check_document(doc: Document) -> list[Discrepancy]:
    text = " ".join(b.text.lower() for b in doc.blocks)
    explained = any(word in text for word in EXPLAINED)
    out: list[Discrepancy] = []
    if not doc.tables:
        out.append(
            Discrepancy(
                Level.ERROR,
                "granska.inga-tabeller",
                "Dokumentet innehåller inga tabeller med belopp, så det finns inget att stämma av – "
                "är det rätt fil, eller är tabellerna bilder?",
                Place(doc.file),
            )
        )
    for t in doc.tables:
        out += check_sums(t, explained)
        out += check_deviations(t, explained)
    out += check_quantities(doc)
    out += check_operating_depreciation(doc)
    out += check_text_figures(doc)
    out += check_directions(doc)
    out += check_result_words(doc)
    return _unique(out)


def _unique(ds: list[Discrepancy]) -> list[Discrepancy]:
    seen: set[tuple[str, str, str]] = set()
    out: list[Discrepancy] = []
    for d in ds:
        key = (d.code, d.where(), d.message)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out


def granska(paths: Sequence[Path]) -> Result:
    files: list[Reviewed] = []
    found: list[Discrepancy] = []
    for path in paths:
        try:
            doc = read_document(path)
        except ReadError as exc:
            files.append(Reviewed(str(path), None, str(exc)))
            continue
        files.append(Reviewed(str(path), doc, None))
        found += check_document(doc)
    found.sort(key=lambda d: (ORDER[d.level], d.place.file, d.place.page or 0, d.place.line or 0))
    return Result(tuple(files), tuple(found))
