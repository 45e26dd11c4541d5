"""The import's kernels as they are written: plain functions and the numba options to compile them with.

Nothing here imports numba. A module of kernels (:mod:`bokslut.sie.fastscan` and the others
listed in :data:`bokslut.sie.prebuilt.KERNEL_MODULES`) holds :class:`Spec` objects where it
used to hold numba's dispatchers, so that importing it costs nothing when the kernels come
prebuilt (:mod:`bokslut.sie.prebuilt`). numba is imported only to compile them
(:mod:`bokslut.sie.jit`), where no prebuilt module matches the sources.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(eq=False)
class Spec:
    """A function numba compiles with ``options``. ``entry`` marks a kernel that Python calls
    (prebuilt ahead of time); the others are helpers compiled into the kernels that call them.
    Compared and hashed by identity: one function, one compiled form."""

    fn: Callable[..., Any]
    options: Mapping[str, Any]
    entry: bool
    # numba's dispatcher of this function in this process, once made (bokslut.sie.jit).
    jitted: Any = field(default=None, repr=False)

    @property
    def name(self) -> str:
        """The function's module and name: how the prebuilt module's manifest knows it."""
        return f"{self.fn.__module__}.{self.fn.__qualname__}"


@dataclass(frozen=True)
class Intrinsic:
    """A numba intrinsic that kernels use by ``name`` (LLVM instructions numba emits inline),
    made by :mod:`bokslut.sie.jit` when kernels are compiled."""

    name: str
