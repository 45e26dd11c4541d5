from __future__ import annotations

import numpy as np
import pytest

from bokslut.sie import limits as lim


@pytest.mark.parametrize(
    "n", [0, 1, lim._ABS_BLOCK - 1, lim._ABS_BLOCK, lim._ABS_BLOCK + 1, 3 * lim._ABS_BLOCK + 7]
)
def test_the_absolute_total_is_exact_across_its_blocks(n: int) -> None:
    # Amounts near the int64 limits: any block's sum, or the total, would overflow in int64.
    rng = np.random.default_rng(n)
    amounts = rng.integers(-(2**62), 2**62, n, dtype=np.int64)
    if n:
        amounts[0] = -(2**63) + 1
        amounts[-1] = 2**63 - 1
    assert lim.abs_total(amounts) == sum(abs(int(a)) for a in amounts.tolist())


def test_the_absolute_total_of_a_few_amounts() -> None:
    assert lim.abs_total(np.array([-5, 3, 0, -(2**63) + 1], np.int64)) == 8 + 2**63 - 1
