"""The kernels compile whether or not numba finds a folder to cache them in, and load quickly from it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numba
import numpy as np
import pytest
from numba.core import caching

from bokslut.sie.jit import caches_on_disk
from bokslut.sie.kernel import kernel


def _total(values):  # type: ignore[no-untyped-def]
    out = 0
    for v in values:
        out += v
    return out


def test_a_kernel_compiles_without_a_writable_cache_folder(monkeypatch):
    # As on a read-only install without a home: numba finds no folder for its cache.
    monkeypatch.setattr(caching.CacheImpl, "_locator_classes", [])
    with pytest.raises(RuntimeError, match="no locator available"):
        numba.njit(cache=True)(_total)
    total = kernel(_total)
    assert total(np.arange(5, dtype=np.int64)) == 10
    assert isinstance(total.compiled()._cache, caching.NullCache)  # compiled in this process only


def test_a_kernel_is_cached_where_numba_can_write():
    total = kernel(_total)
    assert total(np.arange(4, dtype=np.int64)) == 6
    assert isinstance(total.compiled()._cache, caching.FunctionCache)


_TWICE = """
from bokslut.sie.kernel import kernel


@kernel
def twice(x):
    return 2 * x
"""


def _call_twice(folder: Path) -> str:
    script = (
        "import sys, twice\n"
        "result = twice.twice(21)\n"
        "print(result, len(twice.twice.compiled().stats.cache_hits), 'numba.np.linalg' in sys.modules)"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(folder), *sys.path])}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_a_cached_kernel_loads_without_refreshing_numbas_compiler(tmp_path):
    (tmp_path / "twice.py").write_text(_TWICE)
    # The first process compiles (numba loads all it can compile) and caches the kernel.
    assert _call_twice(tmp_path) == "42 0 True"
    # The next one loads it from the cache: the same result, and none of numba's
    # implementations imported (the 0.2-0.3 s that the quick load leaves out).
    assert _call_twice(tmp_path) == "42 1 False"


def test_the_disk_cache_is_reported_as_numba_finds_a_folder_for_it(monkeypatch):
    assert caches_on_disk()  # the package's __pycache__ is writable here
    # A read-only installation without a home: numba has no folder to keep machine code in.
    monkeypatch.setattr(caching.CacheImpl, "_locator_classes", [])
    assert not caches_on_disk()
