"""Coverage-guided fuzzing of the SIE reader with atheris.

The reader's contract: any bytes give a SieFile with findings; the only exception
that may escape is BokslutError. Both reading paths are exercised, and where the
compiled scanner accepts a file its result must equal the exact reader's.

    mkdir -p /tmp/sie-corpus
    .venv/bin/python fuzz/fuzz_sie.py -runs=100000 -max_len=8192 /tmp/sie-corpus tests/fixtures/sie

libFuzzer writes the inputs it finds into the first folder, so give it a scratch one.
"""

from __future__ import annotations

import sys

import atheris

# The compiled scanner is imported first, uninstrumented: numba cannot compile
# functions whose bytecode atheris has rewritten.
from bokslut.sie import fastscan

with atheris.instrument_imports(include=["bokslut.sie", "bokslut.money", "bokslut.diagnostics"]):
    from bokslut.diagnostics import BokslutError
    from bokslut.sie.checks import validate
    from bokslut.sie.reader import read_exact, read_exact_lines, read_sie_bytes


def test_one(data: bytes) -> None:
    try:
        sie = read_sie_bytes(data, "fuzz.se", fast=False)
        validate(sie)
        if read_sie_bytes(data, "fuzz.se", fast=None) is None:
            raise AssertionError("no result")
        detected = fastscan.detect(data)
        if b"\x00" in data or not data.strip():
            return
        fast = fastscan.read_fast(data, "fuzz.se", detected, read_exact_lines)
        if fast is not None:
            exact = read_exact(data, "fuzz.se", detected)
            assert fast.transactions.equals(exact.transactions)
            assert fast.vouchers.equals(exact.vouchers)
            assert fast.findings == exact.findings
    except BokslutError:
        pass


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one)
    atheris.Fuzz()
