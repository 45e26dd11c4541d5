"""Which character set a SIE file really uses.

The specification says CP437 (#FORMAT PC8), but files in the wild are often
UTF-8 or Windows-1252 while still declaring PC8, so we decide from the bytes,
never from #FORMAT: a BOM or valid multi-byte UTF-8 means UTF-8; otherwise the
Swedish letters vote between CP437 and Windows-1252. Pure ASCII is CP437.
A BOM followed by bytes that are not UTF-8 is a CP437 or Windows-1252 file
that some tool prefixed: its letters vote, and the reader says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Swedish and common letters as CP437 bytes (å ä ö Å Ä Ö é ü) and as Windows-1252/Latin-1 bytes.
_CP437_LETTERS = bytes([0x86, 0x84, 0x94, 0x8F, 0x8E, 0x99, 0x82, 0x81])
_LATIN1_LETTERS = bytes([0xE5, 0xE4, 0xF6, 0xC5, 0xC4, 0xD6, 0xE9, 0xFC])

CP437 = "cp437"
UTF8 = "utf-8"
CP1252 = "cp1252"


BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class Detected:
    encoding: str
    bom: bool  # the file starts with a UTF-8 BOM (skipped when reading, whatever the encoding)
    reason: str  # Swedish, for the warning when the file is not CP437


def decide(bom: bool, ascii_only: bool, utf8_valid: bool, cp437_votes: int, latin_votes: int) -> Detected:
    """The decision, from facts about the bytes after any BOM (computed in Python or by the scanner)."""
    if bom and (ascii_only or utf8_valid):
        return Detected(UTF8, True, "filen börjar med UTF-8-BOM")
    if ascii_only:
        return Detected(CP437, False, "")
    if utf8_valid:
        return Detected(UTF8, False, "filen är giltig UTF-8 med flerbytestecken")
    if latin_votes > cp437_votes:
        return Detected(CP1252, bom, "bokstäverna åäö är kodade som i Windows-1252")
    return Detected(CP437, bom, "")


def detect(data: bytes) -> Detected:
    bom = data.startswith(BOM)
    body = data[len(BOM) :] if bom else data
    if body.isascii():
        return decide(bom, True, True, 0, 0)
    try:
        body.decode("utf-8")
        valid = True
    except UnicodeDecodeError:
        valid = False
    cp437_votes = sum(body.count(bytes([b])) for b in _CP437_LETTERS)
    latin_votes = sum(body.count(bytes([b])) for b in _LATIN1_LETTERS)
    return decide(bom, False, valid, cp437_votes, latin_votes)


def mismatch_message(detected: Detected) -> str:
    """The warning for a file that is not the CP437 the specification requires."""
    name = detected.encoding.upper()
    return (
        f"filen är kodad som {name} ({detected.reason}), inte PC8/CP437 som specifikationen "
        f"kräver; läses som {name}"
    )


def encoding_note(detected: Detected) -> str | None:
    """The file-level warning about the encoding, when there is one."""
    if detected.bom and detected.encoding != UTF8:
        name = detected.encoding.upper()
        why = f" ({detected.reason})" if detected.reason else ""
        return f"filen börjar med en UTF-8-BOM men resten är inte UTF-8; läses som {name}{why}"
    if detected.encoding != CP437:
        return mismatch_message(detected)
    return None


def looks_latin1(raw: bytes) -> bool:
    """A line of a CP437 file whose letters are Windows-1252 (mixed files, e.g. a path in #FNR)."""
    cp = sum(raw.count(bytes([b])) for b in _CP437_LETTERS)
    lat = sum(raw.count(bytes([b])) for b in _LATIN1_LETTERS)
    return lat > 0 and cp == 0


def utf8_forms(encoding: str) -> tuple[np.ndarray, np.ndarray]:
    """Per byte of a file in ``encoding``: the length and bytes of its character's UTF-8 form
    (identity for UTF-8 input). The scanner transcodes with them, and so does whatever reads a
    text from the file afterwards (:mod:`bokslut.ledger.texts`)."""
    lengths = np.ones(256, dtype=np.int64)
    table = np.zeros((256, 4), dtype=np.uint8)
    for b in range(256):
        if encoding == UTF8 or b < 128:
            table[b, 0] = b
            continue
        out = bytes([b]).decode(encoding, errors="replace").encode("utf-8")
        lengths[b] = len(out)
        table[b, : len(out)] = list(out)
    return lengths, table
