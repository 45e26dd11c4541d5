"""The import's kernels compiled ahead of time: found, checked against their sources and loaded.

``scripts/setup`` compiles every kernel into two extension modules (:mod:`bokslut.sie.prebuild`)
kept in ``_prebuilt/`` beside this module, with a manifest of the argument types each export
takes. A process that finds them loads them in about a millisecond and never imports numba:
importing numba and loading its cached kernels took 0.4-0.9 s at the start of every large
import, holding the GIL while the scan waited.

The manifest's name holds a digest of everything the machine code depends on: the kernels'
sources, Python's and NumPy's versions, and the processor's features (the modules are
compiled for the machine they are built on). Where the digest differs, no prebuilt kernel is
used and the kernels are compiled by numba as before (:mod:`bokslut.sie.jit`); a call whose
argument types the build did not see goes to numba too.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.machinery
import importlib.util
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

# The files whose code the prebuilt modules hold (relative to the bokslut package): the
# kernel modules, the helpers and intrinsics they use, and the build's own options.
KERNEL_SOURCES = (
    "sie/kernel.py",
    "sie/jit.py",
    "sie/prebuild.py",
    "sie/fastscan.py",
    "sie/distinct.py",
    "sie/plainheader.py",
    "sie/running.py",
    "ledger/sums_writer.py",
)

FOLDER = Path(__file__).parent / "_prebuilt"


def kernel_modules() -> list[str]:
    """The kernel sources' module names (``bokslut.sie.fastscan``, …)."""
    return ["bokslut." + source.removesuffix(".py").replace("/", ".") for source in KERNEL_SOURCES]


# One argument's type as numba would see it, in plain values (a manifest's JSON keeps them).
ArgumentKey = tuple[Any, ...]
_INT64 = 1 << 63


def _cpu_features() -> bytes:
    """The processor's feature flags (Linux), or its architecture elsewhere: machine code built
    for one processor's instructions must not run on another that lacks them."""
    try:
        with Path("/proc/cpuinfo").open("rb") as f:
            for line in f:
                if line.startswith((b"flags", b"Features")):
                    return line
    except OSError:
        pass
    return os.uname().machine.encode()


def digest() -> str:
    """What the prebuilt modules must have been built from to be used in this process."""
    h = hashlib.blake2b(digest_size=12)
    package = Path(__file__).parents[1]
    for name in KERNEL_SOURCES:
        h.update(name.encode() + b"\0" + (package / name).read_bytes() + b"\0")
    h.update(f"{sys.implementation.cache_tag} {np.__version__}".encode() + b"\0" + _cpu_features())
    return h.hexdigest()


def manifest_path(folder: Path, built_from: str) -> Path:
    return folder / f"kernels-{built_from}.json"


def argument_key(value: object) -> ArgumentKey | None:
    """``value``'s type as numba types an argument (array: dtype, dimensions, layout, writable,
    aligned), or None for a type no prebuilt export takes."""
    if isinstance(value, np.ndarray):
        flags = value.flags
        layout = "C" if flags.c_contiguous else "F" if flags.f_contiguous else "A"
        return ("a", str(value.dtype), value.ndim, layout, bool(flags.writeable), bool(flags.aligned))
    if isinstance(value, bool | np.bool_):
        return ("b",)
    if isinstance(value, int):
        return ("i", "int64") if -_INT64 <= value < _INT64 else None
    if isinstance(value, np.integer):
        return ("i", str(value.dtype))
    if isinstance(value, float):
        return ("f", "float64")
    return None


def _as_key(value: Any) -> Any:
    """A manifest's JSON lists back as the tuples :func:`argument_key` makes."""
    return tuple(_as_key(v) for v in value) if isinstance(value, list) else value


def _load(path: Path) -> Any:
    """The extension module at ``path`` (its name is its file's first part)."""
    name = path.name.split(".", 1)[0]
    loader = importlib.machinery.ExtensionFileLoader(name, str(path))
    spec = importlib.util.spec_from_file_location(name, path, loader=loader)
    if spec is None:
        raise ImportError(f"{path}: no module spec")
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


Exports = dict[str, dict[ArgumentKey, Callable[..., Any]]]


def read(folder: Path, built_from: str) -> Exports:
    """The prebuilt kernels in ``folder`` built from ``built_from`` (a :func:`digest`), by kernel
    name and argument types; empty when there are none, or they cannot be loaded."""
    try:
        manifest = json.loads(manifest_path(folder, built_from).read_text(encoding="utf-8"))
        modules = {part: _load(folder / file) for part, file in manifest["modules"].items()}
        return {
            name: {_as_key(key): getattr(modules[part], export) for part, export, key in entries}
            for name, entries in manifest["kernels"].items()
        }
    except (OSError, ValueError, KeyError, TypeError, ImportError, AttributeError):
        # None built, or a build from elsewhere that this Python cannot load: numba compiles.
        return {}


@functools.cache
def exports() -> Exports:
    """This process's prebuilt kernels (read once): see :func:`read`."""
    return read(FOLDER, digest())
