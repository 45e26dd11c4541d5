"""SIE 4E files of the shapes issue 13 measures import speed on.

Every shape has the same bulk — vouchers of five #TRANS rows each — and differs in
what makes real ledgers hard for a reader:

* ``present``     — benchmarks/generate_ledger.py's file (few objects, declared, CP437);
* ``dims``        — two dimensions on every row, 100 000 distinct objects, none declared;
* ``dims_decl``   — the same, every object declared with #OBJEKT;
* ``header``      — 300 000 #OBJEKT, 20 000 #KONTO with #SRU and #IB, #PSALDO per period;
* ``utf8``        — UTF-8 with Swedish letters in every text;
* ``cp437``       — the same text in CP437;
* ``crlf``        — CRLF line breaks;
* ``corrections`` — 5 % of vouchers corrected with #RTRANS/#BTRANS pairs;
* ``longtext``    — long row texts with escaped quotes.

Written line by line with f-strings from seeded numpy draws (the SIE writer is exact but
slow for tens of millions of rows); the same arguments give the same bytes. Kept outside
the repository: pass a directory (e.g. under /tmp).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from generate_ledger import generate as generate_present

SHAPES = ("present", "dims", "dims_decl", "header", "utf8", "cp437", "crlf", "corrections", "longtext")

ROWS_PER_VOUCHER = 5
N_ANSVAR = 90_000  # with N_PROJEKT: 100 000 distinct objects
N_PROJEKT = 10_000
N_HEADER_OBJECTS = 300_000
N_HEADER_ACCOUNTS = 20_000

WHAT = ["Faktura", "Hyra", "Lön", "Konsultarvode", "Licenser", "Avgift", "Reparation", "Resa"]
SUPPLIERS = ["Åkesson & Söner AB", "Öbergs Bygg", 'Café \\"Kanelen\\"', "Västerås Energi", "Älvdalens Buss"]
COSTS = ["4010", "4410", "5010", "5110", "5410", "6110", "6210", "6410", "7010", "7510"]
LONG = (
    'Avser faktura för \\"Projekt Älvstranden etapp 2\\" enligt avtal 2021-114, '
    "delleverans av material och arbete vid Östra skolan; attesterad av förvaltningschefen "
)


def _head(year: int) -> list[str]:
    return [
        "#FLAGGA 0",
        '#PROGRAM "bokslut benchmark" 1',
        "#FORMAT PC8",
        f"#GEN {year + 1}0115",
        "#SIETYP 4",
        "#ORGNR 212000-0000",
        '#FNAMN "Benchmarks region"',
        f"#RAR 0 {year}0101 {year}1231",
        "#KPTYP EUBAS97",
        '#DIM 1 "Ansvar"',
        '#DIM 6 "Projekt"',
    ]


def _accounts(shape: str) -> list[str]:
    base = ["1930", "2440", *COSTS, "3010"]
    out = [f'#KONTO {a} "Konto {a}"' for a in base]
    if shape != "header":
        return out
    for k in range(N_HEADER_ACCOUNTS):
        a = f"{1000 + k // 3}{k % 3}"
        out.append(f'#KONTO {a} "Konto {a} för verksamhetsområdet"')
        out.append(f"#SRU {a} {7000 + k % 500}")
    for k in range(N_HEADER_ACCOUNTS):
        a = f"{1000 + k // 3}{k % 3}"
        if a < "3":
            out.append(f"#IB 0 {a} 0.00")
    for k in range(0, N_HEADER_ACCOUNTS, 4):
        a = f"{1000 + k // 3}{k % 3}"
        for m in range(1, 13):
            out.append(f'#PSALDO 0 2023{m:02d} {a} {{1 "A{k % N_ANSVAR:05d}"}} {k * 7 + m}.00')
    return out


def _objects(shape: str) -> list[str]:
    if shape == "dims_decl":
        return [f'#OBJEKT 1 "A{k:05d}" "Ansvar {k}"' for k in range(N_ANSVAR)] + [
            f'#OBJEKT 6 "P{k:05d}" "Projekt {k}"' for k in range(N_PROJEKT)
        ]
    if shape == "header":
        n_p = N_HEADER_OBJECTS - N_ANSVAR
        return [f'#OBJEKT 1 "A{k:05d}" "Ansvar {k} för verksamheten"' for k in range(N_ANSVAR)] + [
            f'#OBJEKT 6 "P{k:06d}" "Projekt {k}"' for k in range(n_p)
        ]
    return []


def _voucher_lines(shape: str, n_vouchers: int, year: int, seed: int) -> Iterator[str]:
    rnd = np.random.default_rng(seed)
    block = 10_000
    n_obj = N_ANSVAR
    for first in range(0, n_vouchers, block):
        n = min(block, n_vouchers - first)
        amounts = rnd.integers(100, 5_000_000, size=(n, ROWS_PER_VOUCHER - 1))
        accounts = rnd.integers(0, len(COSTS), size=(n, ROWS_PER_VOUCHER - 1))
        ansvar = rnd.integers(0, n_obj, size=(n, ROWS_PER_VOUCHER - 1))
        projekt = rnd.integers(0, N_PROJEKT, size=(n, ROWS_PER_VOUCHER - 1))
        what = rnd.integers(0, len(WHAT), size=(n, ROWS_PER_VOUCHER - 1))
        who = rnd.integers(0, len(SUPPLIERS), size=(n, ROWS_PER_VOUCHER - 1))
        ref = rnd.integers(1000, 99999, size=(n, ROWS_PER_VOUCHER - 1))
        corrected = rnd.random(n) < 0.05
        out: list[str] = []
        for j in range(n):
            i = first + j
            day = i * 365 // n_vouchers
            date = np.datetime64(f"{year}-01-01") + day
            d = str(date).replace("-", "")
            series = "A" if i % 3 else "B"
            out.append(f'#VER {series} {i + 1} {d} "{WHAT[what[j, 0]]} {SUPPLIERS[who[j, 0]]}" {d}')
            out.append("{")
            total = 0
            for r in range(ROWS_PER_VOUCHER - 1):
                a = int(amounts[j, r])
                total += a
                acc = COSTS[accounts[j, r]]
                if shape == "present":
                    objs = ""
                elif shape == "header":
                    objs = f'1 "A{ansvar[j, r]:05d}" 6 "P{projekt[j, r] * 29:06d}"'
                else:
                    objs = f'1 "A{ansvar[j, r]:05d}" 6 "P{projekt[j, r]:05d}"'
                text = f"{WHAT[what[j, r]]} {SUPPLIERS[who[j, r]]} {ref[j, r]}"
                if shape == "longtext":
                    text = LONG + text + ' \\"slut\\"'
                amount = f"{a // 100}.{a % 100:02d}"
                if shape == "corrections" and corrected[j] and r == 0:
                    out.append(f'#BTRANS {acc} {{{objs}}} -{amount} {d} "{text}" 1 "Anna"')
                    out.append(f'#RTRANS {acc} {{{objs}}} {amount} {d} "{text}" 1 "Anna"')
                out.append(f'#TRANS {acc} {{{objs}}} {amount} {d} "{text}"')
            out.append(f'#TRANS 1930 {{}} -{total // 100}.{total % 100:02d} {d} "Motkonto"')
            out.append("}")
        yield "\n".join(out) + "\n"


def _encoding(shape: str) -> str:
    return "cp437" if shape == "cp437" else "utf-8"


# A region's settings for these ledgers: the ansvar dimension placed by data/organisation.csv
# (see organisation), projekt on dimension 6.
REGION_DIMENSIONS = "\n[dimensioner]\nansvar = 1\nprojekt = 6\n"


def organisation(path: Path) -> None:
    """data/organisation.csv placing every ansvar of the shapes in one of 600 enheter, 60
    förvaltningar and 12 nämnder."""
    lines = ["ansvar;namn;enhet;forvaltning;namnd"]
    for k in range(N_ANSVAR):
        enhet = k % 600
        lines.append(f"A{k:05d};Ansvar {k};Enhet {enhet};Förvaltning {enhet // 10};Nämnd {enhet // 50}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def generate(shape: str, directory: Path, n_vouchers: int, year: int = 2023, seed: int = 1) -> Path:
    """The file of ``shape`` with ``n_vouchers`` × 5 rows (written unless already there)."""
    path = directory / (f"{shape}-{n_vouchers}.se" if year == 2023 else f"{shape}-{n_vouchers}-{year}.se")
    if path.exists():
        return path
    directory.mkdir(parents=True, exist_ok=True)
    if shape == "present":
        return generate_present(path, n_vouchers, ROWS_PER_VOUCHER, year, seed)
    tmp = path.with_suffix(".tmp")
    charset = _encoding(shape)
    newline = "\r\n" if shape == "crlf" else "\n"
    fix: Callable[[str], str] = (lambda s: s.replace("\n", newline)) if newline != "\n" else (lambda s: s)
    with tmp.open("wb") as out:
        head = [*_head(year), *_accounts(shape), *_objects(shape)]
        out.write(fix("\n".join(head) + "\n").encode(charset))
        for chunk in _voucher_lines(shape, n_vouchers, year, seed):
            out.write(fix(chunk).encode(charset))
    tmp.replace(path)
    return path


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("directory", type=Path)
    parser.add_argument("--vouchers", type=int, default=1_000_000)
    parser.add_argument("--shape", action="append", choices=SHAPES)
    args = parser.parse_args()
    for shape in args.shape or SHAPES:
        print(generate(shape, args.directory, args.vouchers))
