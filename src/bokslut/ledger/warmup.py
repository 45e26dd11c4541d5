"""Compile the import's kernels once, at setup, instead of in a user's first large import.

numba compiles a kernel the first time it is called and keeps the machine code in its disk
cache (:mod:`bokslut.sie.kernel`). On a fresh installation the first import of a file past
:data:`~bokslut.sie.reader.FAST_PATH_MIN_BYTES` therefore spent most of a minute compiling
before it read a line. ``python -m bokslut.ledger.warmup`` (run by ``scripts/setup``) imports
two generated ledgers into a throwaway workspace, shaped so that every kernel runs: a region's
header (accounts, SRU codes, objects, balances, period balances and budgets), rows with two
dimensions kept in the sums, corrections, long texts with quotes, and one file in CP437 with
CRLF line ends; then it grows each hash table of the import once (:func:`grow_tables`), which
files of a workspace's size seldom do. With the cache already filled it takes a second or two.

Then it compiles the kernels ahead of time for this machine (:mod:`bokslut.sie.prebuild`), with
the argument types the imports called them with, so that no later process imports numba or
loads its cache: about four minutes with a fresh cache, nothing once the prebuilt modules match
the sources. Where that cannot be done (no C compiler), numba's disk cache, filled by the
imports, serves instead.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np
import pyarrow as pa

from bokslut.diagnostics import BokslutError
from bokslut.ledger.importer import import_files
from bokslut.sie import encoding as enc
from bokslut.sie import prebuild, prebuilt
from bokslut.sie.distinct import Codes, FirstLines, ShortValues
from bokslut.sie.plainheader import PlainSweep
from bokslut.sie.reader import read_sie_bytes
from bokslut.workspace.config import OrgTyp
from bokslut.workspace.new import create_workspace

_ACCOUNTS = 6_000  # header accounts, each with an SRU code: with the objects, past the sweep
OBJECTS = 4_000  # per dimension: past the first size of the sums' table
_REPEATED = 1_500  # ansvar on the rows without a projekt: each repeats (encoded)
VOUCHERS = 4_000  # five rows each: the file passes the scanner's threshold
_COSTS = ("4010", "5010", "6110", "7010")


def ledger(year: int, *, projekt: bool) -> str:
    """A generated SIE 4E ledger of ``year``. Its rows have an ansvar, and a projekt too with
    ``projekt`` (keys nearly all distinct, summed as strings); without, their keys are short
    and repeat (encoded as a dictionary, whose table grows)."""
    out = [
        "#FLAGGA 0",
        '#PROGRAM "bokslut uppvärmning" 1',
        "#FORMAT PC8",
        "#SIETYP 4",
        '#FNAMN "Uppvärmningen"',
        f"#RAR 0 {year}0101 {year}1231",
        '#DIM 1 "Ansvar"',
        '#DIM 6 "Projekt"',
        '#KONTO 1930 "Bank"',
        '#KONTO 3010 "Avgifter"',
        *(f'#KONTO {a} "Kostnad {a}"' for a in _COSTS),
    ]
    for k in range(_ACCOUNTS):
        account = f"{1000 + k // 3}{k % 3}"
        out += [f'#KONTO {account} "Konto {account} för verksamheten"', f"#SRU {account} {7000 + k % 500}"]
        if k % 5 == 0:
            out.append(f"#IB 0 {account} {k}.50")
            out.append(f"#UB 0 {account} {k + 1}.25")
    for k in range(OBJECTS):
        out.append(f'#OBJEKT 1 "A{k:05d}" "Ansvar {k} för verksamheten"')
        out.append(f'#OBJEKT 6 "P{k:05d}" "Projekt {k}"')
    for month in range(1, 13):
        for k in range(0, OBJECTS, 50):
            out.append(f'#PSALDO 0 {year}{month:02d} 4010 {{1 "A{k:05d}"}} {k + month}.00')
            out.append(f'#PBUDGET 0 {year}{month:02d} 4010 {{1 "A{k:05d}"}} {k * 2 + month}.00')
    out.append("#RES 0 3010 -1000.00")
    for v in range(VOUCHERS):
        day = f"{year}{1 + v % 12:02d}{1 + v % 28:02d}"
        out += [f'#VER A {v + 1} {day} "Faktura {v} från \\"Kanelen\\" AB"', "{"]
        total = 0
        for r in range(4):
            ore = 100 + (v * 7919 + r * 104_729) % 5_000_000
            total += ore
            if projekt:
                objects = f'1 "A{(v * 4 + r) % OBJECTS:05d}" 6 "P{(v * 13 + r) % OBJECTS:05d}"'
            else:
                objects = f'1 "A{(v * 7 + r * 3) % _REPEATED:05d}"'
            text = f'Avser avtal {v}-{r}, leverans till \\"Östra skolan\\" enligt beställning'
            row = f"{_COSTS[r]} {{{objects}}} {ore // 100}.{ore % 100:02d} {day}"
            if v % 20 == 0 and r == 0:
                out.append(f'#BTRANS {row} "{text}" 1 "Anna"')
                out.append(f'#RTRANS {row} "{text}" 1 "Anna"')
            out.append(f'#TRANS {row} "{text}"')
        out += [f'#TRANS 1930 {{}} -{total // 100}.{total % 100:02d} {day} "Motkonto"', "}"]
    return "\n".join(out) + "\n"


def warm(folder: Path) -> None:
    """Import the generated ledgers into a new workspace under ``folder``."""
    workspace = create_workspace(folder / "arbetsyta", "Uppvärmning", OrgTyp.KOMMUN, 2023)
    with workspace.config.open("a", encoding="utf-8") as f:
        f.write("\n[dimensioner]\nverksamhet = 1\nprojekt = 6\n")
    utf8 = folder / "2022.se"
    utf8.write_text(ledger(2022, projekt=True), encoding="utf-8")
    cp437 = folder / "2023.se"
    cp437.write_bytes(ledger(2023, projekt=False).replace("\n", "\r\n").encode("cp437"))
    import_files(workspace, [utf8, cp437])
    # A file read whole (as the store reads one again to rebuild its rows) is scanned, and
    # transcoded, in one go.
    read_sie_bytes(cp437.read_bytes(), cp437.name)
    grow_tables()


def grow_tables() -> None:
    """Grow each of the import's hash tables once, so that their growth is compiled too.

    The imports above fill no table past its first size: those of a streamed file are made
    for a region's millions of rows. Yet a file can outgrow one (a piece encoded again to
    match the file's first, a header of more objects than announced), and a kernel the
    build never saw called is compiled by numba in the user's import, seconds on a fresh
    installation. The tables are used here through the import's own methods, so the kernels
    get the argument types the import gives them."""
    n = 5_000  # past the first size of each table below
    values = pa.array([f"A{k:05d}" for k in range(n)])
    ShortValues(slots=16).dictionary(values)
    FirstLines(slots=16).add(values, np.arange(n, dtype=np.int64))
    Codes().codes(values)
    objekt = [(k + 1, f'#OBJEKT 1 "A{k:05d}" "Ansvar {k}"'.encode()) for k in range(n)]
    PlainSweep(enc.UTF8).sweep(objekt)


def main() -> int:
    built_from = prebuilt.digest()
    if prebuilt.read(prebuilt.FOLDER, built_from):
        return 0  # prebuilt from these sources for this machine already
    with tempfile.TemporaryDirectory(prefix="bokslut-uppvarmning-") as tmp:
        try:
            warm(Path(tmp))
        except BokslutError as exc:
            print(f"uppvärmningen av importens kärnor misslyckades: {exc}", file=sys.stderr)
            return 1
    try:
        prebuild.build(prebuilt.FOLDER, built_from, prebuild.kernel_specs())
    except (prebuild.PrebuildError, OSError) as exc:
        print(
            f"importens kärnor kunde inte förkompileras ({exc}); de läses i stället ur numbas cache",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
