"""How the import's kernels are declared, and how a call reaches their compiled code.

A kernel module marks its functions with the decorators below. Each gives a
:class:`Kernel`: the plain function and the numba options to compile it with
(:mod:`bokslut.sie.kernelspec`). A call looks for a prebuilt export taking its argument
types (:mod:`bokslut.sie.prebuilt`, made by ``scripts/setup``), and otherwise has numba
compile the kernel, or load it from numba's disk cache (:mod:`bokslut.sie.jit`, which is
only imported then). With the prebuilt modules in place, no process that imports a ledger
imports numba.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numpy as np

from bokslut.sie import prebuilt
from bokslut.sie.kernelspec import Intrinsic, Spec


class Kernel(Spec):
    """A kernel or helper, called from Python through its prebuilt export or numba."""

    # This kernel's prebuilt exports by argument types (looked up at its first call).
    _prebuilt: dict[prebuilt.ArgumentKey, Callable[..., Any]] | None = None

    def __call__(self, *args: Any) -> Any:
        if self._prebuilt is None:
            self._prebuilt = prebuilt.exports().get(self.name, {}) if self.entry else {}
        if self._prebuilt:
            export = self._prebuilt.get(tuple(prebuilt.argument_key(a) for a in args))
            if export is not None:
                return export(*args)
        return self.compiled()(*args)

    def compiled(self) -> Any:
        """numba's dispatcher of this function in this process."""
        from bokslut.sie import jit  # numba, imported only where a kernel is not prebuilt

        return jit.dispatcher(self)


def kernel(fn: Callable[..., Any]) -> Any:
    """``fn`` compiled without the GIL, prebuilt or cached on disk."""
    return Kernel(fn, {"nogil": True}, entry=True)


# numba's options for code without its runtime (``_nrt`` is missing from its type stubs).
_UNREFCOUNTED: dict[str, Any] = {"nogil": True, "_nrt": False}


def unrefcounted(fn: Callable[..., Any]) -> Any:
    """A :func:`kernel` compiled without numba's reference counting: an array handed to an
    inlined helper is otherwise counted (atomically) in and out at every call, which cost a
    quarter of the scan and more than half of a header sweep. Such a kernel cannot allocate
    arrays; its caller hands them in."""
    return Kernel(fn, _UNREFCOUNTED, entry=True)


def called(fn: Callable[..., Any]) -> Any:
    """A helper of :func:`unrefcounted` kernels compiled once and called, without reference
    counting either (so a call costs no atomic counting of its arrays): for a large helper
    that a kernel calls at several places, where inlining it at each would multiply the
    kernel's compile time and memory. The scanner's token copy, inlined at all six places
    (with the helpers it inlines in turn), took about 60 s and 1.4 GB to compile, enough to
    stop a fuzzer's 2 GB limit on a fresh clone; inlined at the two every row passes only,
    34 s and 0.92 GB, against 29 s and 0.84 GB all called, for 0.1-0.3 ns less per byte. The
    header sweep with its line and text helpers inlined took 214 s and 7.9 GB."""
    return Kernel(fn, _UNREFCOUNTED, entry=False)


_INLINED: dict[str, Any] = {"nogil": True, "inline": "always"}


def inlined(fn: Callable[..., Any]) -> Any:
    """A helper compiled into each kernel that calls it: no call per token or field, and in a
    kernel without reference counting (:func:`unrefcounted`) no counting of the arrays it is
    given either."""
    return Kernel(fn, _INLINED, entry=False)


_F = TypeVar("_F", bound=Callable[..., Any])


def _typed(fn: _F) -> _F:
    """:func:`inlined`, keeping ``fn``'s signature for mypy (``inlined`` gives Any, as the
    scanner's untyped helpers need)."""
    return cast(_F, inlined(fn))


@_typed
def decimal_digits(value: int, out: Any) -> int:
    """The decimal digits of ``value`` (not negative) as ASCII bytes into ``out``, the last digit
    first; returns how many. Compiled into each kernel that calls it (object keys' dimensions)."""
    if value == 0:
        out[0] = 48
        return 1
    count = 0
    while value > 0:
        out[count] = 48 + value % 10
        value //= 10
        count += 1
    return count


@_typed
def mix64(x: np.uint64) -> np.uint64:
    """MurmurHash3's 64-bit finalizer of ``x`` (uint64): numbers that differ in few bits (codes
    made one number, ids packed into words) come out differing in about half. Compiled into
    each kernel that calls it (the hash tables of the checks and the sums)."""
    x ^= x >> np.uint64(33)
    x *= np.uint64(0xFF51AFD7ED558CCD)
    x ^= x >> np.uint64(33)
    x *= np.uint64(0xC4CEB9FE1A85EC53)
    x ^= x >> np.uint64(33)
    return x


@_typed
def skip_blanks(buf: Any, i: int, end: int) -> int:
    """The first position from ``i`` (before ``end``) that is no space or tab: SIE's field
    separators. Compiled into each kernel that calls it (the scanner, the header sweep)."""
    while i < end and (buf[i] == 32 or buf[i] == 9):
        i += 1
    return i


# Eight bytes at a time, as a little-endian machine loads them (the word's lowest byte first):
# ONES * c holds the byte c in each place, HIGHS the flag bit of each byte.
ONES = 0x0101010101010101
HIGHS = 0x8080808080808080

# numba's count of a word's trailing zero bits (bokslut.sie.jit).
_trailing_zeros: Any = Intrinsic("trailing_zeros")


@inlined
def zero_bytes(w: Any) -> Any:
    """Flags (0x80) on the word's zero bytes: exact up to its first one, which is all the
    callers look at (a borrow only runs on from a zero byte)."""
    return (w - np.uint64(ONES)) & ~w & np.uint64(HIGHS)


@inlined
def run_before(stop: Any) -> Any:
    """Bytes of a word before its first byte flagged (0x80) in ``stop``: 0 to 8."""
    if stop == 0:
        return 8
    return np.int64(_trailing_zeros(stop) >> np.uint64(3))


# Unaligned loads and stores of a word (bokslut.sie.jit): the scanner and the short values'
# encoding read and copy bytes eight at a time.
load8: Any = Intrinsic("load8")
store8: Any = Intrinsic("store8")

# A hint to load the cache line of a 2-d array's element ahead of its use (bokslut.sie.jit):
# a hash table's lookups, each a miss in a table larger than the cache, overlap instead of
# waiting one after the other.
prefetch: Any = Intrinsic("prefetch")
