"""Compiling the import's kernels with numba in this process, cached on disk where possible.

This is the path where no prebuilt module matches the kernels' sources
(:mod:`bokslut.sie.prebuilt`): a checkout whose kernels were just edited, or an installation
without a C compiler. It is also how the build of the prebuilt module learns each kernel's
argument types (it compiles what the warm-up calls, then exports those signatures).

numba keeps compiled kernels beside their module (``__pycache__``) or, when that folder
cannot be written (an installed, read-only package), in the user's cache folder. With
neither writable (a read-only container without a home) a kernel is compiled in each
process instead, which is slower to start but reads every file the same.

A kernel module's functions refer to each other, and to the intrinsics, by global name, and
those names hold :class:`~bokslut.sie.kernelspec.Spec` objects, which numba cannot type. Each
function is therefore compiled as a copy whose globals are its module's with every spec
replaced by its numba dispatcher (:func:`dispatcher`).
"""

from __future__ import annotations

import contextlib
import sys
import threading
import types
from collections.abc import Callable
from typing import Any

import numba
from llvmlite import ir
from numba.core import cgutils
from numba.core.caching import FunctionCache
from numba.core.runtime.nrt import rtsys
from numba.cpython.unsafe import numbers as unsafe_numbers
from numba.extending import intrinsic

from bokslut.sie.kernelspec import Intrinsic, Spec


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
    made = numba.njit(**options)(fn)
    # What ``cache=True`` does (numba's Dispatcher.enable_caching), with the quicker load. numba
    # raises "no locator available" when it finds no writable cache folder.
    with contextlib.suppress(RuntimeError):
        made._cache = _QuickCache(fn)  # type: ignore[no-untyped-call]
    return made


def _probe() -> None:
    """A function of this package, to ask numba where its kernels' cache would be."""


def caches_on_disk() -> bool:
    """Whether kernels compiled here keep their machine code on disk (numba finds a writable
    cache folder for this package's modules)."""
    try:
        _QuickCache(_probe)  # type: ignore[no-untyped-call]
    except RuntimeError:
        return False
    return True


# numba's helpers, typed loosely: their stubs type them as Python calls.
_item_pointer: Any = cgutils.get_item_pointer
_function_of: Any = cgutils.get_or_insert_function


def _intrinsic(fn: Callable[..., Any]) -> Any:
    """A helper numba compiles to the LLVM instructions ``fn``'s codegen builds (typed loosely:
    numba's stubs type the result as taking the typing context)."""
    return intrinsic(fn)


# Unaligned loads and stores of a word: the scanner and the short values' encoding read and
# copy bytes eight at a time.


@_intrinsic
def _load8(typingctx: Any, arr: Any, i: Any) -> Any:
    """The 8 bytes of the uint8 array arr from i as one uint64 (an unaligned load; i + 8 must
    not pass the array's end)."""

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        aryty = signature.args[0]
        ary = context.make_array(aryty)(context, builder, args[0])
        ptr = _item_pointer(context, builder, aryty, ary, [args[1]])
        return builder.load(builder.bitcast(ptr, ir.IntType(64).as_pointer()), align=1)

    return numba.types.uint64(arr, i), codegen


@_intrinsic
def _store8(typingctx: Any, arr: Any, slot: Any, pos: Any, word: Any) -> Any:
    """Write the uint64 word as 8 bytes at arr[slot, pos] (an unaligned store; there must be
    room for all 8)."""

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        aryty = signature.args[0]
        ary = context.make_array(aryty)(context, builder, args[0])
        ptr = _item_pointer(context, builder, aryty, ary, [args[1], args[2]])
        builder.store(args[3], builder.bitcast(ptr, ir.IntType(64).as_pointer()), align=1)
        return context.get_dummy_value()

    return numba.types.none(arr, slot, pos, numba.types.uint64), codegen


@_intrinsic
def _prefetch(typingctx: Any, arr: Any, slot: Any, pos: Any) -> Any:
    """Ask for the cache line of arr[slot, pos] to be loaded, without waiting for it (LLVM's
    prefetch: a hint, never a fault, so slot may be any index within the array)."""

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        aryty = signature.args[0]
        ary = context.make_array(aryty)(context, builder, args[0])
        ptr = _item_pointer(context, builder, aryty, ary, [args[1], args[2]])
        i8p = ir.IntType(8).as_pointer()
        i32 = ir.IntType(32)
        fnty = ir.FunctionType(ir.VoidType(), [i8p, i32, i32, i32])
        fn = _function_of(builder.module, fnty, "llvm.prefetch.p0i8")
        # A read (0), kept in every cache level (3), of data (1).
        builder.call(fn, [builder.bitcast(ptr, i8p), i32(0), i32(3), i32(1)])
        return context.get_dummy_value()

    return numba.types.none(arr, slot, pos), codegen


_INTRINSICS: dict[str, Any] = {
    "prefetch": _prefetch,
    "load8": _load8,
    "store8": _store8,
    "trailing_zeros": unsafe_numbers.trailing_zeros,
}

# Kernels are first called from several threads at once (the scanner's workers): one makes
# the dispatchers and fills the globals while the others wait, as numba's own compiler lock.
_LOCK = threading.RLock()
# Each kernel module's globals as its kernels are compiled with them, by module name.
_NAMESPACES: dict[str, dict[str, Any]] = {}


def _made(spec: Spec) -> Any:
    """The numba dispatcher of ``spec`` (made once), compiled with its module's globals as
    :func:`_namespace` fills them."""
    if spec.jitted is not None:
        return spec.jitted
    fn = spec.fn
    namespace = _namespace(fn.__module__)
    if spec.jitted is None:  # filling its module's namespace may have made it
        copy = types.FunctionType(fn.__code__, namespace, fn.__name__, fn.__defaults__, fn.__closure__)
        copy.__qualname__ = fn.__qualname__
        copy.__doc__ = fn.__doc__
        if spec.entry:
            spec.jitted = compiled(copy, **spec.options)
        else:
            spec.jitted = numba.njit(**spec.options)(copy)
    return spec.jitted


def _namespace(module: str) -> dict[str, Any]:
    """The globals that ``module``'s functions are compiled with: its own, each spec replaced by
    its dispatcher and each intrinsic by numba's. Filled once; a module's functions call the
    ones of the modules they import, whose namespaces are filled in turn."""
    namespace = _NAMESPACES.get(module)
    if namespace is None:
        source = vars(sys.modules[module])
        # Registered before it is filled: the dispatchers made while filling it take it as
        # their globals, and a module imported back finds it.
        namespace = _NAMESPACES[module] = dict(source)
        for name, value in source.items():
            if isinstance(value, Spec):
                namespace[name] = _made(value)
            elif isinstance(value, Intrinsic):
                namespace[name] = _INTRINSICS[value.name]
    return namespace


def dispatcher(spec: Spec) -> Any:
    """numba's dispatcher of ``spec``: compiled on its first call (or loaded from numba's disk
    cache), with the globals of its module and of the modules it calls filled in."""
    with _LOCK:
        return _made(spec)
