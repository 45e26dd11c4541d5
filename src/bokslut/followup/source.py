"""Loading mal/beslut files (YAML or XLSX) as plain data plus where each item came from.

Validation errors and reference errors must point at a line (YAML) or a cell
(XLSX); :class:`Located` keeps a map from the data path (as pydantic reports
it, e.g. ``("malomraden", 0, "mal", 1, "indikatorer", 0, "utfall")``) to that place.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from bokslut.diagnostics import Finding, error
from bokslut.workspace.config import swedish_message

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


def load_yaml(path: Path, display: str) -> tuple[Located | None, list[Finding]]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return None, [error(f"filen är inte UTF-8 ({exc.reason})", file=display)]
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        return None, [error(f"ogiltig YAML: {problem}", file=display, line=line)]
    places: dict[PathKey, Place] = {}
    if node is not None:
        _walk(node, (), places)
    return Located(display, data if data is not None else {}, places), []


def _walk(node: yaml.Node, path: PathKey, places: dict[PathKey, Place]) -> None:
    places[path] = Place(line=node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key: str | int = key_node.value
            if isinstance(key, str) and key.lstrip("-").isdigit():
                key = int(key)
            places[(*path, key)] = Place(line=key_node.start_mark.line + 1)
            _walk(value_node, (*path, key), places)
            # The key's line is the better place for an error about the whole value.
            places[(*path, key)] = Place(line=key_node.start_mark.line + 1)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, (*path, i), places)


def validate(model: type[M], located: Located) -> tuple[M | None, list[Finding]]:
    try:
        return model.model_validate(located.data), []
    except ValidationError as exc:
        findings: list[Finding] = []
        seen: set[PathKey] = set()
        for err in exc.errors():
            loc = tuple(p for p in err["loc"] if not _is_union_tag(p))
            # A union reports one error per member; one message per place is enough.
            if loc in seen:
                continue
            seen.add(loc)
            key = dotted(loc) or "(filen)"
            findings.append(located.finding(f"{key} {swedish_message(err)}", loc))
        return None, findings


# pydantic names union members in error locations ("int", "list[...]"); they are not data keys.
_UNION_TAGS = {"int", "float", "str", "bool", "none", "decimal"}


def _is_union_tag(part: str | int) -> bool:
    return isinstance(part, str) and (part in _UNION_TAGS or "[" in part)
