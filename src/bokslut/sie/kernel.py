"""Compiling the scanner's and the checks' kernels with numba, cached on disk where possible.

numba keeps compiled kernels beside their module (``__pycache__``) or, when that folder
cannot be written (an installed, read-only package), in the user's cache folder. With
neither writable (a read-only container without a home) ``cache=True`` fails when the
module is imported; the kernels are then compiled in each process instead, which is
slower to start but reads every file the same.

A kernel found in the cache is loaded without first refreshing numba's compiler
(:class:`_QuickCache`): at the start of a large import that refresh was a tenth of the
time, on the one thread that holds the GIL.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import numba
import numpy as np
from llvmlite import ir
from numba.core import cgutils
from numba.core.caching import FunctionCache
from numba.core.runtime.nrt import rtsys
from numba.cpython.unsafe import numbers as unsafe_numbers
from numba.extending import intrinsic


class _QuickCache(FunctionCache):
    """numba's disk cache of one kernel, loaded without refreshing numba's compiler first.

    Before it looks in the cache numba refreshes its whole target context, which imports every
    implementation it can compile (0.2-0.3 s, holding the GIL, before the scan can begin).
    Machine code loaded from the cache needs none of them, only numba's runtime (the memory
    its kernels allocate) linked in; the symbols of numba's helpers are linked when the
    context is made. On a miss the compiler refreshes the context itself before compiling."""

    def load_overload(self, sig: Any, target_context: Any) -> Any:
        rtsys.initialize(target_context)
        with self._guard_against_spurious_io_errors():
            return self._load_overload(sig, target_context)  # type: ignore[no-untyped-call]


def compiled(fn: Callable[..., Any], **options: Any) -> Any:
    """``fn`` compiled by numba with ``options``, its machine code cached on disk when there is
    room for it (else compiled in each process)."""
    dispatcher = numba.njit(**options)(fn)
    # What ``cache=True`` does (numba's Dispatcher.enable_caching), with the quicker load. numba
    # raises "no locator available" when it finds no writable cache folder.
    with contextlib.suppress(RuntimeError):
        dispatcher._cache = _QuickCache(fn)  # type: ignore[no-untyped-call]
    return dispatcher


def _probe() -> None:
    """A function of this package, to ask numba where its kernels' cache would be."""


def caches_on_disk() -> bool:
    """Whether kernels made by :func:`compiled` keep their machine code on disk here (numba
    finds a writable cache folder for this package's modules)."""
    try:
        _QuickCache(_probe)  # type: ignore[no-untyped-call]
    except RuntimeError:
        return False
    return True


def kernel(fn: Callable[..., Any]) -> Any:
    """``fn`` compiled without the GIL, its machine code cached on disk when there is room for it."""
    return compiled(fn, nogil=True)


# numba's options for code without its runtime (``_nrt`` is missing from its type stubs).
_UNREFCOUNTED: dict[str, Any] = {"nogil": True, "_nrt": False}


def unrefcounted(fn: Callable[..., Any]) -> Any:
    """A :func:`kernel` compiled without numba's reference counting: an array handed to an
    inlined helper is otherwise counted (atomically) in and out at every call, which cost a
    quarter of the scan and more than half of a header sweep. Such a kernel cannot allocate
    arrays; its caller hands them in."""
    return compiled(fn, **_UNREFCOUNTED)


def called(fn: Callable[..., Any]) -> Any:
    """A helper of :func:`unrefcounted` kernels compiled once and called, without reference
    counting either (so a call costs no atomic counting of its arrays): for a large helper
    that a kernel calls at several places, where inlining it at each would multiply the
    kernel's compile time and memory. The scanner's token copy, inlined at all six places
    (with the helpers it inlines in turn), took about 60 s and 1.4 GB to compile, enough to
    stop a fuzzer's 2 GB limit on a fresh clone; inlined at the two every row passes only,
    34 s and 0.92 GB, against 29 s and 0.84 GB all called, for 0.1-0.3 ns less per byte. The
    header sweep with its line and text helpers inlined took 214 s and 7.9 GB."""
    return numba.njit(**_UNREFCOUNTED)(fn)


def inlined(fn: Callable[..., Any]) -> Any:
    """A helper compiled into each kernel that calls it: no call per token or field, and in a
    kernel without reference counting (:func:`unrefcounted`) no counting of the arrays it is
    given either."""
    return numba.njit(nogil=True, inline="always")(fn)


# The typed helpers below are what :func:`inlined` makes, spelled with numba's own decorator,
# which keeps their signatures for mypy (``inlined`` gives Any, as the scanner's untyped
# helpers need).
@numba.njit(nogil=True, inline="always")
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


@numba.njit(nogil=True, inline="always")
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


@numba.njit(nogil=True, inline="always")
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

# numba's helper, typed loosely: its stubs type it as a Python call.
_trailing_zeros: Any = unsafe_numbers.trailing_zeros


@inlined
def zero_bytes(w: Any) -> Any:
    """Flags (0x80) on the word's zero bytes: exact up to its first one, which is all the
    callers look at (a borrow only runs on from a zero byte)."""
    return (w - numba.uint64(ONES)) & ~w & numba.uint64(HIGHS)


@inlined
def run_before(stop: Any) -> Any:
    """Bytes of a word before its first byte flagged (0x80) in ``stop``: 0 to 8."""
    if stop == 0:
        return 8
    return numba.int64(_trailing_zeros(stop) >> numba.uint64(3))


# numba's helper, typed loosely: its stubs type it as a Python call.
_item_pointer: Any = cgutils.get_item_pointer

# Unaligned loads and stores of a word: the scanner and the short values' encoding read and
# copy bytes eight at a time.


def _intrinsic(fn: Callable[..., Any]) -> Any:
    """A helper numba compiles to the LLVM instructions ``fn``'s codegen builds (typed loosely:
    numba's stubs type the result as taking the typing context)."""
    return intrinsic(fn)


@_intrinsic
def load8(typingctx: Any, arr: Any, i: Any) -> Any:
    """The 8 bytes of the uint8 array arr from i as one uint64 (an unaligned load; i + 8 must
    not pass the array's end)."""

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        aryty = signature.args[0]
        ary = context.make_array(aryty)(context, builder, args[0])
        ptr = _item_pointer(context, builder, aryty, ary, [args[1]])
        return builder.load(builder.bitcast(ptr, ir.IntType(64).as_pointer()), align=1)

    return numba.types.uint64(arr, i), codegen


@_intrinsic
def store8(typingctx: Any, arr: Any, slot: Any, pos: Any, word: Any) -> Any:
    """Write the uint64 word as 8 bytes at arr[slot, pos] (an unaligned store; there must be
    room for all 8)."""

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        aryty = signature.args[0]
        ary = context.make_array(aryty)(context, builder, args[0])
        ptr = _item_pointer(context, builder, aryty, ary, [args[1], args[2]])
        builder.store(args[3], builder.bitcast(ptr, ir.IntType(64).as_pointer()), align=1)
        return context.get_dummy_value()

    return numba.types.none(arr, slot, pos, numba.types.uint64), codegen
