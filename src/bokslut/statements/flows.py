"""A year's movements per account and object key, as the statements read them.

A region's five years are about 200 000 (account, object key) pairs, and most statements ask
for an account's total only. So the pairs stay in the columns the store's query gave
(:class:`Flows`), an account's totals are summed for all accounts at once, and the mapping of
one account's object keys to flows is made of Python objects only when a statement asks for it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class Flow:
    """Gross movements of one account: debit (positive) and credit (negative), öre."""

    debit: int = 0
    credit: int = 0

    @property
    def net(self) -> int:
        return self.debit + self.credit

    def __add__(self, other: Flow) -> Flow:
        return Flow(self.debit + other.debit, self.credit + other.credit)


def _sums(values: np.ndarray, starts: np.ndarray) -> list[int]:
    return [int(x) for x in np.add.reduceat(values, starts)] if len(values) else []


class Flows(Mapping[str, Mapping[str, Flow]]):
    """account → object key → flow, over columns sorted by account (each account's rows together,
    each (account, key) once): ``accounts`` and ``keys`` hold str, ``debit`` and ``credit`` öre.

    Plain numpy, not pyarrow: pyarrow's compute functions reserve about a gigabyte of address
    space, which a build under the web's memory limit (web/freeze.py) cannot spare."""

    __slots__ = ("_built", "_credit", "_debit", "_index", "_keys", "_starts", "_totals")

    def __init__(self, accounts: np.ndarray, keys: np.ndarray, debit: np.ndarray, credit: np.ndarray) -> None:
        n = len(accounts)
        if n:
            starts = np.concatenate([[0], np.flatnonzero(accounts[1:] != accounts[:-1]) + 1]).astype(np.int64)
            names = [str(a) for a in accounts[starts].tolist()]
            if len(set(names)) != len(names):
                raise ValueError("the rows are not grouped by account")
        else:
            starts = np.zeros(0, dtype=np.int64)
            names = []
        self._index: dict[str, int] = {a: i for i, a in enumerate(names)}
        self._starts = np.append(starts, n)
        self._keys = keys
        self._debit = debit
        self._credit = credit
        self._built: dict[str, dict[str, Flow]] = {}
        # Exact like Python ints: int64 only when no sum can overflow it.
        wide = n and max(int(np.abs(debit).max()), int(np.abs(credit).max())) * n >= 1 << 62
        debits = _sums(debit.astype(object) if wide else debit, starts)
        credits = _sums(credit.astype(object) if wide else credit, starts)
        self._totals = {a: Flow(int(d), int(c)) for a, d, c in zip(names, debits, credits, strict=True)}

    def __getitem__(self, account: str) -> Mapping[str, Flow]:
        built = self._built.get(account)
        if built is None:
            i = self._index[account]
            lo, hi = int(self._starts[i]), int(self._starts[i + 1])
            keys = self._keys[lo:hi].tolist()
            debits = self._debit[lo:hi].tolist()
            credits = self._credit[lo:hi].tolist()
            built = {str(k): Flow(d, c) for k, d, c in zip(keys, debits, credits, strict=True)}
            self._built[account] = built
        return built

    def arrays(self) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """All of it as columns: the account names in row order, where each account's rows start
        (and the end), the object keys, debits and credits."""
        return list(self._index), self._starts, self._keys, self._debit, self._credit

    def columns(self, account: str) -> tuple[list[str], list[int], list[int]]:
        """The account's object keys, debits and credits (empty when it has none), without a
        flow object per key."""
        i = self._index.get(account)
        if i is None:
            return [], [], []
        lo, hi = int(self._starts[i]), int(self._starts[i + 1])
        keys = [str(k) for k in self._keys[lo:hi].tolist()]
        return keys, self._debit[lo:hi].tolist(), self._credit[lo:hi].tolist()

    def __contains__(self, account: object) -> bool:
        return account in self._index

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def total(self, account: str) -> Flow:
        """The account's flow over all its object keys (zero when it has none)."""
        return self._totals.get(account, Flow())
