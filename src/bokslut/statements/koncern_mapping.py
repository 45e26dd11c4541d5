"""The BAS -> kommun layout mapping of the sammanställda räkenskaper (docs/koncern.md).

The default ships as data (``chart/koncern_bas.toml``); ``[koncern] mappning`` in
bokslut.toml names a workspace file whose keys replace or add to it. Every problem
with that file is a finding with its line, and the default is used where it fails.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any

from bokslut.chart.mapping import PrefixMap, PrefixSet
from bokslut.diagnostics import Finding, error
from bokslut.statements.specs import BR_ASSET_LINES, BR_LIABILITY_LINES, RR_LEAVES

# Lines only a company has; converted by the consolidation (koncern_consolidation).
COMPANY_LINES = ("obeskattade_reserver", "bokslutsdispositioner", "skatt", "uppskjuten_skatt")
ASSET_LINES = frozenset(BR_ASSET_LINES)
LIABILITY_LINES = frozenset((*BR_LIABILITY_LINES, "eget_kapital", "obeskattade_reserver"))
RESULT_LINES = frozenset((*RR_LEAVES, "bokslutsdispositioner", "skatt", "uppskjuten_skatt"))
KNOWN_LINES = ASSET_LINES | LIABILITY_LINES | RESULT_LINES

_SCALARS = ("skattesats", "kommunens_motpart", "vasentlighetsgrans")
_LISTS = ("interna_konton", "kommunens_andelskonton")
_KEYS = frozenset((*_SCALARS, *_LISTS, "rad"))


@dataclass(frozen=True)
class KoncernMapping:
    rad: PrefixMap
    tax_rate: Decimal  # fraction (0.206)
    kommun_code: str
    internal_accounts: PrefixSet
    share_accounts: PrefixSet  # the kommun's accounts holding its shares in the companies
    threshold: Decimal  # percent
    file: str  # the file shown in messages about a line


def _default() -> dict[str, Any]:
    text = resources.files("bokslut.chart").joinpath("koncern_bas.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def _line_of(text: str, key: str, section: str | None) -> int | None:
    current: str | None = None
    pattern = re.compile(rf'^\s*"?{re.escape(key)}"?\s*=')
    for no, raw in enumerate(text.splitlines(), start=1):
        header = re.match(r"^\s*\[([^\]]+)\]", raw)
        if header:
            current = header.group(1).strip()
            continue
        if current == section and pattern.match(raw):
            return no
    return None


def load_mapping(root: Path, name: str | None, max_bytes: int) -> tuple[KoncernMapping, list[Finding]]:
    """The default mapping with the workspace file ``name`` (relative to ``root``) on top."""
    data = _default()
    shown = "koncern_bas.toml (inbyggd)"
    findings: list[Finding] = []
    if name is not None:
        shown = name
        path = root / name
        user, problems = _read_user(path, name, max_bytes)
        findings += problems
        for key in _SCALARS + _LISTS:
            if key in user:
                data[key] = user[key]
        data["rad"] = {**data["rad"], **user.get("rad", {})}
    return _build(data, shown), findings


def _read_user(path: Path, name: str, max_bytes: int) -> tuple[dict[str, Any], list[Finding]]:
    try:
        raw = path.read_bytes() if path.stat().st_size <= max_bytes else None
    except OSError:
        return {}, [
            error("mappningsfilen finns inte eller kan inte läsas", file=name, code="koncern-mappning")
        ]
    if raw is None:
        return {}, [error("mappningsfilen är för stor", file=name, code="koncern-mappning")]
    try:
        text = raw.decode("utf-8")
        data = tomllib.loads(text)
    except UnicodeDecodeError:
        return {}, [error("mappningsfilen är inte UTF-8", file=name, code="koncern-mappning")]
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"\(at line (\d+)", str(exc))
        return {}, [
            error(
                "mappningsfilen är ingen giltig TOML; standardmappningen används",
                file=name,
                line=int(where.group(1)) if where else None,
                code="koncern-mappning",
            )
        ]
    findings: list[Finding] = []
    out: dict[str, Any] = {}
    for key, value in data.items():
        line = _line_of(text, key, None) or _line_of(text, key, key)
        if key not in _KEYS:
            findings.append(
                error(
                    f"'{key}' är ingen känd nyckel i mappningsfilen",
                    file=name,
                    line=line,
                    code="koncern-mappning",
                )
            )
        elif key == "rad":
            out["rad"] = _user_rows(value, text, name, findings)
        elif key in _LISTS:
            if isinstance(value, list) and all(
                isinstance(v, str) and v.isascii() and v.isdigit() for v in value
            ):
                out[key] = value
            else:
                findings.append(
                    error(
                        f"{key} ska vara en lista av kontonummer",
                        file=name,
                        line=line,
                        code="koncern-mappning",
                    )
                )
        elif key == "kommunens_motpart":
            if isinstance(value, str) and value:
                out[key] = value
            else:
                findings.append(
                    error(f"{key} ska vara en text", file=name, line=line, code="koncern-mappning")
                )
        else:
            number = _percent(value)
            if number is None:
                findings.append(
                    error(
                        f"{key} ska vara ett tal mellan 0 och 100",
                        file=name,
                        line=line,
                        code="koncern-mappning",
                    )
                )
            else:
                out[key] = number
    return out, findings


def _user_rows(value: object, text: str, name: str, findings: list[Finding]) -> dict[str, str]:
    if not isinstance(value, dict):
        findings.append(error("[rad] ska vara en tabell", file=name, code="koncern-mappning"))
        return {}
    rows: dict[str, str] = {}
    for account, line in value.items():
        where = _line_of(text, account, "rad")
        if not (account.isascii() and account.isdigit()):
            findings.append(
                error(
                    f"'{account}' är inget kontonummer (bara siffror)",
                    file=name,
                    line=where,
                    code="koncern-mappning",
                )
            )
        elif not isinstance(line, str) or line not in KNOWN_LINES:
            findings.append(
                error(
                    f"konto {account}: '{line}' är ingen rad i kommunens uppställning "
                    f"(kända: {', '.join(sorted(KNOWN_LINES))})",
                    file=name,
                    line=where,
                    code="koncern-mappning",
                )
            )
        else:
            rows[account] = line
    return rows


def _percent(value: object) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() and 0 <= number <= 100 else None


def _build(data: Mapping[str, Any], shown: str) -> KoncernMapping:
    return KoncernMapping(
        rad=PrefixMap(dict(data["rad"])),
        tax_rate=Decimal(str(data["skattesats"])) / 100,
        kommun_code=str(data["kommunens_motpart"]),
        internal_accounts=PrefixSet(tuple(data["interna_konton"])),
        share_accounts=PrefixSet(tuple(data["kommunens_andelskonton"])),
        threshold=Decimal(str(data["vasentlighetsgrans"])),
        file=shown,
    )
