"""Compiling the import's kernels ahead of time into extension modules, at setup.

``python -m bokslut.ledger.warmup`` first imports generated ledgers with every kernel compiled
by numba (:mod:`bokslut.sie.jit`), which is how the argument types each kernel is called with
become known; :func:`build` then compiles those signatures with numba's ahead-of-time compiler
(``numba.pycc``) for this machine's processor. Kernels with numba's reference counting go into
one module built with its runtime; those without it into modules without the runtime, one per
source module, so that the scanner (most of the build) and the header sweep compile at once,
each module in a process of its own. The modules and their manifest are read by
:mod:`bokslut.sie.prebuilt`.

The exported functions release the GIL as the kernels do under numba (the scanner's workers
run side by side): ``numba.pycc`` compiles its exports with default options, so the build
hands it options with the GIL released.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import shutil
import signal
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

from bokslut.sie import prebuilt
from bokslut.sie.kernelspec import Spec


class PrebuildError(Exception):
    """The kernels could not be compiled ahead of time here (no C compiler, no Python headers)."""


def kernel_specs() -> list[Spec]:
    """The kernels (called from Python) of every kernel module this process has imported."""
    found: list[Spec] = []
    for name in prebuilt.kernel_modules():
        module = sys.modules.get(name)
        if module is None:
            continue
        found += [
            value
            for value in vars(module).values()
            if isinstance(value, Spec) and value.entry and value.fn.__module__ == module.__name__
        ]
    return found


def type_key(ty: Any) -> prebuilt.ArgumentKey | None:
    """numba's type of an argument as :func:`bokslut.sie.prebuilt.argument_key` spells it."""
    from numba.core import types
    from numba.np.numpy_support import as_dtype

    if isinstance(ty, types.Array):
        return ("a", str(as_dtype(ty.dtype)), ty.ndim, ty.layout, ty.mutable, ty.aligned)
    if isinstance(ty, types.Boolean):
        return ("b",)
    if isinstance(ty, types.Integer):
        return ("i", str(as_dtype(ty)))
    if isinstance(ty, types.Float):
        return ("f", str(as_dtype(ty)))
    return None


@contextmanager
def _exports_release_the_gil() -> Iterator[None]:
    """numba.pycc's exports compiled with the GIL released around the call (it makes its
    compiler options with ``Flags()``, which leaves the GIL held)."""
    pycc_compiler: Any = importlib.import_module("numba.pycc.compiler")
    flags: Any = importlib.import_module("numba.core.compiler").Flags

    def releasing() -> Any:
        made = flags()
        made.release_gil = True
        return made

    before = pycc_compiler.Flags
    pycc_compiler.Flags = releasing
    try:
        yield
    finally:
        pycc_compiler.Flags = before


def build(folder: Path, built_from: str, specs: list[Spec]) -> Path:
    """Compile the signatures each spec has been compiled with in this process into extension
    modules in ``folder``, with a manifest named for ``built_from``; returns the manifest.
    Modules and manifests of other builds in ``folder`` are removed."""
    with warnings.catch_warnings():
        # numba.pycc is deprecated (without a replacement yet); it still builds what numba
        # compiles, and the tests check what it built against numba's own.
        warnings.simplefilter("ignore")
        cc_class: Any = importlib.import_module("numba.pycc").CC

    folder.mkdir(parents=True, exist_ok=True)
    parts: dict[str, Any] = {}
    kernels: dict[str, list[tuple[str, str, list[Any]]]] = {}
    count = 0
    with tempfile.TemporaryDirectory(dir=folder, prefix=".bygge-") as tmp:
        for spec in specs:
            dispatcher = spec.jitted
            if dispatcher is None:
                continue
            part = _part(spec)
            if part not in parts:
                cc = cc_class(f"_k{built_from}_{part}")
                cc.output_dir = tmp
                cc.target_cpu = "host"
                cc.use_nrt = part == _COUNTED
                parts[part] = cc
            for sig in dispatcher.nopython_signatures:
                key = [type_key(ty) for ty in sig.args]
                if None in key:
                    continue
                export = f"k{count}"
                count += 1
                parts[part].export(export, sig)(dispatcher.py_func)
                kernels.setdefault(spec.name, []).append((part, export, key))
        with warnings.catch_warnings(), _exports_release_the_gil():
            warnings.simplefilter("ignore")
            _compile_at_once(parts)
        modules = {part: Path(cc.output_file).name for part, cc in parts.items()}
        for name in modules.values():
            os.replace(Path(tmp) / name, folder / name)
    manifest = prebuilt.manifest_path(folder, built_from)
    partial = manifest.with_suffix(".tmp")
    partial.write_text(json.dumps({"modules": modules, "kernels": kernels}, indent=1), encoding="utf-8")
    os.replace(partial, manifest)
    _remove_other_builds(folder, built_from)
    return manifest


_COUNTED = "rc"  # the module built with numba's runtime


def _part(spec: Spec) -> str:
    """The module ``spec``'s kernel is built into."""
    if spec.options.get("_nrt") is False:
        return "bare_" + spec.fn.__module__.rsplit(".", 1)[-1]
    return _COUNTED


def _compile_at_once(parts: dict[str, Any]) -> None:
    """Compile each module (a ``numba.pycc.CC``) in a process of its own, all at once.

    The processes are forked: each has this process's numba dispatchers, whose signatures are
    what is built, and writes its module where its CC says. Without fork (not POSIX), one after
    another here."""
    if not hasattr(os, "fork") or len(parts) < 2:
        for cc in parts.values():
            _compile(cc)
        return
    children: dict[int, tuple[str, int]] = {}
    try:
        for part, cc in parts.items():
            read_end, write_end = os.pipe()
            pid = os.fork()
            if pid == 0:
                _compile_in_child(cc, read_end, write_end)
            os.close(write_end)
            children[pid] = (part, read_end)
        failures = []
        for pid, (part, read_end) in list(children.items()):
            with os.fdopen(read_end, "rb") as pipe:
                message = pipe.read().decode("utf-8", "replace")
            _, status = os.waitpid(pid, 0)
            del children[pid]
            if os.waitstatus_to_exitcode(status) != 0:
                failures.append(f"{part}: {message or f'status {status}'}")
        if failures:
            raise PrebuildError("; ".join(failures))
    finally:
        for pid, (_, read_end) in children.items():  # stopped (Ctrl-C): the others too
            os.kill(pid, signal.SIGTERM)
            os.waitpid(pid, 0)
            with contextlib.suppress(OSError):  # closed already if reading it was stopped
                os.close(read_end)


def _compile_in_child(cc: Any, read_end: int, write_end: int) -> NoReturn:
    """A forked child's whole life: compile, say what failed through the pipe, and exit."""
    code = 1
    try:
        os.close(read_end)
        _compile(cc)
        code = 0
    except BaseException as exc:  # whatever it is, the parent reports it
        os.write(write_end, str(exc).encode("utf-8", "replace")[:_MESSAGE_BYTES])
    finally:
        os._exit(code)


_MESSAGE_BYTES = 4096  # of a failure's message, through a pipe


def _compile(cc: Any) -> None:
    try:
        cc.compile()
    except Exception as exc:  # the C toolchain's errors come from setuptools and distutils
        raise PrebuildError(f"{type(exc).__name__}: {exc}") from exc


# A build's working folder left by a build that was stopped (not one still running).
_STALE_SECONDS = 3600


def _remove_other_builds(folder: Path, built_from: str) -> None:
    for path in folder.iterdir():
        if built_from in path.name:
            continue
        if path.name.startswith(("kernels-", "_k")):
            path.unlink(missing_ok=True)
        elif path.name.startswith(".bygge-") and time.time() - path.stat().st_mtime > _STALE_SECONDS:
            shutil.rmtree(path, ignore_errors=True)
