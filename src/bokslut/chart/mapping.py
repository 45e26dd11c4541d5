"""Account -> statement line, by longest matching prefix.

The default mapping lives in ``kommunbas.toml`` beside this module, and in
``regionbas.toml`` for a region's Region-Bas (``[kontoplan] baskontoplan``); an
organisation type may replace single keys, and ``[kontoplan]`` in bokslut.toml
replaces or adds more. Longest prefix wins, so a local account ("22101") can be
moved to another line without restating the range it sits in.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources

from bokslut.workspace.config import Baskontoplan, Config, Kontoplan, default_baskontoplan

SCHEMES = ("rad", "not", "kostnadsslag")


@dataclass(frozen=True)
class PrefixMap:
    """Prefix -> value; :meth:`get` finds the longest prefix of an account."""

    entries: Mapping[str, str]
    _cache: dict[str, str | None] = field(default_factory=dict, compare=False, repr=False)

    def get(self, account: str) -> str | None:
        try:
            return self._cache[account]
        except KeyError:
            pass
        found: str | None = None
        for n in range(len(account), 0, -1):
            hit = self.entries.get(account[:n])
            if hit is not None:
                found = hit
                break
        self._cache[account] = found
        return found

    def prefix(self, account: str) -> str | None:
        for n in range(len(account), 0, -1):
            if account[:n] in self.entries:
                return account[:n]
        return None


@dataclass(frozen=True)
class PrefixSet:
    prefixes: tuple[str, ...]

    def __contains__(self, account: object) -> bool:
        return isinstance(account, str) and any(account.startswith(p) for p in self.prefixes)


@dataclass(frozen=True)
class Chart:
    """The mapping used for one report."""

    rad: PrefixMap
    noter: PrefixMap
    kostnadsslag: PrefixMap
    likvida_medel: PrefixSet
    realisationsvinster: PrefixSet
    realisationsforluster: PrefixSet
    orealiserade_vinster: PrefixSet
    orealiserade_forluster: PrefixSet
    resultatreserv: PrefixSet
    resultatutjamningsreserv: PrefixSet
    internal_accounts: PrefixSet
    ack_avskrivningar: PrefixSet | None
    ack_nedskrivningar: PrefixSet | None

    def line(self, account: str) -> str | None:
        return self.rad.get(account)

    def is_accumulated_depreciation(self, account: str) -> bool:
        if self.ack_avskrivningar is not None:
            return account in self.ack_avskrivningar
        return _fixed_asset(account) and account[3] == "9"

    def is_accumulated_impairment(self, account: str) -> bool:
        if self.ack_nedskrivningar is not None:
            return account in self.ack_nedskrivningar
        return _fixed_asset(account) and account[3] == "8"


def _fixed_asset(account: str) -> bool:
    return len(account) >= 4 and account[:2] in ("10", "11", "12")


CHART_FILES = {
    Baskontoplan.KOMMUN_BAS: "kommunbas.toml",
    Baskontoplan.REGION_BAS: "regionbas.toml",
}


def chart_data(bas: Baskontoplan) -> dict[str, object]:
    """The standard chart's mapping file as data."""
    text = resources.files("bokslut.chart").joinpath(CHART_FILES[bas]).read_text(encoding="utf-8")
    return tomllib.loads(text)


def chosen_chart(config: Config) -> Baskontoplan:
    """bokslut.toml's choice, else the organisation type's standard chart."""
    return config.kontoplan.baskontoplan or default_baskontoplan(config.organisation.typ)


def _merged(base: Mapping[str, str], *overrides: Mapping[str, str]) -> dict[str, str]:
    out = dict(base)
    for o in overrides:
        out.update(o)
    return out


def load_chart(config: Config) -> Chart:
    """The default mapping for the organisation's type with bokslut.toml's overrides."""
    data = chart_data(chosen_chart(config))
    typ = str(config.organisation.typ)
    per_type = data.get("typ", {})
    assert isinstance(per_type, dict)
    type_data = per_type.get(typ, {})
    kp: Kontoplan = config.kontoplan

    def scheme(name: str, override: Mapping[str, str]) -> PrefixMap:
        base = data.get(name, {})
        assert isinstance(base, dict)
        return PrefixMap(_merged(base, type_data.get(name, {}), override))

    def pset(values: Iterable[str]) -> PrefixSet:
        return PrefixSet(tuple(values))

    return Chart(
        rad=scheme("rad", kp.rad),
        noter=scheme("not", kp.noter),
        kostnadsslag=scheme("kostnadsslag", kp.kostnadsslag),
        likvida_medel=pset(kp.likvida_medel),
        realisationsvinster=pset(kp.realisationsvinster),
        realisationsforluster=pset(kp.realisationsforluster),
        orealiserade_vinster=pset(kp.orealiserade_vinster),
        orealiserade_forluster=pset(kp.orealiserade_forluster),
        resultatreserv=pset(kp.resultatreserv),
        resultatutjamningsreserv=pset(kp.resultatutjamningsreserv),
        internal_accounts=pset(config.internt.konton),
        ack_avskrivningar=None
        if kp.ackumulerade_avskrivningar is None
        else pset(kp.ackumulerade_avskrivningar),
        ack_nedskrivningar=None
        if kp.ackumulerade_nedskrivningar is None
        else pset(kp.ackumulerade_nedskrivningar),
    )
