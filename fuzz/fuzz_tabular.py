"""Coverage-guided fuzzing of the CSV/XLSX readers (bokslut.tabular and its users) with atheris.

The contract: any bytes, as a CSV (or an XLSX when they start like a zip file), give the
reader's result with findings; nothing may raise. Every reader of exported tables runs on
each input: personal (anställda, frånvaro against a fixed set of employees), kpi (ärenden,
samtal, nyckeltal) and budget files.

    mkdir -p /tmp/tabular-corpus
    .venv/bin/python fuzz/fuzz_tabular.py -runs=100000 -max_len=4096 /tmp/tabular-corpus fuzz/seeds/tabular
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["bokslut.tabular", "bokslut.personnel", "bokslut.kpi"]):
    from bokslut.kpi.calls import read_calls
    from bokslut.kpi.tickets import read_tickets
    from bokslut.kpi.yearly import read_yearly
    from bokslut.personnel.records import read_absences, read_employments
    from bokslut.statements.plan import read_plan_file
    from bokslut.workspace.config import Kpi, Personal

SEEDS = Path(__file__).resolve().parent / "seeds" / "tabular"
WORK = Path(tempfile.mkdtemp(prefix="fuzz-tabular-"))
PERSONAL = Personal()
KPI = Kpi(servicenivaer_min={"normal": 480, "akut": 30}, kontorstid="08:00-17:00")
EMPLOYEES, _ = read_employments(SEEDS / "anstallda.csv", "anstallda.csv", PERSONAL)
# An exception a library swallows (Arrow's row handler) still prints a traceback: a failure too.
UNRAISABLE: list[str] = []
sys.unraisablehook = lambda info: UNRAISABLE.append(repr(info.exc_value))


READERS: dict[bytes, Callable[[Path], object]] = {
    b"sysselsattningsgrad": lambda path: read_employments(path, path.name, PERSONAL),
    b"orsak": lambda path: read_absences(path, path.name, PERSONAL, EMPLOYEES),
    b"skapad": lambda path: read_tickets(path, path.name, KPI, (6, 30)),
    b"vantetid_s": lambda path: read_calls(path, path.name, KPI),
    b"benamning": lambda path: read_yearly(path, path.name, KPI),
    b"belopp": lambda path: read_plan_file(path, path.name, 2023, ledger_sign=False),
}


def test_one(data: bytes) -> None:
    path = WORK / ("data.xlsx" if data.startswith(b"PK") else "data.csv")
    path.write_bytes(data)
    # The reader whose columns the header names (each reader reads the whole file; running all
    # six on every input would spend most of the time on files they refuse for their header).
    header = data.split(b"\n", 1)[0]
    chosen = [read for word, read in READERS.items() if word in header] or list(READERS.values())
    for read in chosen:
        read(path)
    if UNRAISABLE:
        raise AssertionError(f"swallowed exception: {UNRAISABLE[0]}")


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one)
    atheris.Fuzz()
