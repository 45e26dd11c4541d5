"""Telephony (data/kpi/samtal.*): offered and answered calls, answered within N seconds.

Columns: ko (queue), inkommande (timestamp), vantetid_s (seconds waited, until
answer or hang-up), besvarat (ja/nej). A call belongs to the year it came in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from bokslut.diagnostics import Finding
from bokslut.tabular import (
    DEFAULT_MAX_BYTES,
    DICTIONARY,
    TIMESTAMP,
    ColumnSpec,
    Problems,
    codes,
    parse_flag,
    parse_number,
    parse_timestamp,
    read_table,
    within_period,
    years_of,
)
from bokslut.workspace.config import Kpi

CALL_COLUMNS = (
    ColumnSpec("ko", fast_type=DICTIONARY),
    ColumnSpec("inkommande", fast_type=TIMESTAMP),
    ColumnSpec("vantetid_s", fast_type=pa.float64()),
    ColumnSpec("besvarat", fast_type=DICTIONARY),
)


@dataclass(frozen=True, slots=True)
class QueueYear:
    offered: int
    answered: int
    within: Mapping[int, int]  # threshold (s) -> answered within it


@dataclass(frozen=True, slots=True)
class CallFigures:
    """Per (queue, year); queue "" is all queues together."""

    figures: Mapping[tuple[str, int], QueueYear]
    queues: tuple[str, ...]
    years: tuple[int, ...]
    thresholds: tuple[int, ...]
    file: str


def read_calls(
    path: Path,
    display: str,
    settings: Kpi,
    closing: tuple[int, int] = (12, 31),
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    root: Path | None = None,
) -> tuple[CallFigures | None, list[Finding]]:
    raw, findings = read_table(path, display, CALL_COLUMNS, settings.kolumner.samtal, max_bytes, root=root)
    if raw is None:
        return None, findings
    problems = Problems(raw, findings)
    queue_codes, queue_names = codes(raw, "ko")
    empty_queue = queue_codes == (queue_names.index("") if "" in queue_names else -1)
    problems.rows(empty_queue, "ko", "kö saknas", "saknas")
    incoming = parse_timestamp(raw, "inkommande", problems, required=True)
    wait = parse_number(raw, "vantetid_s", problems, required=True, low=0, what="sekunder")
    answered_flag = parse_flag(raw, "besvarat", problems, required=True, what="besvarat")
    ok = ~empty_queue & ~np.isnat(incoming) & ~np.isnan(wait) & (answered_flag >= 0)
    answered = answered_flag == 1
    queue_idx = queue_codes.astype(np.int64)
    year = years_of(incoming)
    # Calls after the closing day of their year are outside an interim report's periods.
    ok &= within_period(incoming, year, closing)
    year_values = np.unique(year[ok])
    thresholds = tuple(sorted(set(settings.svarstider_s)))
    nq = len(queue_names)
    ny = year_values.size
    figures: dict[tuple[str, int], QueueYear] = {}
    if ny and nq:
        yi = np.searchsorted(year_values, year)
        key = np.where(ok, np.clip(yi, 0, ny - 1) * nq + queue_idx, -1)
        key_ok = key[ok]
        size = ny * nq
        offered = np.bincount(key_ok, minlength=size)
        ans = ok & answered
        answered_n = np.bincount(key[ans], minlength=size)
        within = {t: np.bincount(key[ans & (wait <= t)], minlength=size) for t in thresholds}
        for y_i, y in enumerate(year_values):
            tot_off = tot_ans = 0
            tot_within = dict.fromkeys(thresholds, 0)
            for q_i, q in enumerate(queue_names):
                k = y_i * nq + q_i
                if offered[k] == 0:
                    continue
                figures[(q, int(y))] = QueueYear(
                    int(offered[k]), int(answered_n[k]), {t: int(within[t][k]) for t in thresholds}
                )
                tot_off += int(offered[k])
                tot_ans += int(answered_n[k])
                for t in thresholds:
                    tot_within[t] += int(within[t][k])
            figures[("", int(y))] = QueueYear(tot_off, tot_ans, tot_within)
    return (
        CallFigures(
            figures=figures,
            queues=tuple(sorted(q for q in queue_names if q)),
            years=tuple(sorted((int(y) for y in year_values), reverse=True)),
            thresholds=thresholds,
            file=display,
        ),
        findings,
    )


def share_within(q: QueueYear, threshold: int, denominator: str) -> tuple[int, int]:
    """(numerator, denominator) of the service level, per bokslut.toml [kpi] servicegrad_av."""
    whole = q.offered if denominator == "inkommande" else q.answered
    return q.within.get(threshold, 0), whole
