"""Direction words typed next to a live figure whose sign says the opposite.

"Övriga kostnader minskade med 990 000 kr", where the figure is +990 000, is a
sentence that reads well and is wrong. The chapter helpers (``| okade_minskade``
and the others, bokslut.direction) choose such a word from the number; this
check finds the words that were typed instead and disagree with the number
they stand next to.

A word and a figure belong together when they are neighbours in one sentence:
the figure follows the word with at most a few connecting words between
("ökade med 5 tkr", "ett underskott på 3 tkr"), or the word follows the figure
directly ("5 tkr lägre än budget"). A figure after ``| abs`` shows no sign, so
the word is the only claim there is and nothing can be compared; a figure
shown as zero agrees with any word.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from bokslut.diagnostics import Finding, warning
from bokslut.direction import TYPED, Sign
from bokslut.document import (
    Block,
    Document,
    Figure,
    Heading,
    Inline,
    LineBreak,
    Link,
    ListBlock,
    NoteRef,
    Paragraph,
    Quote,
    Styled,
    Text,
)

__all__ = ["direction_findings"]

# Words that may stand between a direction word and the figure it is about.
_CONNECTORS = frozenset(
    [
        "med",
        "på",
        "om",
        "av",
        "ett",
        "en",
        "totalt",
        "sammanlagt",
        "cirka",
        "ca",
        "drygt",
        "knappt",
        "nästan",
        "omkring",
        "hela",
        "ytterligare",
    ]
)
_MAX_BETWEEN = 3
# After a figure shown without unit, the unit may be typed before the word.
_UNITS = frozenset(["kr", "tkr", "mkr", "miljoner", "kronor", "procent", "procentenheter", "%"])
# Words, and the punctuation that separates a word from a figure ("36 tkr, högre än …").
_WORD = re.compile(r"[\wÅÄÖåäöÉé%-]+|[,;:()\u2013\u2014]")
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")


@dataclass(frozen=True, slots=True)
class _Token:
    text: str  # a word (lower case) or a figure's text
    figure: Figure | None = None


def direction_findings(doc: Document) -> list[Finding]:
    """A warning for every typed direction word that contradicts its neighbouring figure."""
    findings: list[Finding] = []
    for chapter in doc.chapters:
        for runs in _texts(chapter.blocks):
            for sentence in _sentences(runs):
                findings.extend(_check(sentence, chapter.source))
    return findings


def _texts(blocks: tuple[Block, ...]) -> Iterator[tuple[Inline, ...]]:
    for b in blocks:
        if isinstance(b, Paragraph | Heading):
            yield b.runs
        elif isinstance(b, ListBlock):
            for item in b.items:
                yield from _texts(item)
        elif isinstance(b, Quote):
            yield from _texts(b.blocks)


def _flatten(runs: tuple[Inline, ...]) -> Iterator[Text | Figure]:
    for r in runs:
        if isinstance(r, Text | Figure):
            yield r
        elif isinstance(r, Styled | Link):
            yield from _flatten(r.children)
        elif isinstance(r, NoteRef):
            yield Text(f" not {r.number} ")
        elif isinstance(r, LineBreak):
            yield Text(" ")


def _sentences(runs: tuple[Inline, ...]) -> Iterator[list[_Token | str]]:
    """Sentences as tokens; a plain ``str`` item is the sentence's text for the message."""
    tokens: list[_Token] = []
    text: list[str] = []
    for run in _flatten(runs):
        if isinstance(run, Figure):
            tokens.append(_Token(run.text, run))
            text.append(run.text)
            continue
        pos = 0
        for end in _SENTENCE_END.finditer(run.text):
            part = run.text[pos : end.end()]
            tokens += [_Token(w.lower()) for w in _WORD.findall(part)]
            text.append(part)
            yield [*tokens, "".join(text)]
            tokens, text, pos = [], [], end.end()
        part = run.text[pos:]
        tokens += [_Token(w.lower()) for w in _WORD.findall(part)]
        text.append(part)
    if tokens:
        yield [*tokens, "".join(text)]


def _check(sentence: list[_Token | str], source: str) -> list[Finding]:
    *items, text = sentence
    tokens = [t for t in items if isinstance(t, _Token)]
    out: list[Finding] = []
    for i, tok in enumerate(tokens):
        claim = TYPED.get(tok.text) if tok.figure is None else None
        if claim is None:
            continue
        figure = _after(tokens, i) or _before(tokens, i)
        if figure is None:
            continue
        sign = _shown_sign(figure)
        if sign is None or sign is claim:
            continue
        told = "ett positivt" if sign is Sign.POSITIVE else "ett negativt"
        out.append(
            warning(
                f"ordet '{tok.text}' står intill {figure.text} ({figure.ref}), som är {told} tal – "
                "ordet och talet säger olika; låt talet välja ordet (t.ex. | okade_minskade, "
                "| hogre_lagre, | overskott_underskott) eller rätta texten",
                file=source,
                where=re.sub(r"[ \t\r\n]+", " ", str(text)).strip(),
            )
        )
    return out


def _after(tokens: list[_Token], i: int) -> Figure | None:
    for tok in tokens[i + 1 : i + 2 + _MAX_BETWEEN]:
        if tok.figure is not None:
            return tok.figure
        if tok.text not in _CONNECTORS:
            return None
    return None


def _before(tokens: list[_Token], i: int) -> Figure | None:
    for tok in reversed(tokens[max(0, i - 2) : i]):
        if tok.figure is not None:
            return tok.figure
        if tok.text not in _UNITS:
            return None
    return None


def _shown_sign(figure: Figure) -> Sign | None:
    if figure.ref.startswith("abs("):
        return None
    shown = figure.shown
    if isinstance(shown, int | Decimal) and shown != 0:
        return Sign.POSITIVE if shown > 0 else Sign.NEGATIVE
    return None
