"""The chart of accounts: Kommun-Bas default mapping (a data file) plus local overrides."""

from bokslut.chart.mapping import SCHEMES, Chart, PrefixMap, load_chart

__all__ = ["SCHEMES", "Chart", "PrefixMap", "load_chart"]
