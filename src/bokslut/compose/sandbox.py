"""The Jinja sandbox a chapter runs in, with limits on work, size and attributes.

A chapter is untrusted code: in a web application many users' chapters run on
one server. Jinja's own sandbox refuses Python internals; this one adds

* a work budget: every loop iteration and every call counts a step, and each
  iteration also counts the literal text of its loop body, so two nested
  ``range(100000)`` loops or a loop that repeats a large text stop early;
* a time limit per chapter, checked at every step;
* size limits on what an expression may build: ``'x' * 10**10``, ``2 ** 10**9``,
  a ``~`` or a filter that makes a huge text is refused (before it is built
  where the size is known in advance, right after otherwise);
* no attribute access, except on the objects that exist for it (``v.namn``,
  ``loop.index``, a namespace) – a figure shows only through its filters.

Each refusal raises :class:`LimitExceeded` with a Swedish message; the composer
turns it into a finding with the chapter's file and line. Recursion (a macro
calling itself) ends in Python's RecursionError, which the composer reports the
same way.
"""

from __future__ import annotations

import bisect
import functools
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sized
from types import FrameType
from typing import Any

from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.runtime import Context, LoopContext
from jinja2.sandbox import SandboxedEnvironment
from jinja2.utils import Cycler, Joiner, Namespace

MAX_STEPS = 100_000  # loop iterations and calls per chapter
MAX_TEXT = 2_000_000  # characters or items of one value an expression builds
MAX_WORK = 20_000_000  # characters a chapter may produce in all (literal text × iterations included)
MAX_SECONDS = 10.0  # per chapter
MAX_EXPONENT_BITS = 100_000
MAX_FILTER_NUMBER = 100_000  # a width, count or size given to a filter

_PERCENT_WIDTH = re.compile(r"%[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


class LimitExceeded(Exception):
    """A chapter went beyond a limit (Swedish message; ``line`` in the chapter when known)."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def template_line() -> int | None:
    """The chapter line being rendered, found from the nearest Jinja frame on the stack."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        tmpl = frame.f_globals.get("__jinja_template__")
        if tmpl is not None:
            return _source_line(tmpl._debug_info, frame.f_lineno)
        frame = frame.f_back
    return None


@functools.lru_cache(maxsize=256)
def _line_map(debug_info: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    # Jinja's get_corresponding_lineno parses the whole map on every call, which made a chapter
    # with many figures quadratic; the map is parsed once per compiled template here.
    # A stable sort on the code line keeps Jinja's choice among equal lines: the last one listed.
    pairs = sorted(
        ((int(c), int(t)) for t, c in (x.split("=") for x in debug_info.split("&") if x)), key=lambda p: p[0]
    )
    return tuple(c for c, _ in pairs), tuple(t for _, t in pairs)


def _source_line(debug_info: str, code_line: int) -> int:
    """The template line of generated-code line ``code_line`` (as Jinja's get_corresponding_lineno)."""
    code, template = _line_map(debug_info)
    i = bisect.bisect_right(code, code_line)
    return template[i - 1] if i else 1


def _size(value: object) -> int:
    return len(value) if isinstance(value, Sized) and not isinstance(value, dict) else 0


class _Budget:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.steps = 0
        self.work = 0
        self.deadline = time.monotonic() + MAX_SECONDS

    def step(self, weight: int = 0) -> None:
        self.steps += 1
        self.work += weight
        if self.steps > MAX_STEPS:
            raise LimitExceeded(
                f"kapitlet gör för mycket arbete: slingor och anrop går mer än {MAX_STEPS:_} varv".replace(
                    "_", "\u00a0"
                ),
                template_line(),
            )
        self.output(0)
        if self.steps % 256 == 0 and time.monotonic() > self.deadline:
            raise LimitExceeded(
                f"kapitlet tar för lång tid att räkna ut (mer än {MAX_SECONDS:g} sekunder)", template_line()
            )

    def output(self, n: int) -> None:
        self.work += n
        if self.work > MAX_WORK:
            raise LimitExceeded(
                "kapitlet skulle bli för stort (mer än "
                f"{MAX_WORK // 1_000_000} miljoner tecken); kontrollera slingorna",
                template_line(),
            )


def _too_big(what: str) -> LimitExceeded:
    if what == "ett tal":
        return LimitExceeded("uttrycket innehåller ett för stort tal", template_line())
    return LimitExceeded(
        f"uttrycket bygger {what} som är för lång (gränsen är {MAX_TEXT // 1_000_000} miljoner tecken)",
        template_line(),
    )


class _Generator(CodeGenerator):
    """Compiles every ``for`` loop to count its iterations and every ``~`` to check its size."""

    def visit_For(self, node: nodes.For, frame: Frame) -> None:
        if not getattr(node, "_bokslut_counted", False):
            weight = sum(len(d.data) for b in node.body for d in b.find_all(nodes.TemplateData))
            node.iter = nodes.Call(
                nodes.EnvironmentAttribute("bokslut_counted"),
                [node.iter, nodes.Const(weight)],
                [],
                None,
                None,
                lineno=node.lineno,
            )
            node._bokslut_counted = True  # type: ignore[attr-defined]
        super().visit_For(node, frame)

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.bokslut_sized(")
        super().visit_Concat(node, frame)
        self.write(")")


class ChapterSandbox(SandboxedEnvironment):
    """Jinja's sandbox with bokslut's limits; ``allowed`` are the types whose attributes a chapter reads."""

    code_generator_class = _Generator
    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, allowed: tuple[type, ...], **options: Any) -> None:
        super().__init__(**options)
        self.budget = _Budget()
        self._allowed = (*allowed, LoopContext, Namespace, Cycler, Joiner)
        inner = self.finalize
        if inner is not None:
            # Everything an expression prints counts, also inside macros and {% set %} blocks.
            def counted(value: Any) -> Any:
                shown = inner(value)
                self.budget.output(len(shown) if isinstance(shown, str) else 0)
                return shown

            self.finalize = counted
        self.globals.pop("lipsum", None)  # generates text by the megabyte on request
        self.filters = {name: self._limited_filter(f) for name, f in self.filters.items()}

    def start_chapter(self) -> None:
        self.budget.reset()

    # -- attributes --------------------------------------------------------

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if not isinstance(obj, self._allowed):
            return False
        return super().is_safe_attribute(obj, attr, value)

    # -- work and size -----------------------------------------------------

    def bokslut_counted(self, iterable: Iterable[Any], weight: int) -> Iterator[Any]:
        for item in iterable:
            self.budget.step(weight + 1)
            yield item

    def bokslut_sized(self, text: str) -> str:
        if len(text) > MAX_TEXT:
            raise _too_big("en text")
        self.budget.output(len(text))
        return text

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        __self.budget.step(1)
        return super().call(__context, __obj, *args, **kwargs)

    def call_binop(self, context: Context, operator_: str, left: Any, right: Any) -> Any:
        if operator_ == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple) and isinstance(n, int) and len(seq) * n > MAX_TEXT:
                    raise _too_big("en text eller lista")
        elif operator_ == "+":
            if isinstance(left, str | list | tuple) and _size(left) + _size(right) > MAX_TEXT:
                raise _too_big("en text eller lista")
        elif operator_ == "**":
            if isinstance(left, int | float) and isinstance(right, int | float):
                bits = max(abs(int(left)).bit_length(), 1)
                if abs(right) > 1 and bits * abs(right) > MAX_EXPONENT_BITS:
                    raise _too_big("ett tal")
        elif operator_ == "%" and isinstance(left, str):
            _check_percent_format(left)
        return self.binop_table[operator_](left, right)

    def _limited_filter(self, f: Callable[..., Any]) -> Callable[..., Any]:
        """A built-in filter whose arguments and result are held to the size limits."""
        budget = self.budget

        def limited(*args: Any, **kwargs: Any) -> Any:
            values = [*args, *kwargs.values()]
            subject = 0
            for v in values:
                if isinstance(v, int) and not isinstance(v, bool) and abs(v) > MAX_FILTER_NUMBER:
                    raise _too_big("ett tal")
                if isinstance(v, str) and "%" in v:
                    _check_percent_format(v)
                subject = max(subject, _size(v))
            # Each filter is at most linear in its subject, times the size of what it inserts.
            inserted = sum(_size(v) for v in values if isinstance(v, str)) + sum(
                v for v in values if isinstance(v, int) and not isinstance(v, bool) and v > 0
            )
            if subject * max(1, inserted) > MAX_WORK:
                raise _too_big("en text")
            result = f(*args, **kwargs)
            if isinstance(result, str | list | tuple):
                if len(result) > MAX_TEXT:
                    raise _too_big("en text eller lista")
                budget.output(len(result) if isinstance(result, str) else 0)
            return result

        for attr in ("jinja_pass_arg", "__name__", "__doc__"):
            if hasattr(f, attr):
                setattr(limited, attr, getattr(f, attr))
        return limited


def _check_percent_format(text: str) -> None:
    for m in _PERCENT_WIDTH.finditer(text):
        for part in m.groups():
            if part == "*" or (part is not None and int(part) > 1000):
                raise LimitExceeded(
                    "en formatering med så stor bredd tillåts inte i ett kapitel", template_line()
                )
