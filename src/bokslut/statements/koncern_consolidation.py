"""Proportional consolidation (LKBR 12 kap. 4–5 §§, RKR R16) into one synthetic year.

The kommun's aggregated year and each included company's ledger become one
:class:`~bokslut.statements.facts.YearData` in the kommun's layout, so the same
statement code (RR, BR, kassaflödesanalys) builds the consolidated tables:

* a company's account ``a`` becomes the virtual account ``<c>~<id>~<a>`` (``c`` is 1
  for assets, 2 for equity and liabilities, 3 for the result, so the statements
  classify it), mapped exactly to its line, with ägarandel × its amounts;
* an internal item of entity A with entity B (motpart) is eliminated by
  ägarandel(A) × ägarandel(B) × the amount on each side: the kommun's on a virtual
  account ``<a>~elim~<id>`` (which the kommun's chart maps as ``a``), a company's
  inside its virtual account;
* the kommun's shares in a company (``kommunens_andelskonton`` with its motpart) are
  eliminated against equity: acquisition equity and any övervärde both leave equity,
  the simplified förvärvsanalys of docs/koncern.md;
* uniform principles (LKBR 12:6): obeskattade reserver are split into eget kapital and
  uppskjuten skatt, bokslutsdispositioner are replaced by the uppskjuten skatt on them;
* what rounding to the öre or unmatched internal items leave is booked on
  ``2~koncern~differens`` (opening) and ``3~koncern~differens`` (the year), so the
  statements still balance; unmatched items are findings. A company account missing
  from the mapping is left out and is not differens: the balance sheet then does not
  balance, and ``bokslut check`` says so.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

from bokslut.chart.mapping import Chart, PrefixMap, PrefixSet
from bokslut.diagnostics import Finding, error, warning
from bokslut.money import kronor
from bokslut.statements.context import Context, is_balance_account
from bokslut.statements.facts import Facts, Flow, YearData, object_of
from bokslut.statements.koncern_ledger import CompanyLedger
from bokslut.statements.koncern_mapping import ASSET_LINES, RESULT_LINES, KoncernMapping

KOMMUN = "kommun"


@dataclass
class _Acc:
    """Exact (unrounded) opening and flows of one virtual account."""

    line: str
    ib: Decimal = Decimal(0)
    debit: Decimal = Decimal(0)
    credit: Decimal = Decimal(0)


@dataclass
class PairSide:
    balance: int = 0  # closing of balance items with the other party (100 %, debit positive)
    result: int = 0  # net of result items with the other party


@dataclass(frozen=True)
class Consolidation:
    year: YearData
    chart: Chart
    findings: tuple[Finding, ...]
    # (entity, counterparty) -> that entity's own internal items with the counterparty
    sides: Mapping[tuple[str, str], PairSide]
    # result effect of all eliminations (kronor, report sign: positive raises the result)
    elimination_result: Decimal
    contributions: Mapping[str, Decimal]  # entity id -> share of its (adjusted) result, kronor
    shares: Mapping[str, int] = field(default_factory=dict)  # company -> the kommun's shares, öre
    names: Mapping[str, str] = field(default_factory=dict)  # entity id -> name
    # result effect of dividends within the koncern taken out (kronor, report sign)
    dividend_result: Decimal = Decimal(0)


def _kr(ore: int) -> str:
    """Öre as Swedish kronor for a message: 1 750 000,00 (non-breaking spaces, U+2212)."""
    text = f"{kronor(ore):,.2f}".replace(",", "\u00a0").replace(".", ",")
    return text.replace("-", "\u2212")


def _round(x: Decimal) -> int:
    return int(x.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _cls(line: str) -> str:
    if line in RESULT_LINES:
        return "3"
    return "1" if line in ASSET_LINES else "2"


def kommun_oib(rows: list[tuple[str, str, int]], dim: int | None) -> dict[tuple[str, str], int]:
    """The kommun's #OIB per (account, motpart) from the store's rows (account, objects, öre)."""
    out: dict[tuple[str, str], int] = defaultdict(int)
    if dim is None:
        return out
    for account, objects, amount in rows:
        code = object_of(objects, dim)
        if code is not None:
            out[(account, code)] += amount
    return out


def consolidate(
    ctx: Context,
    companies: list[CompanyLedger],
    oib: Mapping[tuple[str, str], int],
    mapping: KoncernMapping,
    offset: int = 0,
) -> Consolidation:
    """The consolidated year ``ctx.year - offset`` (the companies' ledgers for that year)."""
    yd = ctx.yd(offset)
    assert yd is not None
    # Companies whose year comes from -1 balances: their internal result items are unknown,
    # so the kommun's with them are not eliminated either (the result is the same; the
    # intäkter and kostnader are gross) and their pairs are not compared.
    derived = {c.foretag.id for c in companies if c.derived}
    dim = ctx.config.dimensioner.motpart
    share = {c.foretag.id: c.foretag.agarandel / 100 for c in companies}
    share[KOMMUN] = Decimal(1)
    by_code = {c.foretag.motpart: c.foretag.id for c in companies}
    by_code[mapping.kommun_code] = KOMMUN
    names = {c.foretag.id: c.foretag.namn for c in companies}
    names[KOMMUN] = ctx.config.organisation.namn
    findings: list[Finding] = []
    accs: dict[str, _Acc] = {}
    sides: dict[tuple[str, str], PairSide] = defaultdict(PairSide)
    dividends: dict[tuple[str, str], int] = defaultdict(int)  # (payer, receiver) -> öre, debit
    shares: dict[str, int] = {}
    elim_result = Decimal(0)  # report sign, exact öre

    def acc(name: str, line: str) -> _Acc:
        a = accs.get(name)
        if a is None:
            a = accs[name] = _Acc(line)
        return a

    # --- the kommun's internal items and its shares ---------------------------------
    company_ids = {c.foretag.id for c in companies}
    kommun_items: dict[tuple[str, str], tuple[int, Flow]] = {}
    for (account, code), amount in oib.items():
        if by_code.get(code) in company_ids:
            ib, fl = kommun_items.get((account, code), (0, Flow()))
            kommun_items[(account, code)] = (ib + amount, fl)
    if dim is not None:
        for account, per in yd.period.items():
            for key, flow in per.items():
                found = object_of(key, dim)
                if found is None or by_code.get(found) not in company_ids:
                    continue
                ib, fl = kommun_items.get((account, found), (0, Flow()))
                kommun_items[(account, found)] = (ib, fl + flow)
    for (account, code), (ib, flow) in sorted(kommun_items.items()):
        cid = by_code[code]
        kline = ctx.chart.rad.get(account) or "kortfristiga_skulder"
        balance = is_balance_account(account)
        if balance and account in mapping.share_accounts:
            # The shares: out of the assets, and out of equity (the förvärvsanalys).
            shares[cid] = shares.get(cid, 0) + ib + flow.net
            a = acc(f"{account}~andel~{cid}", kline)
            a.ib -= ib
            a.debit -= flow.debit
            a.credit -= flow.credit
            e = acc(f"2~koncern~andelar~{cid}", "eget_kapital")
            e.ib += ib
            e.debit += flow.debit
            e.credit += flow.credit
            continue
        if not balance and cid in derived:
            continue
        side = sides[(KOMMUN, cid)]
        if balance:
            side.balance += ib + flow.net
        else:
            side.result += flow.net
            elim_result += share[cid] * flow.net
        f = share[cid]
        a = acc(f"{account}~elim~{cid}", kline)
        a.ib -= f * ib
        a.debit -= f * flow.debit
        a.credit -= f * flow.credit

    # --- the companies ----------------------------------------------------------------
    contributions: dict[str, Decimal] = {}
    unmapped_ib = unmapped_flow = Decimal(0)
    t = mapping.tax_rate
    for c in companies:
        cid, p = c.foretag.id, share[c.foretag.id]
        dispositions = reserves = 0
        result = 0
        keys = set(c.ib) | set(c.flows)
        for account, party in sorted(keys, key=lambda k: (k[0], k[1] or "")):
            line = c.lines.get(account)
            ib = c.ib.get((account, party), 0)
            flow = c.flows.get((account, party), Flow())
            if line is None:
                # Left out (a finding already says so); the balance sheet shows the gap.
                unmapped_ib += p * ib
                unmapped_flow += p * flow.net
                continue
            other = by_code.get(party) if party is not None else None
            if other == cid:
                other = None
            factor = p
            if other is not None:
                side = sides[(cid, other)]
                if line in RESULT_LINES:
                    side.result += flow.net
                    elim_result += p * share[other] * flow.net
                elif line == "eget_kapital":
                    # The year's debit on equity with an owner in the koncern is a dividend to
                    # it: compared with the receiver's income from this company, which the
                    # receiver's own elimination takes out at this share (this cancels it).
                    side.balance += ib
                    side.result += flow.net
                    dividends[(cid, other)] += flow.net
                    elim_result += p * share[other] * flow.net
                else:
                    side.balance += ib + flow.net
                factor = p - p * share[other]
            if line in RESULT_LINES:
                result -= flow.net
            name = f"{_cls(line)}~{cid}~{account}"
            if line == "obeskattade_reserver":
                reserves += flow.net
                e = acc(f"{name}~ek", "eget_kapital")
                e.ib += factor * (1 - t) * ib
                s = acc(f"{name}~skatt", "andra_avsattningar")
                s.ib += factor * t * ib
                s.debit += factor * t * flow.debit
                s.credit += factor * t * flow.credit
            elif line == "bokslutsdispositioner":
                dispositions += flow.net
                s = acc(name, "uppskjuten_skatt")
                s.debit += factor * t * flow.debit
                s.credit += factor * t * flow.credit
            else:
                a = acc(name, line)
                a.ib += factor * ib
                a.debit += factor * flow.debit
                a.credit += factor * flow.credit
        if dispositions + reserves != 0:
            findings.append(
                warning(
                    f"{c.foretag.namn}: bokslutsdispositionerna ({_kr(dispositions)} kr) motsvarar "
                    f"inte förändringen av obeskattade reserver ({_kr(-reserves)} kr); skillnadens "
                    "andel efter skatt redovisas som differens i koncernen",
                    file=c.file,
                    code="koncern-dispositioner",
                )
            )
        # The result after the uniform principles: dispositions out, their deferred tax in.
        contributions[cid] = kronor(0) + p * (result + (1 - t) * dispositions) / 100

    # --- dividends within the koncern (docs/koncern.md) -----------------------------------
    # The receiver's elimination above took out share(receiver) × share(payer) of the
    # dividend; all of its share(receiver) is last years' profit of the payer, already in
    # the koncern's equity, so the rest leaves the result too and goes back to equity.
    dividend_result = Decimal(0)
    for (payer, receiver), paid in sorted(dividends.items()):
        rest = share[receiver] * (1 - share[payer]) * paid
        x = acc(f"3~koncern~utdelning~{payer}~{receiver}", "finansiella_intakter")
        e = acc(f"2~koncern~utdelning~{payer}~{receiver}", "eget_kapital")
        if rest >= 0:
            x.debit += rest
            e.credit -= rest
        else:
            x.credit += rest
            e.debit -= rest
        dividend_result -= share[receiver] * paid

    # --- round, book the residuals, and assemble the year --------------------------------
    ib_out: dict[str, int] = dict(yd.ib)
    period: dict[str, dict[str, Flow]] = {a: dict(per) for a, per in yd.period.items()}
    rad: dict[str, str] = {}
    r_ib = r_flow = 0
    for name, a in accs.items():
        ib_r, d_r, c_r = _round(a.ib), _round(a.debit), _round(a.credit)
        if ib_r:
            ib_out[name] = ib_out.get(name, 0) + ib_r
        if d_r or c_r:
            period.setdefault(name, {})[""] = Flow(d_r, c_r)
        if "~elim~" not in name and "~andel~" not in name:
            rad[name] = a.line
        r_ib += ib_r
        r_flow += d_r + c_r
    # Unmapped company accounts are not differens: without them the statements must not balance.
    r_ib += _round(unmapped_ib)
    r_flow += _round(unmapped_flow)
    if r_ib:
        ib_out["2~koncern~differens"] = -r_ib
        rad["2~koncern~differens"] = "eget_kapital"
    if r_flow:
        period["3~koncern~differens"] = {"": Flow(max(-r_flow, 0), min(-r_flow, 0))}
        rad["3~koncern~differens"] = "verksamhetens_kostnader"
    cash = [n for n, line in rad.items() if line == "kassa_och_bank"]
    if any(p.startswith("18") for p in ctx.chart.likvida_medel.prefixes):
        cash += [n for n, line in rad.items() if line == "kortfristiga_placeringar"]
    chart = replace(
        ctx.chart,
        rad=PrefixMap({**ctx.chart.rad.entries, **rad}),
        likvida_medel=PrefixSet((*ctx.chart.likvida_medel.prefixes, *cash)),
    )
    year = YearData(
        year=yd.year,
        start=yd.start,
        end=yd.end,
        cut=yd.cut,
        has_transactions=True,
        ib=ib_out,
        declared_ub={},
        declared_res={},
        period=period,
        after_cut={},
        budget={},
    )
    compared = {k: v for k, v in sides.items() if not derived & set(k)}
    findings += _mismatches(ctx, companies, compared, names, mapping.kommun_code, yd.year)
    return Consolidation(
        year,
        chart,
        tuple(findings),
        dict(sides),
        kronor(0) + elim_result / 100,
        contributions,
        shares,
        names,
        kronor(0) + dividend_result / 100,
    )


def consolidated_context(ctx: Context, cons: Consolidation, previous: Consolidation | None = None) -> Context:
    """The consolidated year, and last year's beside it for the comparison column."""
    years = {cons.year.year: cons.year}
    chart = cons.chart
    if previous is not None:
        years[previous.year.year] = previous.year
        # Both years' virtual accounts in one chart: a name means the same line in both.
        chart = replace(
            chart,
            rad=PrefixMap({**previous.chart.rad.entries, **chart.rad.entries}),
            likvida_medel=PrefixSet(
                tuple(dict.fromkeys((*chart.likvida_medel.prefixes, *previous.chart.likvida_medel.prefixes)))
            ),
        )
    facts = Facts(years, ctx.facts.objects, ctx.facts.account_names, ctx.facts.files)
    return Context(ctx.config, chart, facts, ctx.year)


def _mismatches(
    ctx: Context,
    companies: list[CompanyLedger],
    sides: Mapping[tuple[str, str], PairSide],
    names: Mapping[str, str],
    kommun_code: str,
    year: int,
) -> list[Finding]:
    files = {c.foretag.id: c.file for c in companies}
    files[KOMMUN] = ctx.facts.files.get(year, "data/ledger")
    ledgers = {c.foretag.id: c for c in companies}
    codes = {c.foretag.id: c.foretag.motpart for c in companies}
    codes[KOMMUN] = kommun_code

    def first_line(entity: str, other: str, balance: bool) -> int | None:
        """The first line of ``entity``'s file with an internal item against ``other``."""
        c = ledgers.get(entity)
        if c is None:
            return None
        found = [
            c.account_lines[a]
            for a, code in (*c.ib, *c.flows)
            if code == codes[other] and a in c.account_lines and (c.lines.get(a) in RESULT_LINES) != balance
        ]
        return min(found) if found else None

    out: list[Finding] = []
    done: set[frozenset[str]] = set()
    for a, b in sorted(sides, key=lambda k: (k[0] != KOMMUN, k)):
        pair = frozenset((a, b))
        if pair in done:
            continue
        done.add(pair)
        mine, theirs = sides.get((a, b), PairSide()), sides.get((b, a), PairSide())
        for what, x, y, balance in (
            ("balansposter", mine.balance, theirs.balance, True),
            ("resultatposter", mine.result, theirs.result, False),
        ):
            if x + y == 0:
                continue
            out.append(
                error(
                    f"interna {what} stämmer inte: {names[a]} ({files[a]}) har {_kr(x)} kr mot "
                    f"{names[b]}, {names[b]} ({files[b]}) har {_kr(y)} kr mot {names[a]}; "
                    f"differensen {_kr(x + y)} kr redovisas som differens i koncernen "
                    "(bokföringens tecken, debet positivt)",
                    file=files[b],
                    line=first_line(b, a, balance),
                    where=f"{a}/{b}",
                    code="koncern-interna-differens",
                )
            )
    return out
