"""Coverage-guided fuzzing of the SIE reader with atheris.

The reader's contract: any bytes give a SieFile with findings; the only exception
that may escape is BokslutError. Both reading paths are exercised, and where the
compiled scanner accepts a file its result must equal the exact reader's — tables,
header, chart, balances, counts and findings. No message may carry a control
character (it would reach the user's terminal).

    mkdir -p /tmp/sie-corpus
    .venv/bin/python fuzz/fuzz_sie.py -runs=100000 -max_len=8192 /tmp/sie-corpus tests/fixtures/sie

libFuzzer writes the inputs it finds into the first folder, so give it a scratch one.
"""

from __future__ import annotations

import sys

import atheris

INSTRUMENTED = ["bokslut.sie", "bokslut.money", "bokslut.diagnostics"]

# The modules the compiled scanner imports are instrumented first; the scanner itself is
# imported uninstrumented: numba cannot compile functions whose bytecode atheris has rewritten.
with atheris.instrument_imports(include=INSTRUMENTED):
    from bokslut.sie import encoding, limits, model  # noqa: F401

from bokslut.sie import fastscan  # noqa: E402

with atheris.instrument_imports(include=INSTRUMENTED):
    from bokslut.diagnostics import BokslutError
    from bokslut.sie.checks import validate
    from bokslut.sie.reader import ExactLines, read_exact, read_sie_bytes
    from bokslut.sie.tokens import printable


def _printable(findings: object) -> None:
    for f in findings:  # type: ignore[attr-defined]
        assert printable(f.message) == f.message, f.message


def test_one(data: bytes) -> None:
    try:
        sie = read_sie_bytes(data, "fuzz.se", fast=False)
        _printable(sie.findings)
        _printable(validate(sie))
        if read_sie_bytes(data, "fuzz.se", fast=None) is None:
            raise AssertionError("no result")
        detected = fastscan.detect(data)
        assert detected == encoding.detect(data)
        if b"\x00" in data or not data.strip():
            return
        fast = fastscan.read_fast(data, "fuzz.se", detected, ExactLines)
        # The scan that decides the encoding itself reads the file as the one told it.
        deciding = fastscan.read_fast(data, "fuzz.se", None, ExactLines)
        assert (deciding is None) == (fast is None)
        if fast is not None:
            assert deciding is not None and deciding.encoding == detected.encoding
            assert deciding.transactions.equals(fast.transactions)
            assert deciding.vouchers.equals(fast.vouchers)
            assert deciding.findings == fast.findings
            exact = read_exact(data, "fuzz.se", detected)
            assert fast.transactions.equals(exact.transactions)
            assert fast.vouchers.equals(exact.vouchers)
            assert fast.findings == exact.findings
            assert (fast.header, fast.accounts, fast.dimensions, fast.objects) == (
                exact.header,
                exact.accounts,
                exact.dimensions,
                exact.objects,
            )
            assert (fast.balances, fast.period_balances, dict(fast.counts)) == (
                exact.balances,
                exact.period_balances,
                dict(exact.counts),
            )
            assert validate(fast) == validate(exact)
    except BokslutError:
        pass


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one)
    atheris.Fuzz()
