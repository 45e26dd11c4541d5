"""statements.flows.Flows: a year's flows kept in columns give the same mapping and totals as
the dicts of Flow objects they replace."""

from __future__ import annotations

import numpy as np
import pytest

from bokslut.statements.flows import Flow, Flows


def _flows(rows: list[tuple[str, str, int, int]]) -> Flows:
    accounts, keys, debit, credit = zip(*rows, strict=True) if rows else ((), (), (), ())
    return Flows(
        np.array(accounts, dtype=object),
        np.array(keys, dtype=object),
        np.array(debit, dtype=np.int64),
        np.array(credit, dtype=np.int64),
    )


def test_an_accounts_objects_and_total():
    flows = _flows(
        [
            ("1930", "", 5_00, -2_00),
            ("3010", "1:81141", 0, -70_00),
            ("3010", "1:81150", 10_00, -3_00),
            ("5010", "", 40_00, 0),
        ]
    )
    assert list(flows) == ["1930", "3010", "5010"] and len(flows) == 3
    assert "3010" in flows and "4010" not in flows
    assert flows["3010"] == {"1:81141": Flow(0, -70_00), "1:81150": Flow(10_00, -3_00)}
    assert flows.total("3010") == Flow(10_00, -73_00)
    assert flows.total("4010") == Flow()
    assert flows.get("4010", {}) == {}
    with pytest.raises(KeyError):
        flows["4010"]
    assert dict(flows) == {
        "1930": {"": Flow(5_00, -2_00)},
        "3010": {"1:81141": Flow(0, -70_00), "1:81150": Flow(10_00, -3_00)},
        "5010": {"": Flow(40_00, 0)},
    }


def test_no_rows():
    flows = _flows([])
    assert dict(flows) == {} and flows.total("1930") == Flow()


def test_totals_that_would_overflow_int64_are_exact():
    big = 2**62
    flows = _flows([("1930", "1:a", big, -big), ("1930", "1:b", big, -big), ("1930", "1:c", big, -big)])
    assert flows.total("1930") == Flow(3 * big, -3 * big)


def test_rows_not_grouped_by_account_are_refused():
    with pytest.raises(ValueError, match="grouped"):
        _flows([("1930", "", 1, 0), ("3010", "", 1, 0), ("1930", "1:a", 1, 0)])
