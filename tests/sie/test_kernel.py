"""The kernels compile whether or not numba finds a folder to cache them in."""

from __future__ import annotations

import numba
import numpy as np
import pytest
from numba.core import caching

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
    compiled = kernel(_total)
    assert compiled(np.arange(5, dtype=np.int64)) == 10
    assert isinstance(compiled._cache, caching.NullCache)  # compiled in this process only


def test_a_kernel_is_cached_where_numba_can_write():
    compiled = kernel(_total)
    assert compiled(np.arange(4, dtype=np.int64)) == 6
    assert isinstance(compiled._cache, caching.FunctionCache)
