"""Small SIE texts for the ledger tests (one voucher, a fee paid into the bank)."""

from __future__ import annotations

SMALL = """#FLAGGA 0
#SIETYP 4
#PROGRAM "Test" 1
#RAR 0 {y}0101 {y}1231
#KONTO 1930 "Bank"
#KONTO 3010 "Avgifter"
#IB 0 1930 100.00
#UB 0 1930 {ub}
#RES 0 3010 -{amount}
#VER A 1 {y}0105 "Avgift"
{{
#TRANS 1930 {{}} {amount}
#TRANS 3010 {{}} -{amount}
}}
"""


def small(y: int = 2023, amount: str = "50.00") -> str:
    whole, cents = amount.split(".")
    ub = f"{100 + int(whole)}.{cents}"
    return SMALL.format(y=y, amount=amount, ub=ub)
