"""Goal follow-up as the reader sees it: assessments that agree with their own numbers.

A goal table shows a målvärde ("mer än 6,9"), a result (7,5) and an
assessment ("Ej uppfyllt"). When the shown numbers say the opposite of the
shown assessment, the reader is told two things at once; that is an error
unless a person made the assessment and gave a reason (``bedomning``).
The counts in the text ("Av totalt 13 mål bedöms tio …") must be the counts
of the tables.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from decimal import Decimal

from bokslut.compose.report import ComposedReport
from bokslut.diagnostics import Finding, error, warning
from bokslut.document import Document, Paragraph, plain_text
from bokslut.followup import COUNT_NAMES, FollowupPart, assess_file, load_goals
from bokslut.followup.assess import GoalResult, IndicatorResult
from bokslut.followup.model import STATUS_WORD, Status
from bokslut.followup.source import Located
from bokslut.render.numbers import format_number
from bokslut.table import Rounded
from bokslut.workspace.config import RapportTyp

_WORD_STATUS = {word: status for status, word in STATUS_WORD.items()}


def _walk(goals: Sequence[GoalResult], hierarchical: bool) -> Iterator[GoalResult | IndicatorResult]:
    """Goals and indicators in the order the table shows them (followup.tables)."""
    for goal in goals:
        yield goal
        yield from goal.indicators
        if hierarchical:
            yield from _walk(goal.children, True)


def goals(report: ComposedReport) -> list[Finding]:
    doc, data = report.document, report.data
    if doc is None or data is None:
        return []
    read = next((p for p in report.parts if isinstance(p, FollowupPart)), None)
    if read is not None:  # as the report read it
        spec, located = read.goals, read.located
    else:
        spec, located, _ = load_goals(report.layout, report.config.granser.yaml_bytes)
    if spec is None or located is None:
        return []
    results, year, _ = assess_file(spec, located, report.config, data.values)
    interim = report.config.rapport.typ is RapportTyp.DELARSRAPPORT
    out: list[Finding] = []
    counts = dict.fromkeys(Status, 0)
    counted_tables = False
    for index, area_goals in enumerate(results, start=1):
        hierarchical = any(g.children for g in area_goals)
        table_id = f"mal_hierarki_{index}" if hierarchical else f"mal_malomrade_{index}"
        rounded = doc.tables.get(table_id)
        if rounded is None:
            continue
        rows = rounded.table.rows
        items = list(_walk(area_goals, hierarchical))
        if len(items) != len(rows):
            continue
        counted_tables = True
        for item, row in zip(items, rows, strict=True):
            status = _WORD_STATUS.get(str(rounded.get(row.id, "maluppfyllelse") or ""))
            if isinstance(item, IndicatorResult):
                out += _indicator(item, row.id, rounded, status, located, year, interim)
            elif not item.children and status is not None:
                counts[status] += 1
    if counted_tables:
        out += _counts(doc, counts)
        for status, name in COUNT_NAMES.items():
            value = data.values.get(name)
            if isinstance(value, int) and value != counts[status]:
                out.append(
                    error(
                        f"värdet {name} är {value} men måltabellerna visar {counts[status]} mål "
                        f"som '{STATUS_WORD[status].lower()}'",
                        where=f"v.{name}",
                        code="mal-antal",
                    )
                )
    return out


def _target_numbers(text: str) -> list[Decimal]:
    found = re.findall(r"[−-]?\d[\d\u202f\u00a0 ]*(?:,\d+)?", text)
    return [
        Decimal(
            n.replace("−", "-").replace("\u202f", "").replace("\u00a0", "").replace(" ", "").replace(",", ".")
        )
        for n in found
    ]


def _meets(ind: IndicatorResult, target_text: str, value: Decimal) -> bool | None:
    """Whether the shown value meets the shown target, or None when that cannot be read."""
    numbers = _target_numbers(target_text)
    riktning = ind.spec.riktning
    if riktning == "intervall":
        return numbers[0] <= value <= numbers[1] if len(numbers) == 2 else None
    if len(numbers) != 1:
        return None
    t = numbers[0]
    if riktning == "lika":
        return value == t
    sign = 1 if riktning == "hogre" else -1
    return sign * value > sign * t if ind.spec.strikt else sign * value >= sign * t


def _indicator(
    ind: IndicatorResult,
    row_id: str,
    rounded: Rounded,
    status: Status | None,
    located: Located,
    year: int,
    interim: bool,
) -> list[Finding]:
    place = located.place(ind.path)
    table_id = rounded.table.id
    columns = {c.id for c in rounded.table.columns}
    target_text = rounded.get(row_id, "malvarde")
    outcome_col = "resultat" if "resultat" in columns else "nuvarde"
    judged_col = outcome_col
    if interim and ind.forecast.value is not None:
        if "prognos" not in columns:
            return []  # judged on a forecast the table does not show
        judged_col = "prognos"
    value = rounded.get(row_id, judged_col)
    out: list[Finding] = []
    if ind.target.value is not None and ind.manual is None and value in (None, ""):
        out.append(
            warning(
                f"indikatorn '{ind.spec.namn}' har målvärde men saknar "
                f"{'prognos' if judged_col == 'prognos' else 'utfall'} {year}; den visas som "
                "'Kan inte bedömas'",
                file=located.file,
                line=place.line,
                where=place.where or f"{table_id}/{row_id}/{judged_col}",
                code="indikator-saknar-varde",
            )
        )
        return out
    if ind.manual is not None or status is None or not isinstance(target_text, str):
        return out
    if not isinstance(value, Decimal):
        return out
    met = _meets(ind, target_text, value)
    if met is None:
        return out
    contradicts = (met and status is not Status.UPPFYLLT) or (not met and status is Status.UPPFYLLT)
    if contradicts:
        decimals = rounded.table.row(row_id).decimals or 0
        out.append(
            error(
                f"indikatorn '{ind.spec.namn}' visas som '{STATUS_WORD[status]}' men tabellen visar "
                f"målvärdet '{target_text}' och {format_number(value, decimals)} – visa fler "
                "decimaler (decimaler:) så att siffrorna bär bedömningen, eller gör en bedömning "
                "med motivering (bedomning:)",
                file=located.file,
                line=place.line,
                where=place.where or f"{table_id}/{row_id}/maluppfyllelse",
                code="bedomning-motsager-siffror",
            )
        )
    return out


_NUMBER_WORDS = {
    w: i
    for i, w in enumerate(
        ["noll", "ett", "två", "tre", "fyra", "fem", "sex", "sju", "åtta", "nio", "tio", "elva", "tolv"]
    )
}
_NUMBER_WORDS["en"] = 1
_TOTAL = re.compile(r"\b[Aa]v (?:totalt )?(\w+) mål\b")
_PHRASE = re.compile(r"\b(\w+) (?:vara )?(delvis |inte )?(uppfyllda|uppfyllt)\b")
_UNKNOWN = re.compile(r"\b(\w+) har inte kunnat bedömas\b")


def _number(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    return _NUMBER_WORDS.get(word.casefold())


def _counts(doc: Document, counts: dict[Status, int]) -> list[Finding]:
    """The goal counts in the text are the tables' counts."""
    total = sum(counts.values())
    out: list[Finding] = []
    for chapter in doc.chapters:
        for block in _paragraphs(chapter.blocks):
            text = plain_text(block.runs)
            for sentence in re.split(r"(?<=\.)\s+", text):
                m = _TOTAL.search(sentence)
                if m is None or _number(m.group(1)) is None:
                    continue
                said: dict[Status, int] = {}
                for n, qualifier, _ in _PHRASE.findall(sentence[m.end() :]):
                    k = _number(n)
                    if k is None:
                        continue
                    status = {"delvis ": Status.DELVIS, "inte ": Status.EJ}.get(qualifier, Status.UPPFYLLT)
                    said[status] = k
                for n in _UNKNOWN.findall(sentence):
                    k = _number(n)
                    if k is not None:
                        said[Status.KAN_INTE] = k
                wrong_total = _number(m.group(1)) != total
                wrong = [s for s, k in said.items() if counts[s] != k]
                if wrong_total or wrong:
                    table_counts = ", ".join(
                        f"{STATUS_WORD[s].lower()} {counts[s]}" for s in Status if counts[s]
                    )
                    out.append(
                        error(
                            f"texten säger '{sentence.strip()}' men måltabellerna har {total} mål "
                            f"({table_counts})",
                            file=chapter.source,
                            where="antal mål",
                            code="mal-antal",
                        )
                    )
    return out


def _paragraphs(blocks: Sequence[object]) -> Iterator[Paragraph]:
    from bokslut.document import ListBlock, Quote

    for b in blocks:
        if isinstance(b, Paragraph):
            yield b
        elif isinstance(b, ListBlock):
            for item in b.items:
                yield from _paragraphs(item)
        elif isinstance(b, Quote):
            yield from _paragraphs(b.blocks)
