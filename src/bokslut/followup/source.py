"""Loading mal/beslut files (YAML or XLSX) as plain data plus where each item came from.

Validation errors and reference errors must point at a line (YAML) or a cell
(XLSX); :class:`Located` keeps a map from the data path (as pydantic reports
it, e.g. ``("malomraden", 0, "mal", 1, "indikatorer", 0, "utfall")``) to that place.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from bokslut.diagnostics import Finding, error
from bokslut.environment import read_problem
from bokslut.tabular import shown
from bokslut.workspace.config import MEGABYTE, swedish_message
from bokslut.workspace.safe_files import open_data_file

PathKey = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class Place:
    line: int | None = None
    where: str | None = None  # "Mål!C4" for a spreadsheet cell


@dataclass(frozen=True, slots=True)
class Located:
    file: str
    data: Any
    places: Mapping[PathKey, Place] = field(default_factory=dict)

    def place(self, path: Sequence[str | int]) -> Place:
        """The most precise known place for ``path`` (falls back to its parents)."""
        key = tuple(path)
        while key:
            if key in self.places:
                return self.places[key]
            key = key[:-1]
        return Place(line=None)

    def finding(self, message: str, path: Sequence[str | int], code: str = "") -> Finding:
        p = self.place(path)
        where = p.where or (dotted(path) if path else None)
        return error(message, file=self.file, line=p.line, where=where, code=code)


def dotted(path: Sequence[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


# Defaults of [granser] yaml_mb; callers pass the workspace's own limit.
DEFAULT_MAX_BYTES = 10 * MEGABYTE
# Goal files nest målområde → mål → undermål → indikator → year: far below this.
MAX_DEPTH = 50
# Anchors and aliases (&x / *x) are fine for repeating a target; a file whose aliases
# expand to more elements than this is an "alias bomb", refused before anything walks it.
MAX_EXPANDED_NODES = 200_000
# Amounts and counts in goal files: what a Decimal and a 64-bit column hold exactly.
MAX_INTEGER = 10**18
_ASCII_INTEGER = re.compile(r"^-?[0-9]+$")


class _Refused(yaml.MarkedYAMLError):  # type: ignore[misc]
    """A YAML construct bokslut refuses; ``problem`` is the Swedish reason."""


class SafeLoader(yaml.SafeLoader):  # type: ignore[misc]
    """PyYAML's safe loader with limits: nesting depth, alias expansion and plain values only.

    Tags beyond the core types (!!python/…, !!binary, !!set, …) have no constructor and are
    refused; dates that do not exist, non-finite floats and integers beyond 10^18 are refused
    with the line they are on, instead of escaping as a ValueError.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise _Refused(
                    problem=f"värdena är nästlade djupare än {MAX_DEPTH} nivåer", problem_mark=mark
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            raise _Refused(
                problem=f"'{shown(node.value)}' är inget datum som finns (ÅÅÅÅ-MM-DD)",
                problem_mark=node.start_mark,
            ) from None

    def construct_yaml_float(self, node: yaml.ScalarNode) -> float:
        try:
            value = float(super().construct_yaml_float(node))
        except ValueError:
            raise _Refused(
                problem=f"'{shown(node.value)}' är inget tal", problem_mark=node.start_mark
            ) from None
        if not math.isfinite(value):
            raise _Refused(
                problem=f"'{shown(node.value)}' är inget ändligt tal (.nan och .inf används inte)",
                problem_mark=node.start_mark,
            )
        return value

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        try:
            value = int(super().construct_yaml_int(node))
        except ValueError:
            raise _Refused(
                problem=f"'{shown(node.value)}' är inget heltal", problem_mark=node.start_mark
            ) from None
        if abs(value) > MAX_INTEGER:
            raise _Refused(problem=f"talet {shown(node.value)} är för stort", problem_mark=node.start_mark)
        return value


SafeLoader.add_constructor("tag:yaml.org,2002:timestamp", SafeLoader.construct_yaml_timestamp)
SafeLoader.add_constructor("tag:yaml.org,2002:float", SafeLoader.construct_yaml_float)
SafeLoader.add_constructor("tag:yaml.org,2002:int", SafeLoader.construct_yaml_int)
# Own copy of the constructor table: the kinds nobody writes in a goal file are not built.
SafeLoader.yaml_constructors = {
    tag: constructor
    for tag, constructor in SafeLoader.yaml_constructors.items()
    if tag is None or not tag.endswith((":binary", ":set", ":omap", ":pairs"))
}


def _expanded_size(root: yaml.Node) -> tuple[int, int]:
    """Elements and nesting depth of the document once every alias is expanded (memoised, so a
    bomb is cheap to measure); raises _Refused for an alias that contains itself."""
    sizes: dict[int, int] = {}
    depths: dict[int, int] = {}
    active: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            active.discard(key)
            children = _children(node)
            sizes[key] = min(1 + sum(sizes[id(c)] for c in children), MAX_EXPANDED_NODES + 1)
            depths[key] = 1 + max((depths[id(c)] for c in children), default=0)
            continue
        if key in sizes:
            continue
        if key in active:
            raise _Refused(problem="ett alias refererar till sig självt", problem_mark=node.start_mark)
        active.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in _children(node) if id(c) not in sizes)
    return sizes[id(root)], depths[id(root)]


def _grouped(n: int) -> str:
    return f"{n:,}".replace(",", " ")  # 200 000, as Swedish writes it


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def load_yaml(
    path: Path, display: str, max_bytes: int = DEFAULT_MAX_BYTES, *, root: Path | None = None
) -> tuple[Located | None, list[Finding]]:
    """Read and parse a YAML file; with ``root`` (the workspace) only a regular file inside it."""
    opened = open_data_file(root, path, display)
    if isinstance(opened, Finding):
        return None, [opened]
    try:
        with opened:
            size = os.fstat(opened.fileno()).st_size
            if size > max_bytes:
                return None, [too_large(display, size, max_bytes)]
            raw = opened.read(max_bytes + 1)
        if len(raw) > max_bytes:  # it grew after the size was read
            return None, [too_large(display, len(raw), max_bytes)]
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = exc.object.count(b"\n", 0, exc.start) + 1
        return None, [error("filen är inte UTF-8 (spara den som UTF-8)", file=display, line=line)]
    except OSError as exc:
        return None, [error(read_problem(exc), file=display)]
    return parse_yaml(text, display)


def too_large(display: str, size: int, max_bytes: int) -> Finding:
    return error(
        f"filen är {_megabytes(size)} MB, större än gränsen {_megabytes(max_bytes)} MB "
        "(höj den med [granser] yaml_mb i bokslut.toml om filen är rätt)",
        file=display,
        code="for-stor",
    )


def _megabytes(n: int) -> str:
    return f"{n / MEGABYTE:.1f}".replace(".", ",").replace(",0", "")


def parse_yaml(text: str, display: str) -> tuple[Located | None, list[Finding]]:
    """YAML text -> data with the line of every item; findings instead of exceptions."""
    try:
        loader = SafeLoader(text)
        try:
            node = loader.get_single_node()
            if node is not None:
                size, depth = _expanded_size(node)
                if size > MAX_EXPANDED_NODES:
                    raise _Refused(
                        problem=f"alias (*namn) gör filen större än {_grouped(MAX_EXPANDED_NODES)} värden",
                        problem_mark=node.start_mark,
                    )
                if depth > MAX_DEPTH:
                    # Aliases inside aliases can nest deeper than the text itself does.
                    raise _Refused(
                        problem=f"alias (*namn) gör värdena nästlade djupare än {MAX_DEPTH} nivåer",
                        problem_mark=node.start_mark,
                    )
                data = loader.construct_document(node)
            else:
                data = None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else None
        return None, [error(f"ogiltig YAML: {yaml_reason(exc)}", file=display, line=line)]
    except RecursionError:
        return None, [error(f"ogiltig YAML: värdena är nästlade djupare än {MAX_DEPTH} nivåer", file=display)]
    except ValueError:
        # PyYAML's scanner lets chr() fail on an escape beyond Unicode ("\\U00110000").
        return None, [error("ogiltig YAML: en escape-sekvens (\\U…) är inget tecken", file=display)]
    places: dict[PathKey, Place] = {}
    findings: list[Finding] = []
    if node is not None:
        _walk(node, (), places, display, findings)
    return Located(display, data if data is not None else {}, places), findings


# PyYAML explains in English; each problem it can report, in Swedish.
_YAML_REASONS = (
    (
        r"^mapping values are not allowed here",
        "kolon ':' på fel ställe (en text med kolon behöver citattecken)",
    ),
    (
        r"^found character '\\t' that cannot start any token",
        "tabbtecken får inte användas för indrag (använd mellanslag)",
    ),
    (
        r"^found character (.*) that cannot start any token",
        "tecknet {0} kan inte inleda ett värde (sätt texten inom citattecken)",
    ),
    (r"^found unknown escape character", "okänd escape-sekvens (\\x) i en text inom dubbla citattecken"),
    (r"^found unacceptable character", "otillåtet tecken i filen"),
    (r"^found undefined alias", "aliaset (*namn) har inget ankare (&namn) ovanför"),
    (r"^found duplicate anchor", "samma ankare (&namn) anges två gånger"),
    (
        r"^found unexpected end of stream",
        "filen slutar mitt i ett värde (ett citattecken eller en hakparentes stängs inte)",
    ),
    (r"^found unexpected ':'", "kolon ':' på fel ställe (en text med kolon behöver citattecken)"),
    (r"^could not find expected ':'", "':' saknas efter nyckeln (eller ett citattecken stängs inte)"),
    (r"^expected ',' or '\]'", "',' eller ']' saknas i en lista"),
    (r"^expected ',' or '\}'", "',' eller '}' saknas i en tabell"),
    (r"^expected <block end>", "indraget stämmer inte med raderna ovanför"),
    (r"^expected <block (mapping|sequence) end>", "indraget stämmer inte med raderna ovanför"),
    (r"^expected <document start>", "oväntat innehåll efter dokumentets slut"),
    (r"^expected a single document", "filen innehåller flera dokument (---); bara ett används"),
    (
        r"^expected (alphabetic|a comment|chomping|indentation|URI|tag|'!'|' ')",
        "ogiltigt ankare, alias eller tagg",
    ),
    (r"^found a tab character", "tabbtecken får inte användas för indrag (använd mellanslag)"),
    (r"^found (a|an) (unexpected|incompatible)", "ogiltig rad"),
    (
        r"^could not determine a constructor for the tag '?([^']*)'?",
        "taggen {0} är inte tillåten (skriv värdet utan tagg)",
    ),
    (r"^found unhashable key", "en nyckel får inte vara en lista eller tabell"),
    (r"^expected a (mapping|sequence|scalar) node", "fel sorts värde för taggen"),
    (r"^found (.*) directive", "YAML-direktiv (%) används inte"),
    (r"^found incompatible YAML document", "YAML-versionen stöds inte"),
    (r"^found (a |an )?.*", "ogiltig YAML-syntax"),
)


def yaml_reason(exc: yaml.YAMLError) -> str:
    problem = getattr(exc, "problem", None)
    if isinstance(exc, _Refused) and problem:
        return str(problem)
    english = str(problem or "")
    for pattern, swedish in _YAML_REASONS:
        match = re.search(pattern, english)
        if match:
            # Not str.format: some reasons quote a brace ('}' saknas).
            group = match.group(1) if match.groups() else ""
            return swedish.replace("{0}", (group or "").replace("tag:yaml.org,2002:", "!!"))
    return "ogiltig YAML-syntax"  # never PyYAML's English inside a Swedish message


def _walk(
    node: yaml.Node, path: PathKey, places: dict[PathKey, Place], file: str, findings: list[Finding]
) -> None:
    """Record the line of every item (depth is bounded by the loader, size by the alias check)."""
    places[path] = Place(line=node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: dict[object, int] = {}
        for key_node, value_node in node.value:
            key: str | int = key_node.value
            if isinstance(key, str) and _ASCII_INTEGER.match(key):
                key = int(key)
            line = key_node.start_mark.line + 1
            if isinstance(key_node, yaml.ScalarNode) and key_node.value != "<<":
                if key in seen:
                    findings.append(
                        error(
                            f"nyckeln '{shown(key_node.value)}' finns redan på rad {seen[key]}; "
                            "bara den sista skulle gälla",
                            file=file,
                            line=line,
                            where=dotted((*path, key)),
                            code="dubblett",
                        )
                    )
                seen.setdefault(key, line)
            places[(*path, key)] = Place(line=line)
            _walk(value_node, (*path, key), places, file, findings)
            # The key's line is the better place for an error about the whole value.
            places[(*path, key)] = Place(line=line)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, (*path, i), places, file, findings)


def validate(model: type[M], located: Located) -> tuple[M | None, list[Finding]]:
    try:
        return model.model_validate(located.data), []
    except ValidationError as exc:
        findings: list[Finding] = []
        seen: set[PathKey] = set()
        errors = [(tuple(p for p in err["loc"] if not _is_union_tag(p)), err) for err in exc.errors()]
        # A union reports one error per member: the member that got furthest into the value
        # is the one meant ({2023: 5, ²: 4} is a per-year table with a bad year, not a bad
        # number), and one message per place is enough.
        deeper = {loc[:n] for loc, _ in errors for n in range(len(loc))}
        for loc, err in errors:
            if loc in seen or loc in deeper:
                continue
            seen.add(loc)
            key = dotted(loc) or "(filen)"
            findings.append(located.finding(f"{key} {swedish_message(err)}", loc))
        return None, findings


# pydantic names union members in error locations ("int", "list[...]"); they are not data keys.
_UNION_TAGS = {"int", "float", "str", "bool", "none", "decimal"}


def _is_union_tag(part: str | int) -> bool:
    return isinstance(part, str) and (part in _UNION_TAGS or "[" in part)
