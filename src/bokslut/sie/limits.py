"""What a SIE file may hold: the ranges the store can keep and a report can mean.

Numbers outside these are refused by the reader with the record's line (issue 9),
so nothing later — the store's int32 and int64 columns, date arithmetic, sums —
meets a value it cannot hold. Both reading paths use them; the compiled scanner
copies the year bounds (tests/sie/test_fastscan.py checks it honours them).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bokslut.diagnostics import Finding, Level
from bokslut.money import MAX_ORE, format_ore

# Every date in a file (#RAR, #VER, #TRANS, #GEN …) and every #PSALDO period.
MIN_YEAR = 1900
MAX_YEAR = 2199

# Year numbers of #RAR, #IB, #UB, #RES, #OIB, #OUB, #PSALDO, #PBUDGET (0 = this year, -1 …).
MIN_YEAR_INDEX = -99
MAX_YEAR_INDEX = 99

# Dimension numbers (#DIM, #UNDERDIM, #OBJEKT, object lists); the store keeps them as int32.
MIN_DIMENSION = 0
MAX_DIMENSION = 999_999_999

# Quantities are stored as DECIMAL(24,6): at most 18 digits before the point, 6 after.
QUANTITY_DIGITS = 18
QUANTITY_DECIMALS = 6

# Other integers (#FLAGGA, #SIETYP) before their own range is judged.
MIN_INT = -(2**31)
MAX_INT = 2**31 - 1

# Largest file `bokslut inspect` reads; in a workspace bokslut.toml [granser] sie_mb sets it
# (its default is this in whole megabytes). The store numbers lines and the scanner indexes
# bytes with int32, so never more than 2**31 - 1.
MAX_FILE_BYTES = 2 * 10**9
MEGABYTE = 1024 * 1024

# The absolute amounts of one file (rows, balances, period balances) together. Each
# amount is at most MAX_ORE too, so any sum a report makes of one file's amounts —
# or of a few hundred files' — fits the store's int64 öre with room to spare.
MAX_TOTAL_ORE = MAX_ORE

_LOW_BITS = 31


def size_text(n: int) -> str:
    """A byte count for messages: '2,1 GB', '512 kB', '100 byte'."""
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}".replace(".", ",")
    return f"{n} byte"


def megabytes(n: int) -> str:
    """A byte count in megabytes as [granser] counts them: '1,1', '2', '1907'."""
    return f"{n / MEGABYTE:.1f}".replace(".", ",").removesuffix(",0")


def _abs_parts(amounts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """|amounts| split in high and low bits: each part sums in int64 without overflow."""
    a = np.abs(amounts)
    return a >> _LOW_BITS, a & ((1 << _LOW_BITS) - 1)


def abs_total(amounts: np.ndarray) -> int:
    """The sum of the absolute amounts, exact (a streamed file adds it up piece by piece)."""
    # In blocks: the temporaries of a whole piece (three of its size) were fresh memory each
    # time, every page of them faulted in and zeroed; a block's are reused and stay in cache.
    total = 0
    for start in range(0, amounts.shape[0], _ABS_BLOCK):
        hi, lo = _abs_parts(amounts[start : start + _ABS_BLOCK])
        total += (int(hi.sum()) << _LOW_BITS) + int(lo.sum())
    return total


_ABS_BLOCK = 1 << 16


def total_finding(
    name: str,
    amounts: pa.Array | pa.ChunkedArray,
    lines: pa.Array | pa.ChunkedArray,
    others: tuple[np.ndarray, np.ndarray] | None = None,
) -> Finding | None:
    """An error when the file's absolute amounts add up to more than MAX_TOTAL_ORE.

    ``amounts``/``lines`` are the rows' columns, ``others`` the balances' lines and öre.
    The finding points at the line where the running total (in file order) passes the limit.
    """
    n = len(amounts)
    none = np.zeros(0, np.int64)
    other_lines, other_amounts = others if others is not None else (none, none)
    others_total = abs_total(other_amounts)
    if n:
        extremes = pc.min_max(amounts).as_py()  # no temporary array, unlike abs()
        largest = max(-extremes["min"], extremes["max"])
        if largest * n + others_total <= MAX_TOTAL_ORE:
            return None  # the usual case: no exact sum needed
        hi, lo = _abs_parts(amounts.to_numpy())
        total = (int(hi.sum()) << _LOW_BITS) + int(lo.sum()) + others_total
    else:
        total = others_total
    if total <= MAX_TOTAL_ORE:
        return None
    # Only for a file that fails: merge rows and balances in line order and find the crossing.
    all_lines = np.concatenate([lines.to_numpy() if n else none, other_lines])
    all_amounts = np.concatenate([amounts.to_numpy() if n else none, other_amounts])
    order = np.argsort(all_lines, kind="stable")
    hi, lo = _abs_parts(all_amounts[order])
    hi_sum, lo_sum = np.cumsum(hi), np.cumsum(lo)
    first, last = 0, len(order) - 1
    while first < last:
        mid = (first + last) // 2
        if (int(hi_sum[mid]) << _LOW_BITS) + int(lo_sum[mid]) > MAX_TOTAL_ORE:
            last = mid
        else:
            first = mid + 1
    return Finding(
        Level.ERROR,
        "filens belopp blir tillsammans (räknade utan tecken) större än vad bokslut kan lagra, "
        f"{format_ore(MAX_TOTAL_ORE, group=' ')} kr; gränsen passeras på den här raden – "
        "är beloppen skrivna i öre i stället för kronor, eller är filen skadad?",
        file=name,
        line=int(all_lines[order[first]]),
        code="belopp-for-stora",
    )
