"""The statutory layouts as data (LKBR 5 kap. 2 §, 6 kap. 2 §, RKR R13, LKBR 11 kap. 10 §).

Line ids are stable (they are the JSON row ids and the names drill-down uses);
labels are the law's wording. Leaf ids of the RR and BR equal the chart's line
ids (chart/kommunbas.toml), so the mapping and the layout meet by name.
"""

from __future__ import annotations

from bokslut.statements.engine import Line
from bokslut.table import RowKind

H, S, T = RowKind.HEADING, RowKind.SUBTOTAL, RowKind.TOTAL

RESULTATRAKNING: tuple[Line, ...] = (
    Line("verksamhetens_intakter", "Verksamhetens intäkter", note="not_verksamhetens_intakter"),
    Line("verksamhetens_kostnader", "Verksamhetens kostnader", note="not_verksamhetens_kostnader"),
    Line("avskrivningar", "Avskrivningar", note="not_anlaggningstillgangar"),
    Line(
        "verksamhetens_nettokostnader",
        "Verksamhetens nettokostnader",
        S,
        parts=("verksamhetens_intakter", "verksamhetens_kostnader", "avskrivningar"),
        show="always",
    ),
    Line("medlemsavgifter", "Medlemsavgifter", note="not_medlemsavgifter"),
    Line("skatteintakter", "Skatteintäkter", note="not_skatteintakter"),
    Line(
        "generella_statsbidrag",
        "Generella statsbidrag och utjämning",
        note="not_generella_statsbidrag",
    ),
    Line(
        "verksamhetens_resultat",
        "Verksamhetens resultat",
        S,
        parts=(
            "verksamhetens_nettokostnader",
            "medlemsavgifter",
            "skatteintakter",
            "generella_statsbidrag",
        ),
        show="always",
    ),
    Line("finansiella_intakter", "Finansiella intäkter", note="not_finansiella_intakter"),
    Line("finansiella_kostnader", "Finansiella kostnader", note="not_finansiella_kostnader"),
    Line(
        "resultat_efter_finansiella_poster",
        "Resultat efter finansiella poster",
        S,
        parts=("verksamhetens_resultat", "finansiella_intakter", "finansiella_kostnader"),
        show="always",
    ),
    Line("extraordinara_poster", "Extraordinära poster"),
    Line(
        "arets_resultat",
        "Årets resultat",
        T,
        parts=("resultat_efter_finansiella_poster", "extraordinara_poster"),
        quantity="arets_resultat",
        show="always",
    ),
)

RR_LEAVES = tuple(line.id for line in RESULTATRAKNING if not line.parts)

BR_ASSETS: tuple[Line, ...] = (
    Line("tillgangar", "TILLGÅNGAR", H, show="always"),
    Line("h_anlaggningstillgangar", "Anläggningstillgångar", H, level=0),
    Line(
        "immateriella",
        "Immateriella anläggningstillgångar",
        level=1,
        note="not_anlaggningstillgangar",
    ),
    Line("h_materiella", "Materiella anläggningstillgångar", H, level=1),
    Line(
        "mark_byggnader",
        "Mark, byggnader och tekniska anläggningar",
        level=2,
        note="not_anlaggningstillgangar",
    ),
    Line(
        "maskiner_inventarier",
        "Maskiner och inventarier",
        level=2,
        note="not_anlaggningstillgangar",
    ),
    Line(
        "ovriga_materiella",
        "Övriga materiella anläggningstillgångar",
        level=2,
        note="not_anlaggningstillgangar",
    ),
    Line("finansiella_anlaggningar", "Finansiella anläggningstillgångar", level=1),
    Line(
        "summa_anlaggningstillgangar",
        "Summa anläggningstillgångar",
        S,
        parts=(
            "immateriella",
            "mark_byggnader",
            "maskiner_inventarier",
            "ovriga_materiella",
            "finansiella_anlaggningar",
        ),
    ),
    Line("bidrag_infrastruktur", "Bidrag till infrastruktur"),
    Line("h_omsattningstillgangar", "Omsättningstillgångar", H),
    Line("forrad", "Förråd m.m.", level=1),
    Line("fordringar", "Fordringar", level=1, note="not_fordringar"),
    Line("kortfristiga_placeringar", "Kortfristiga placeringar", level=1),
    Line("kassa_och_bank", "Kassa och bank", level=1, note="not_kassa_och_bank"),
    Line(
        "summa_omsattningstillgangar",
        "Summa omsättningstillgångar",
        S,
        parts=("forrad", "fordringar", "kortfristiga_placeringar", "kassa_och_bank"),
    ),
    Line(
        "summa_tillgangar",
        "SUMMA TILLGÅNGAR",
        T,
        parts=(
            "summa_anlaggningstillgangar",
            "bidrag_infrastruktur",
            "summa_omsattningstillgangar",
        ),
        quantity="balansomslutning",
        show="always",
    ),
)

# Equity block until FY 2023 (practice, regler.md §1.3): I. Årets resultat,
# II. Resultatutjämningsreserv, III. Övrigt eget kapital.
BR_EQUITY_OLD: tuple[Line, ...] = (
    Line("h_eget_kapital", "Eget kapital", H, note="not_eget_kapital"),
    Line("ek_arets_resultat", "Årets resultat", level=1, quantity="arets_resultat", show="always"),
    Line("ek_resultatutjamningsreserv", "Resultatutjämningsreserv", level=1),
    Line("ek_ovrigt", "Övrigt eget kapital", level=1),
    Line(
        "summa_eget_kapital",
        "Summa eget kapital",
        S,
        parts=("ek_arets_resultat", "ek_resultatutjamningsreserv", "ek_ovrigt"),
        quantity="eget_kapital",
        show="always",
    ),
)

# From FY 2024 (LKBR 6 kap. 2 § as amended by SFS 2023:643).
BR_EQUITY_NEW: tuple[Line, ...] = (
    Line("h_eget_kapital", "Eget kapital", H, note="not_eget_kapital"),
    Line("ek_ingaende", "Eget kapital vid årets början", level=1, show="always"),
    Line("ek_ingaende_resultatreserv", "varav resultatreserv", level=2, show="data"),
    Line("ek_ingaende_rur", "varav resultatutjämningsreserv", level=2),
    Line("ek_arets_resultat", "Årets resultat", level=1, quantity="arets_resultat", show="always"),
    Line(
        "summa_eget_kapital",
        "Eget kapital vid årets slut",
        S,
        parts=("ek_ingaende", "ek_arets_resultat"),
        quantity="eget_kapital",
        show="always",
    ),
    Line("ek_utgaende_resultatreserv", "varav resultatreserv", level=2, show="data"),
    Line("ek_utgaende_rur", "varav resultatutjämningsreserv", level=2),
)

BR_LIABILITIES: tuple[Line, ...] = (
    Line("h_avsattningar", "Avsättningar", H),
    Line(
        "avsattningar_pensioner",
        "Avsättningar för pensioner och liknande förpliktelser",
        level=1,
        note="not_avsattningar",
    ),
    Line("andra_avsattningar", "Andra avsättningar", level=1, note="not_avsattningar"),
    Line(
        "summa_avsattningar",
        "Summa avsättningar",
        S,
        parts=("avsattningar_pensioner", "andra_avsattningar"),
    ),
    Line("h_skulder", "Skulder", H),
    Line("langfristiga_skulder", "Långfristiga skulder", level=1, note="not_langfristiga_skulder"),
    Line("kortfristiga_skulder", "Kortfristiga skulder", level=1, note="not_kortfristiga_skulder"),
    Line(
        "summa_skulder",
        "Summa skulder",
        S,
        parts=("langfristiga_skulder", "kortfristiga_skulder"),
    ),
    Line(
        "summa_eget_kapital_och_skulder",
        "SUMMA EGET KAPITAL, AVSÄTTNINGAR OCH SKULDER",
        T,
        parts=("summa_eget_kapital", "summa_avsattningar", "summa_skulder"),
        quantity="balansomslutning_passiva",
        show="always",
    ),
)

BR_ASSET_LINES = tuple(x.id for x in BR_ASSETS if x.kind is RowKind.ITEM)
BR_LIABILITY_LINES = (
    "avsattningar_pensioner",
    "andra_avsattningar",
    "langfristiga_skulder",
    "kortfristiga_skulder",
)

# Kassaflödesanalys, indirect method (regler.md §2.2).
KASSAFLODE: tuple[Line, ...] = (
    Line("h_lopande", "Den löpande verksamheten", H, show="always"),
    Line("kf_arets_resultat", "Årets resultat", level=1, quantity="arets_resultat", show="always"),
    Line(
        "kf_avskrivningar",
        "Justering för av- och nedskrivningar",
        level=1,
        note="not_anlaggningstillgangar",
    ),
    Line(
        "kf_gjorda_avsattningar",
        "Justering för gjorda avsättningar",
        level=1,
        note="not_avsattningar",
    ),
    Line(
        "kf_ianspraktagna_avsattningar",
        "Justering för ianspråktagna avsättningar",
        level=1,
        note="not_avsattningar",
    ),
    Line("kf_ovriga_justeringar", "Justering för övriga ej likviditetspåverkande poster", level=1),
    Line(
        "kf_fore_rorelsekapital",
        "Medel från verksamheten före förändring av rörelsekapital",
        S,
        parts=(
            "kf_arets_resultat",
            "kf_avskrivningar",
            "kf_gjorda_avsattningar",
            "kf_ianspraktagna_avsattningar",
            "kf_ovriga_justeringar",
        ),
        show="always",
    ),
    Line(
        "kf_fordringar",
        "Ökning (−)/minskning (+) kortfristiga fordringar",
        level=1,
        note="not_fordringar",
    ),
    Line("kf_forrad", "Ökning (−)/minskning (+) förråd, lager och exploateringsfastigheter", level=1),
    Line(
        "kf_kortfristiga_skulder",
        "Ökning (+)/minskning (−) kortfristiga skulder",
        level=1,
        note="not_kortfristiga_skulder",
    ),
    Line(
        "kf_lopande",
        "Kassaflöde från den löpande verksamheten",
        S,
        parts=("kf_fore_rorelsekapital", "kf_fordringar", "kf_forrad", "kf_kortfristiga_skulder"),
        show="always",
    ),
    Line("h_investering", "Investeringsverksamheten", H, show="always"),
    Line("kf_inv_immateriella", "Investering i immateriella anläggningstillgångar", level=1),
    Line("kf_fors_immateriella", "Försäljning av immateriella anläggningstillgångar", level=1),
    Line(
        "kf_inv_materiella",
        "Investering i materiella anläggningstillgångar",
        level=1,
        note="not_anlaggningstillgangar",
        quantity="investeringar",
    ),
    Line("kf_fors_materiella", "Försäljning av materiella anläggningstillgångar", level=1),
    Line("kf_inv_finansiella", "Investering i finansiella anläggningstillgångar", level=1),
    Line("kf_fors_finansiella", "Försäljning av finansiella anläggningstillgångar", level=1),
    Line(
        "kf_investering",
        "Kassaflöde från investeringsverksamheten",
        S,
        parts=(
            "kf_inv_immateriella",
            "kf_fors_immateriella",
            "kf_inv_materiella",
            "kf_fors_materiella",
            "kf_inv_finansiella",
            "kf_fors_finansiella",
        ),
        show="always",
    ),
    Line("h_finansiering", "Finansieringsverksamheten", H, show="always"),
    Line("kf_nya_lan", "Nyupptagna lån", level=1, note="not_langfristiga_skulder"),
    Line("kf_amortering", "Amortering av skuld", level=1, note="not_langfristiga_skulder"),
    Line(
        "kf_finansiering",
        "Kassaflöde från finansieringsverksamheten",
        S,
        parts=("kf_nya_lan", "kf_amortering"),
        show="always",
    ),
    Line("h_infrastruktur", "Bidrag till infrastruktur", H),
    Line("kf_infrastruktur", "Utbetalning av bidrag till infrastruktur", level=1),
    Line(
        "kf_arets_kassaflode",
        "Årets kassaflöde",
        T,
        parts=("kf_lopande", "kf_investering", "kf_finansiering", "kf_infrastruktur"),
        quantity="arets_kassaflode",
        show="always",
    ),
    Line(
        "kf_likvida_borjan",
        "Likvida medel vid årets början",
        quantity="likvida_medel_ib",
        show="always",
    ),
    Line(
        "kf_likvida_slut",
        "Likvida medel vid årets slut",
        T,
        parts=("kf_likvida_borjan", "kf_arets_kassaflode"),
        quantity="likvida_medel",
        note="not_kassa_och_bank",
        show="always",
    ),
)

BALANSKRAV: tuple[Line, ...] = (
    Line(
        "bk_arets_resultat",
        "Årets resultat enligt resultaträkningen",
        quantity="arets_resultat",
        show="always",
    ),
    Line("bk_realisationsvinster", "Samtliga realisationsvinster", level=1, show="always"),
    Line(
        "bk_rv_undantag",
        "Realisationsvinster enligt undantagsmöjlighet",
        level=1,
        show="always",
    ),
    Line(
        "bk_rf_undantag",
        "Realisationsförluster enligt undantagsmöjlighet",
        level=1,
        show="always",
    ),
    Line(
        "bk_orealiserade",
        "Orealiserade vinster och förluster i värdepapper",
        level=1,
        show="always",
    ),
    Line(
        "bk_aterforing",
        "Återföring av orealiserade vinster och förluster i värdepapper",
        level=1,
        show="always",
    ),
    Line(
        "bk_efter_justeringar",
        "Årets resultat efter balanskravsjusteringar",
        S,
        parts=(
            "bk_arets_resultat",
            "bk_realisationsvinster",
            "bk_rv_undantag",
            "bk_rf_undantag",
            "bk_orealiserade",
            "bk_aterforing",
        ),
        quantity="resultat_efter_balanskravsjusteringar",
        show="always",
    ),
    Line("bk_reservering", "Reservering till resultatreserv", level=1),
    Line("bk_anvandning", "Användning av medel från resultatreserv", level=1),
    Line("bk_rur_reservering", "Reservering till resultatutjämningsreserv", level=1),
    Line("bk_rur_anvandning", "Användning av medel från resultatutjämningsreserv", level=1),
    Line(
        "bk_balanskravsresultat",
        "Årets balanskravsresultat",
        T,
        parts=(
            "bk_efter_justeringar",
            "bk_reservering",
            "bk_anvandning",
            "bk_rur_reservering",
            "bk_rur_anvandning",
        ),
        quantity="balanskravsresultat",
        show="always",
    ),
)
