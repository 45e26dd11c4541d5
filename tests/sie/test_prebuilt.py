"""The kernels compiled ahead of time: what they are called with, what they give, and that an
import with them never loads numba."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import textwrap

import numba
import numpy as np
import pytest

from bokslut.ledger import warmup
from bokslut.sie import prebuild, prebuilt
from bokslut.sie.reader import read_sie_bytes

_VALUES = [
    np.zeros(5, np.uint8),
    np.frombuffer(b"read only", np.uint8),
    np.zeros((3, 4), np.int32),
    np.zeros((3, 4), np.int64, order="F"),
    np.arange(10, dtype=np.int64)[::2],  # not contiguous
    np.zeros(2, np.bool_),
    np.zeros(3, np.uint64),
    0,
    -5,
    2**62,
    True,
    np.bool_(False),
    np.int32(3),
    np.uint64(5),
    1.5,
]


@pytest.mark.parametrize("value", _VALUES, ids=lambda v: type(v).__name__ + str(getattr(v, "dtype", "")))
def test_an_arguments_type_is_spelled_as_numba_types_it(value):
    assert prebuilt.argument_key(value) == prebuild.type_key(numba.typeof(value))


def test_arguments_no_export_takes_go_to_numba():
    assert prebuilt.argument_key(2**63) is None  # numba types it uint64, not int64
    assert prebuilt.argument_key("text") is None
    assert prebuilt.argument_key(None) is None


def test_no_prebuilt_kernels_where_none_were_built_from_these_sources(tmp_path):
    assert prebuilt.read(tmp_path, "saknas") == {}
    prebuilt.manifest_path(tmp_path, "trasig").write_text("{inte json", encoding="utf-8")
    assert prebuilt.read(tmp_path, "trasig") == {}
    # A manifest whose module is gone (a half-removed build).
    manifest = {"modules": {"rc": "_kborta_rc.so"}, "kernels": {"m.f": [["rc", "k0", [["i", "int64"]]]]}}
    prebuilt.manifest_path(tmp_path, "borta").write_text(json.dumps(manifest), encoding="utf-8")
    assert prebuilt.read(tmp_path, "borta") == {}


_TINY = """
import numpy as np

from bokslut.sie.kernel import ONES, inlined, kernel, load8, unrefcounted, zero_bytes


@inlined
def _double(x):
    return 2 * x


@kernel
def doubled(values):
    out = np.empty_like(values)  # allocated: numba's runtime is in this module
    for i in range(values.shape[0]):
        out[i] = _double(values[i])
    return out


@unrefcounted
def words_with_a_space(buf, out):
    n = 0
    for i in range(0, buf.shape[0] - 7, 8):
        if zero_bytes(load8(buf, i) ^ np.uint64(ONES * 32)) != 0:
            n += 1
    out[0] = n
    return n
"""


def test_a_kernel_module_prebuilt_gives_what_numba_gives_and_is_called_in_its_place(tmp_path, monkeypatch):
    (tmp_path / "tiny_kernels.py").write_text(textwrap.dedent(_TINY), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    import tiny_kernels as tiny

    values = np.arange(6, dtype=np.int64)
    data = b"ord med mellanslag, och ett ord till: sextio fyra byte i all text"
    text = np.frombuffer(data, np.uint8)
    spaced = sum(b" " in data[i : i + 8] for i in range(0, len(data) - 7, 8))
    out = np.zeros(1, np.int64)
    # Compiled by numba: the calls that give the build its signatures.
    by_numba = (tiny.doubled(values).tolist(), tiny.words_with_a_space(text, out))
    assert by_numba == ([0, 2, 4, 6, 8, 10], spaced)

    folder = tmp_path / "prebyggt"
    folder.mkdir()
    (folder / "kernels-gammal.json").write_text("{}", encoding="utf-8")  # an earlier build's
    (folder / "_kgammal_rc.so").write_bytes(b"")
    prebuild.build(folder, "prov", [tiny.doubled, tiny.words_with_a_space])
    assert sorted(p.name.split(".")[0] for p in folder.iterdir()) == [
        "_kprov_bare_tiny_kernels",
        "_kprov_rc",
        "kernels-prov",
    ]

    exports = prebuilt.read(folder, "prov")
    assert {name: list(by_key) for name, by_key in exports.items()} == {
        "tiny_kernels.doubled": [(prebuilt.argument_key(values),)],
        "tiny_kernels.words_with_a_space": [(prebuilt.argument_key(text), prebuilt.argument_key(out))],
    }
    (doubled,) = exports["tiny_kernels.doubled"].values()
    (words,) = exports["tiny_kernels.words_with_a_space"].values()
    assert (doubled(values).tolist(), words(text, np.zeros(1, np.int64))) == by_numba

    # Called through the kernel: the prebuilt export where the types match, numba elsewhere.
    calls: list[str] = []

    def recorded(export):
        return lambda *args: calls.append("förkompilerad") or export(*args)

    monkeypatch.setattr(
        prebuilt, "exports", lambda: {k: {t: recorded(f) for t, f in v.items()} for k, v in exports.items()}
    )
    monkeypatch.setattr(tiny.doubled, "_prebuilt", None)
    assert tiny.doubled(values).tolist() == [0, 2, 4, 6, 8, 10]
    assert calls == ["förkompilerad"]
    assert tiny.doubled(np.arange(12, dtype=np.int64)[::2]).tolist() == [0, 4, 8, 12, 16, 20]
    assert calls == ["förkompilerad"]  # not contiguous: numba compiled it


class _Module:
    """Stands in for a ``numba.pycc.CC``: compiling writes a file, or fails with ``error``."""

    def __init__(self, path, error=None):
        self.path, self.error = path, error

    def compile(self):
        if self.error:
            raise RuntimeError(self.error)
        self.path.write_text(str(os.getpid()), encoding="utf-8")


def test_the_modules_compile_at_once_each_in_a_process_of_its_own(tmp_path):
    parts = {name: _Module(tmp_path / name) for name in ("rc", "bare_fastscan", "bare_plainheader")}
    prebuild._compile_at_once(parts)
    pids = {(tmp_path / name).read_text(encoding="utf-8") for name in parts}
    assert len(pids) == 3 and str(os.getpid()) not in pids


def test_a_module_that_fails_to_compile_is_named_with_the_compilers_message(tmp_path):
    parts = {
        "rc": _Module(tmp_path / "rc"),
        "bare_fastscan": _Module(tmp_path / "bare", error="cc: kommandot saknas"),
    }
    with pytest.raises(prebuild.PrebuildError, match="bare_fastscan: RuntimeError: cc: kommandot saknas"):
        prebuild._compile_at_once(parts)
    assert (tmp_path / "rc").exists()  # the others are built (and thrown away with the build)


def _ledger_bytes() -> bytes:
    return warmup.ledger(2023, projekt=True).replace("\n", "\r\n").encode("cp437")


def test_the_scanner_prebuilt_reads_a_ledger_as_numba_compiled_it(monkeypatch):
    data = _ledger_bytes()
    prebuilt_read = read_sie_bytes(data, "2023.se")
    specs = prebuild.kernel_specs()
    assert any(spec.name == "bokslut.sie.fastscan._scan" for spec in specs)
    for spec in specs:
        monkeypatch.setattr(spec, "_prebuilt", {})  # every kernel through numba
    numba_read = read_sie_bytes(data, "2023.se")
    assert prebuilt_read.vouchers.equals(numba_read.vouchers)
    assert prebuilt_read.transactions.equals(numba_read.transactions)
    for name in ("accounts", "balances", "objects", "period_balances", "counts", "findings"):
        assert list(getattr(prebuilt_read, name)) == list(getattr(numba_read, name)), name
    assert prebuilt_read.transactions.num_rows == 5 * warmup.VOUCHERS + 2 * (warmup.VOUCHERS // 20)


def test_the_setup_prebuilt_every_kernel_python_calls():
    # The hash tables' growth too, which the import reaches only on some files: a kernel the
    # build never saw is compiled by numba in the user's import (seconds on a fresh clone).
    for name in prebuilt.kernel_modules():
        importlib.import_module(name)
    called_from_python = {spec.name for spec in prebuild.kernel_specs()}
    assert {"bokslut.sie.distinct._short_rehash", "bokslut.sie.plainheader._rehash"} <= called_from_python
    missing = sorted(called_from_python - set(prebuilt.exports()))
    assert missing == [], f"kör scripts/setup: {missing} är inte förkompilerade"


def test_the_encoding_facts_of_bytes_and_of_a_buffer_read_are_one_prebuilt_kernel():
    # A file's bytes (read only) and a piece read into a buffer (writable) alike: a large file
    # that the scanner declines (here for its #KSUMMA) has its encoding told from its bytes,
    # which loaded numba when only the streamed pieces' type was built.
    script = (
        "import sys\nimport numpy as np\nfrom bokslut.sie import fastscan\n"
        "from bokslut.ledger import warmup\nfrom bokslut.sie.reader import read_sie_bytes\n"
        "text = 'Städning'.encode('cp437') * 100\n"
        "read_only, room = np.frombuffer(text, np.uint8), np.frombuffer(bytearray(text), np.uint8)\n"
        "print(fastscan._stats(read_only) == fastscan._stats(room))\n"
        "print(fastscan._stats(room[8:]))\n"
        "data = ('#KSUMMA\\n' + warmup.ledger(2023, projekt=True)).encode('cp437')\n"
        "print(len(data) > 1 << 20, read_sie_bytes(data, 'bok.se').encoding)\n"
        "print(sorted(m for m in sys.modules if m.startswith('numba')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=300
    )
    # 'ä' in CP437 is 0x84: a high byte, not UTF-8, one CP437 letter per word (none Latin-1).
    assert done.stdout.splitlines() == ["True", "(99, 0, 99, 0)", "True cp437", "[]"]


def test_the_setup_prebuilt_every_kernel_an_import_calls(tmp_path):
    # A fresh process imports the warm-up's ledgers (every compiled path of the import: the
    # scanner streaming and whole, the header sweep, the checks, the sums) without numba.
    script = (
        "import sys\nfrom pathlib import Path\nfrom bokslut.ledger import warmup\n"
        f"warmup.warm(Path({str(tmp_path)!r}))\n"
        "print(sorted(m for m in sys.modules if m.startswith('numba')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={**os.environ},
        check=True,
        timeout=600,
    )
    assert done.stdout.strip() == "[]", (
        "kör scripts/setup: importens kärnor är inte förkompilerade för dessa källor"
    )
