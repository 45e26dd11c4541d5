"""Generate the data of Exempelkommun (about 15 000 inhabitants): 2023 and 2024.

Writes, deterministically (same bytes every run, fixed seed, Python standard library
only), into this folder (the årsredovisning 2024) and ../exempelkommun-2024-delar (the
delårsrapport per 31 August 2024):

* data/ledger/2023.se and 2024.se – the kommun's ledger in SIE 4 with Kommun-Bas accounts
  and the dimensions ansvar (1), verksamhet (2), projekt (6) and motpart (9). 2023 carries
  2022 as #RES -1/#UB -1, so the balanskravsutredning has its third year (the 2022
  deficit). The delårsrapport's 2024 file is cut at 31 August.
* data/organisation.csv, data/ram.csv, data/budget/*.csv, data/prognos/*.csv,
  data/prognos-ansvar.csv, data/investeringsprojekt.csv – organisation, budget and prognos.
* data/pension.csv, borgen.csv, kommuninvest.csv, lan.csv, leasing.csv, balanskrav.yaml.
* data/koncern/*.se – the koncernföretag's own ledgers (BAS; the kommunalförbund keeps
  Kommun-Bas) for 2023 and 2024, whose transactions with the kommun mirror the kommun's
  rows tagged with the motpart dimension.

Every amount is planned in whole thousands of kronor per account and year, and the
monthly postings are cut so that every balance is whole tkr at 31 August and 31
December: the report's shown tkr are then exact, and `expected()` (the totals computed
here from the plan, independently of bokslut's statement code) is what
tests/examples/test_exempelkommun.py compares the built reports with.

    python examples/exempelkommun-2024/generera.py
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
DELAR = HERE.parent / "exempelkommun-2024-delar"
SEED = 2024
T = 1000_00  # one tkr in öre
INTERIM_MONTH = 8
MONTHS = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)

# --- The organisation ---------------------------------------------------------------------

KS, BUN, SN, TN, KFN, MBN = (
    "Kommunstyrelsen",
    "Barn- och utbildningsnämnden",
    "Socialnämnden",
    "Tekniska nämnden",
    "Kultur- och fritidsnämnden",
    "Miljö- och byggnadsnämnden",
)
KLF, BUF, SOF, SBF, KFF, FIN = (
    "Kommunledningsförvaltningen",
    "Barn- och utbildningsförvaltningen",
    "Socialförvaltningen",
    "Samhällsbyggnadsförvaltningen",
    "Kultur- och fritidsförvaltningen",
    "Finansförvaltningen",
)
# ansvar: (namn, enhet, förvaltning, nämnd, verksamhet)
ANSVAR: dict[str, tuple[str, str, str, str, str]] = {
    "1010": ("Fullmäktige och revision", "Politisk verksamhet", KLF, KS, "10"),
    "1020": ("Kommunledning och ekonomi", "Kansli och ekonomi", KLF, KS, "80"),
    "1030": ("HR och lön", "Kansli och ekonomi", KLF, KS, "80"),
    "1040": ("Näringsliv och turism", "Näringsliv", KLF, KS, "20"),
    "1050": ("Räddningstjänst (förbundsavgift)", "Räddningstjänst", KLF, KS, "20"),
    "1090": ("Pensioner och gemensamma poster", "Finansförvaltning", FIN, KS, "80"),
    "2110": ("Förskola Norr", "Förskola", BUF, BUN, "40"),
    "2120": ("Förskola Söder", "Förskola", BUF, BUN, "40"),
    "2210": ("Centralskolan", "Grundskola", BUF, BUN, "40"),
    "2220": ("Björkskolan", "Grundskola", BUF, BUN, "40"),
    "2230": ("Fritidshem", "Grundskola", BUF, BUN, "40"),
    "2310": ("Gymnasium och vuxenutbildning", "Gymnasium och vuxenutbildning", BUF, BUN, "40"),
    "2390": ("Förvaltningsledning och fristående verksamhet", "Förvaltningsledning", BUF, BUN, "40"),
    "3110": ("Särskilt boende Lärkan", "Särskilt boende", SOF, SN, "50"),
    "3120": ("Särskilt boende Eken", "Särskilt boende", SOF, SN, "50"),
    "3130": ("Hemtjänst", "Hemtjänst", SOF, SN, "50"),
    "3210": ("LSS-verksamhet", "Funktionsstöd", SOF, SN, "50"),
    "3310": ("Individ- och familjeomsorg", "Individ- och familjeomsorg", SOF, SN, "60"),
    "3320": ("Ekonomiskt bistånd", "Individ- och familjeomsorg", SOF, SN, "60"),
    "3390": ("Förvaltningsledning", "Förvaltningsledning", SOF, SN, "50"),
    "4110": ("Fastighetsförvaltning", "Fastighet", SBF, TN, "80"),
    "4210": ("Gata och park", "Gata och park", SBF, TN, "20"),
    "4310": ("Vatten och avlopp", "Vatten och avlopp", SBF, TN, "70"),
    "4320": ("Avfall", "Avfall", SBF, TN, "70"),
    "5110": ("Bibliotek", "Kultur", KFF, KFN, "30"),
    "5120": ("Kulturskola", "Kultur", KFF, KFN, "30"),
    "5210": ("Idrottsanläggningar och föreningsbidrag", "Fritid", KFF, KFN, "30"),
    "6110": ("Bygglov och planering", "Bygg och miljö", SBF, MBN, "20"),
    "6120": ("Miljö- och hälsoskydd", "Bygg och miljö", SBF, MBN, "20"),
}
FINANS = "9000"  # skatter, statsbidrag och finansiella poster: no nämnd (not verksamhet)
VERKSAMHETER = {
    "10": "Politisk verksamhet",
    "20": "Infrastruktur, skydd m.m.",
    "30": "Kultur och fritid",
    "40": "Pedagogisk verksamhet",
    "50": "Vård och omsorg",
    "60": "Särskilt riktade insatser",
    "70": "Affärsverksamhet",
    "80": "Gemensamma verksamheter",
    "90": "Finansiering",
}
MOTPARTER = {
    "BOST": "Exempelbostäder AB",
    "ENERGI": "Exempel Energi AB",
    "RTJ": "Räddningstjänsten Mitt",
    "INTERN": "Intern motpart (inom kommunen)",
}
PROJEKT = {
    "P0001": "Årliga reinvesteringar fordon och inventarier",
    "P2301": "Ny förskola Norrbacka",
    "P2302": "Ombyggnad Centralskolan",
    "P2303": "VA-ledning Sjövägen",
    "P2305": "Energieffektivisering fastigheter",
    "P2401": "Gång- och cykelväg Åstråket",
}

ACCOUNTS = {
    "1111": "Mark",
    "1120": "Verksamhetsfastigheter",
    "1129": "Ackumulerade avskrivningar verksamhetsfastigheter",
    "1150": "Gator, vägar och parker",
    "1159": "Ackumulerade avskrivningar gator, vägar och parker",
    "1160": "Vatten- och avloppsanläggningar",
    "1169": "Ackumulerade avskrivningar vatten- och avloppsanläggningar",
    "1180": "Pågående nyanläggningar",
    "1220": "Maskiner och inventarier",
    "1229": "Ackumulerade avskrivningar maskiner och inventarier",
    "1240": "Fordon",
    "1249": "Ackumulerade avskrivningar fordon",
    "1311": "Aktier Exempelbostäder AB",
    "1312": "Aktier Exempel Energi AB",
    "1313": "Andelar Kommuninvest ekonomisk förening",
    "1381": "Långfristig fordran Exempelbostäder AB",
    "1411": "Exploateringsfastigheter",
    "1510": "Kundfordringar",
    "1640": "Momsfordran",
    "1710": "Förutbetalda kostnader och upplupna intäkter",
    "1930": "Bank",
    "2011": "Eget kapital",
    "2211": "Avsättning för pensioner inkl. särskild löneskatt",
    "2291": "Avsättning för återställning av deponi",
    "2331": "Lån från Kommuninvest",
    "2332": "Lån från Nordea",
    "2388": "Förutbetalda investeringsbidrag",
    "2440": "Leverantörsskulder",
    "2710": "Personalens källskatt",
    "2920": "Semesterlöneskuld",
    "2950": "Upplupna pensionskostnader, individuell del",
    "2990": "Övriga upplupna kostnader och förutbetalda intäkter",
    "3010": "Försäljning av verksamhet",
    "3011": "Försäljning av tjänster till kommunens bolag",
    "3111": "Barnomsorgs- och elevavgifter",
    "3112": "Vård- och omsorgsavgifter",
    "3115": "VA-avgifter",
    "3116": "Renhållningsavgifter",
    "3117": "Plan- och bygglovsavgifter",
    "3118": "Tillsynsavgifter",
    "3410": "Lokal- och anläggningshyror",
    "3460": "Internhyror",
    "3510": "Riktade statsbidrag",
    "3550": "Ersättning från Försäkringskassan",
    "3571": "Upplösning av förutbetalda investeringsbidrag",
    "3810": "Realisationsvinst vid försäljning av fastighet",
    "4510": "Ekonomiskt bistånd",
    "4520": "Föreningsbidrag",
    "4610": "Köp av huvudverksamhet",
    "4620": "Medlemsavgift Räddningstjänsten Mitt",
    "5110": "Löner",
    "5610": "Sociala avgifter enligt lag och avtal",
    "5710": "Pensionskostnader, avgiftsbestämd del",
    "5720": "Förändring av pensionsavsättning",
    "5730": "Pensionsutbetalningar, ansvarsförbindelsen",
    "5750": "Särskild löneskatt på pensionsutbetalningar",
    "6010": "Lokalhyror",
    "6030": "Lokalhyror Exempelbostäder AB",
    "6090": "Internhyror",
    "6110": "Fastighetsskötsel och underhåll",
    "6210": "El och fjärrvärme från Exempel Energi AB",
    "6320": "Leasing av bilar",
    "6410": "Förbrukningsmaterial",
    "7410": "Konsulttjänster",
    "7610": "Övriga kostnader",
    "7910": "Avskrivningar verksamhetsfastigheter",
    "7920": "Avskrivningar maskiner och inventarier",
    "7921": "Avskrivningar fordon",
    "7930": "Avskrivningar gator, vägar och parker",
    "7931": "Avskrivningar vatten- och avloppsanläggningar",
    "8010": "Kommunalskatt",
    "8210": "Inkomstutjämning och generella bidrag",
    "8250": "Kommunal fastighetsavgift",
    "8310": "Avgift till LSS-utjämningen",
    "8410": "Ränteintäkter Exempelbostäder AB",
    "8420": "Borgensavgift Exempelbostäder AB",
    "8430": "Ränta på insatskapital Kommuninvest",
    "8520": "Räntekostnader för lån",
    "8540": "Ränta på pensionsavsättning",
}

# --- The plan: tkr per year, positive = the account's natural direction ------------------
# Revenue (class 3, 8 income) is credited, costs are debited. 2023 is derived from 2024
# with a growth rate per line; 2022 exists only as the #RES -1 of the 2023 file.

WAGES_2024 = {
    "1010": 3200, "1020": 18500, "1030": 12300, "1040": 3900, "2110": 28600, "2120": 31200,
    "2210": 52800, "2220": 41900, "2230": 14800, "2310": 9800, "2390": 9400, "3110": 46300,
    "3120": 41700, "3130": 58200, "3210": 49800, "3310": 24600, "3320": 4200, "3390": 11200,
    "4110": 14600, "4210": 8900, "4310": 9100, "4320": 2900, "5110": 6900, "5120": 5800,
    "5210": 6200, "6110": 7100, "6120": 5400,
}  # fmt: skip
# Other lines per ansvar, 2024: (account, tkr, motpart or "").
LINES_2024: dict[str, list[tuple[str, int, str]]] = {
    "1010": [("7610", 2100, ""), ("7410", 1400, "")],
    "1020": [("7410", 4200, ""), ("6410", 900, ""), ("6090", 2400, "INTERN"), ("3011", 1800, "BOST"),
             ("7920", 2100, "")],
    "1030": [("7410", 2600, ""), ("6090", 1100, "INTERN")],
    "1040": [("4520", 1500, ""), ("7610", 2300, "")],
    "1050": [("4620", 21600, "RTJ")],
    "2110": [("3111", 4200, ""), ("6410", 1700, ""), ("6090", 6800, "INTERN"), ("6030", 3100, "BOST")],
    "2120": [("3111", 4600, ""), ("6410", 1900, ""), ("6090", 7400, "INTERN")],
    "2210": [("3510", 6300, ""), ("6410", 4100, ""), ("6090", 14200, "INTERN"), ("4610", 3900, ""),
             ("7920", 1300, "")],
    "2220": [("3510", 4700, ""), ("6410", 3300, ""), ("6090", 11600, "INTERN")],
    "2230": [("3111", 2300, ""), ("6410", 900, ""), ("6090", 2100, "INTERN")],
    "2310": [("4610", 71500, ""), ("3510", 3900, ""), ("3010", 4800, ""), ("6090", 1900, "INTERN")],
    "2390": [("7410", 3100, ""), ("4610", 38700, ""), ("6410", 800, "")],
    "3110": [("3112", 7900, ""), ("6410", 3600, ""), ("6030", 12400, "BOST")],
    "3120": [("3112", 7100, ""), ("6410", 3100, ""), ("6090", 9800, "INTERN")],
    "3130": [("3112", 9800, ""), ("6410", 2700, ""), ("6320", 3900, ""), ("7920", 700, "")],
    "3210": [("3550", 8600, ""), ("6410", 1500, ""), ("6030", 6900, "BOST")],
    "3310": [("4610", 27300, ""), ("3510", 3400, ""), ("6090", 1800, "INTERN")],
    "3320": [("4510", 18900, "")],
    "3390": [("7410", 2800, ""), ("6090", 1500, "INTERN")],
    "4110": [("3410", 8700, ""), ("6110", 31400, ""), ("6210", 18600, "ENERGI"), ("6010", 2300, "")],
    "4210": [("6410", 4200, ""), ("4610", 9800, ""), ("6210", 2900, "ENERGI"), ("7920", 1900, "")],
    "4310": [("3115", 35700, ""), ("3115", 5600, "BOST"), ("6410", 3800, ""), ("6210", 4200, "ENERGI"),
             ("4610", 5900, "")],
    "4320": [("3116", 24800, ""), ("4610", 19700, "")],
    "5110": [("6410", 1300, ""), ("6090", 2800, "INTERN")],
    "5120": [("3111", 700, ""), ("6090", 900, "INTERN")],
    "5210": [("4520", 4300, ""), ("6090", 7900, "INTERN"), ("3410", 1900, "")],
    "6110": [("3117", 5300, ""), ("7410", 1200, "")],
    "6120": [("3118", 2800, "")],
}  # fmt: skip
GROWTH = {"5110": 4.1, "3": 3.0, "4": 4.8, "6": 3.5, "7": 2.5, "79": 3.0}  # per cent 2023 -> 2024

# Depreciation of the big asset groups (tkr): account, ansvar, accumulated account.
DEPRECIATION = {
    2022: {("7910", "4110"): 25900, ("7930", "4210"): 6600, ("7931", "4310"): 9200, ("7921", "4210"): 2500},
    2023: {("7910", "4110"): 26800, ("7930", "4210"): 6900, ("7931", "4310"): 9600, ("7921", "4210"): 2600},
    2024: {("7910", "4110"): 28100, ("7930", "4210"): 7300, ("7931", "4310"): 10200, ("7921", "4210"): 2700},
}  # fmt: skip
ACC_DEPR = {"7910": "1129", "7920": "1229", "7921": "1249", "7930": "1159", "7931": "1169"}

FINANCE = {  # account: tkr per year (income positive, costs positive as costs)
    "8010": {2022: 777100, 2023: 806900, 2024: 836400},
    "8210": {2022: 187200, 2023: 198700, 2024: 215300},
    "8250": {2022: 33400, 2023: 34600, 2024: 36100},
    "8310": {2022: -6400, 2023: -6900, 2024: -7200},  # a fee: negative income
    "8410": {2022: 1440, 2023: 3720, 2024: 4320},
    "8420": {2022: 1400, 2023: 1365, 2024: 1330},
    "8430": {2022: 60, 2023: 180, 2024: 310},
    "8520": {2022: 8100, 2023: 15600, 2024: 17900},
}
INCOME_FINANCE = ("8010", "8210", "8250", "8310", "8410", "8420", "8430")

# The result each year (tkr): the common costs on ansvar 1090 make the plan add up to it.
RESULT = {2022: -12000, 2023: 5200, 2024: 21400}
REALISATIONSVINST_2024 = 2400  # sale of the old Ekbacka school: price 4 800, book value 2 400

# Pensions (tkr, without särskild löneskatt unless said), as the administrator reports them.
PENSION = {
    2023: {"avs": {"Ingående": 30000, "Nyintjänad pension": 2600, "Ränte- och basbeloppsuppräkning": 900,
                   "Ändring av försäkringstekniska grunder": 0, "Övrig post": 300,
                   "Pensionsutbetalningar": -1100},
           "af": {"Ingående": 290000, "Ränte- och basbeloppsuppräkning": 5200, "Övrig post": -1400,
                  "Pensionsutbetalningar": -15300},
           "slr_avs": 7933, "slr_af": 67564, "aktualiseringsgrad": 97},
    2024: {"avs": {"Ingående": 32700, "Nyintjänad pension": 2900, "Ränte- och basbeloppsuppräkning": 1050,
                   "Ändring av försäkringstekniska grunder": 0, "Övrig post": -150,
                   "Pensionsutbetalningar": -1250},
           "af": {"Ingående": 278500, "Ränte- och basbeloppsuppräkning": 5900, "Övrig post": -800,
                  "Pensionsutbetalningar": -15900},
           "slr_avs": 8552, "slr_af": 64944, "aktualiseringsgrad": 98},
}  # fmt: skip
SLR_OPENING_2023 = {"avs": 7278, "af": 70354}  # 24,26 % of the 2023 opening balances
PENSION_2022 = {"5720": 2900, "8540": 700, "5730": 14800, "5750": 3590}

# Loans at year end (tkr): lender, loan number, amount, interest %, maturity.
LOANS = {
    2023: [("Kommuninvest i Sverige AB", "KI-1", 150000, "2,15", "2025-03-14"),
           ("Kommuninvest i Sverige AB", "KI-2", 120000, "3,42", "2026-06-01"),
           ("Kommuninvest i Sverige AB", "KI-3", 100000, "1,05", "2027-09-15"),
           ("Kommuninvest i Sverige AB", "KI-4", 140000, "3,88", "2029-11-30"),
           ("Nordea Bank Abp", "N-1", 110000, "2,95", "2028-02-10")],
    2024: [("Kommuninvest i Sverige AB", "KI-1", 150000, "2,15", "2025-03-14"),
           ("Kommuninvest i Sverige AB", "KI-2", 120000, "3,42", "2026-06-01"),
           ("Kommuninvest i Sverige AB", "KI-3", 100000, "1,05", "2027-09-15"),
           ("Kommuninvest i Sverige AB", "KI-4", 140000, "3,88", "2029-11-30"),
           ("Kommuninvest i Sverige AB", "KI-5", 40000, "3,21", "2030-05-20"),
           ("Nordea Bank Abp", "N-1", 110000, "2,95", "2028-02-10")],
}  # fmt: skip
NEW_LOAN_2024 = ("2331", 40000, 5)  # borrowed in May

# Investments (tkr) per project and year; the asset account they end on; when finished.
INVESTMENTS = {
    2023: {"P2301": 24000, "P2302": 21000, "P2303": 4000, "P2305": 8300, "P0001": 6500},
    2024: {"P2301": 51000, "P2302": 15800, "P2303": 17600, "P2401": 10200, "P0001": 7200},
}
PROJECT_ASSET = {"P2301": "1120", "P2302": "1120", "P2303": "1160", "P2305": "1120",
                 "P2401": "1150", "P0001": "1220"}  # fmt: skip
PROJECT_ANSVAR = {"P2301": "4110", "P2302": "4110", "P2303": "4310", "P2305": "4110",
                  "P2401": "4210", "P0001": "4210"}  # fmt: skip
# Projects finished within 2024 are booked on their asset account as the invoices come; the
# förskola is pågående nyanläggning (1180) until it opens in 2025.
FINISHED_BY_2024 = ("P0001", "P2302", "P2303", "P2305", "P2401")
INVESTMENT_GRANT = {2024: ("P2401", 3000)}  # Trafikverket's grant for the cycle path, 2388
GRANT_RELEASE = {2022: 700, 2023: 720, 2024: 800}  # 3571, on ansvar 4210
INVESTMENT_BUDGET = {
    2023: {"P2301": 30000, "P2302": 20000, "P2303": 6000, "P2305": 8000, "P0001": 7000},
    2024: {"P2301": 48000, "P2302": 17000, "P2303": 20000, "P2401": 9500, "P0001": 7000},
}
INVESTMENT_PROGNOS_2024 = {"P2301": 50000, "P2302": 16000, "P2303": 18500, "P2401": 10300, "P0001": 7000}
# data/investeringsprojekt: beslutad totalutgift, beräknad totalutgift (tkr)
MULTI_YEAR = {
    "P2301": (92000, 94500),
    "P2302": (38000, 36800),
    "P2303": (26000, 21600),
    "P2401": (9500, 10200),
}
KOMMUNINVEST_SHARE = {2023: 9800, 2024: 10400}  # andelskapital tkr (1313)
DEPONI_USED = {2023: 500, 2024: 600}
# Borgen at year end (tkr): the kommun stands for its bolag's loans (60 % of Exempel
# Energi's, its share) and for two associations.
BORGEN = {
    2023: [("Exempelbostäder AB", "Kommunala bolag", 390000),
           ("Exempel Energi AB (60 % av lånen)", "Kommunala bolag", 93000),
           ("Exempelby IF, klubbstuga", "Föreningar", 1300),
           ("Bygdegårdsföreningen Åsen", "Föreningar", 700)],
    2024: [("Exempelbostäder AB", "Kommunala bolag", 380000),
           ("Exempel Energi AB (60 % av lånen)", "Kommunala bolag", 90000),
           ("Exempelby IF, klubbstuga", "Föreningar", 1200),
           ("Bygdegårdsföreningen Åsen", "Föreningar", 650)],
}  # fmt: skip

# Short-term balances at 31 August and 31 December (tkr; assets positive, debts negative).
WORKING = {
    "1510": {2022: 22000, (2023, 8): 19500, 2023: 23400, (2024, 8): 20800, 2024: 24900},
    "2440": {2022: -58000, (2023, 8): -49000, 2023: -61200, (2024, 8): -52300, 2024: -64800},
}
OTHER_BALANCES = {  # changed once a year, at 31 December, against the bank
    "1411": {2022: 14500, 2023: 14500, 2024: 14500},
    "1640": {2022: 9000, 2023: 9400, 2024: 9900},
    "1710": {2022: 31000, 2023: 33200, 2024: 35800},
    "2710": {2022: -14000, 2023: -14600, 2024: -15300},
    "2920": {2022: -42000, 2023: -43800, 2024: -45900},
    "2950": {2022: -27000, 2023: -28100, 2024: -29400},
    "2990": {2022: -19000, 2023: -21400, 2024: -20600},
}
OPENING_2023 = {  # 1 January 2023 (= 31 December 2022), tkr
    "1111": 48000, "1120": 1150000, "1129": -455000, "1150": 210000, "1159": -98000,
    "1160": 414000, "1169": -162000, "1220": 58000, "1229": -39000,
    "1240": 21000, "1249": -13000, "1311": 25000, "1312": 12000, "1313": 9800, "1381": 120000,
    "1930": 61000, "2291": -14000, "2331": -510000, "2332": -110000, "2388": -18000,
}  # fmt: skip
SALE_2024 = {"1120": -12000, "1129": 9600, "price": 4800}  # the Ekbacka school, sold in June

# Budget deviations (outcome / budget) per nämnd, and the prognos made in August.
BUDGET_FACTOR = {KS: 0.98, BUN: 1.012, SN: 1.035, TN: 0.99, KFN: 1.0, MBN: 1.0}
BUDGET_RESULT = {2023: 9000, 2024: 14000}
PROGNOS_SHARE = 0.6  # the August prognos lies 60 % of the way from budget to the outcome
CENTRAL_RESERVE_LEFT = 4000  # tkr of the kommunstyrelse's central reserve left unused


# --- A tiny SIE 4 writer (PC8 = code page 437) ---------------------------------------------


def _q(text: str) -> str:
    return '"' + text.replace('"', '\\"') + '"'


def _amount(ore: int) -> str:
    sign = "-" if ore < 0 else ""
    return f"{sign}{abs(ore) // 100}.{abs(ore) % 100:02d}"


def _objects(objs: Iterable[tuple[int, str]]) -> str:
    return "{" + " ".join(f"{d} {_q(o)}" for d, o in objs) + "}"


Row = tuple[str, int, tuple[tuple[int, str], ...]]  # account, öre (debit +), objects


@dataclass
class Voucher:
    series: str
    date: dt.date
    text: str
    rows: list[Row]


@dataclass
class SieFile:
    name: str
    orgnr: str
    year: int
    kptyp: str
    accounts: dict[str, str]
    dims: dict[int, str] = field(default_factory=dict)
    objects: dict[tuple[int, str], str] = field(default_factory=dict)
    vouchers: list[Voucher] = field(default_factory=list)
    ib: dict[str, int] = field(default_factory=dict)
    ub: dict[str, int] | None = None
    res: dict[str, int] | None = None
    prev_ub: dict[str, int] = field(default_factory=dict)
    prev_res: dict[str, int] = field(default_factory=dict)
    object_balances: list[tuple[str, int, str, tuple[int, str], int]] = field(default_factory=list)
    cut: dt.date | None = None
    generated: dt.date | None = None

    def write(self, path: Path) -> None:
        y = self.year
        lines = [
            "#FLAGGA 0",
            "#FORMAT PC8",
            '#PROGRAM "bokslut exempelgenerator" "1"',
            f"#GEN {(self.generated or dt.date(y + 1, 2, 15)):%Y%m%d}",
            "#SIETYP 4",
            f"#ORGNR {self.orgnr}",
            f"#FNAMN {_q(self.name)}",
            f"#RAR 0 {y}0101 {y}1231",
            f"#RAR -1 {y - 1}0101 {y - 1}1231",
        ]
        if self.cut is not None:
            lines.append(f"#OMFATTN {self.cut:%Y%m%d}")
        lines += [f"#KPTYP {self.kptyp}", "#VALUTA SEK"]
        lines += [f"#KONTO {a} {_q(n)}" for a, n in sorted(self.accounts.items())]
        lines += [f"#DIM {d} {_q(n)}" for d, n in sorted(self.dims.items())]
        lines += [f"#OBJEKT {d} {_q(o)} {_q(n)}" for (d, o), n in sorted(self.objects.items())]
        lines += [f"#IB 0 {a} {_amount(x)}" for a, x in sorted(self.ib.items()) if x]
        lines += [f"#UB 0 {a} {_amount(x)}" for a, x in sorted((self.ub or {}).items()) if x]
        lines += [f"#UB -1 {a} {_amount(x)}" for a, x in sorted(self.prev_ub.items()) if x]
        lines += [f"#RES 0 {a} {_amount(x)}" for a, x in sorted((self.res or {}).items()) if x]
        lines += [f"#RES -1 {a} {_amount(x)}" for a, x in sorted(self.prev_res.items()) if x]
        for kind, idx, account, obj, x in self.object_balances:
            lines.append(f"#{kind} {idx} {account} {_objects([obj])} {_amount(x)}")
        numbers: dict[str, int] = defaultdict(int)
        for v in sorted(self.vouchers, key=lambda v: (v.date, v.series)):
            numbers[v.series] += 1
            lines.append(f"#VER {_q(v.series)} {_q(str(numbers[v.series]))} {v.date:%Y%m%d} {_q(v.text)}")
            lines.append("{")
            lines += [f"\t#TRANS {a} {_objects(o)} {_amount(x)}" for a, x, o in v.rows if x]
            lines.append("}")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(("\n".join(lines) + "\n").encode("cp437"))


# --- The ledger model ---------------------------------------------------------------------


@dataclass
class Book:
    """Postings of one year, with balances at the interim cut and at the year end."""

    year: int
    opening: dict[str, int]
    vouchers: list[Voucher] = field(default_factory=list)
    balance: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    at_cut: dict[str, int] = field(default_factory=dict)
    # (account, ansvar, motpart) -> öre for the year and for January–August
    flows: dict[tuple[str, str, str], int] = field(default_factory=lambda: defaultdict(int))
    flows_cut: dict[tuple[str, str, str], int] = field(default_factory=lambda: defaultdict(int))

    def __post_init__(self) -> None:
        for a, x in self.opening.items():
            self.balance[a] += x

    def post(self, series: str, d: dt.date, text: str, rows: list[Row]) -> None:
        rows = [r for r in rows if r[1]]
        assert sum(r[1] for r in rows) == 0, text
        for a, x, objs in rows:
            self.balance[a] += x
            o = dict(objs)
            key = (a, o.get(1, ""), o.get(9, ""))
            self.flows[key] += x
            if d.month <= INTERIM_MONTH:
                self.flows_cut[key] += x
        self.vouchers.append(Voucher(series, d, text, rows))


def month_end(year: int, m: int) -> dt.date:
    return (dt.date(year, m + 1, 1) if m < 12 else dt.date(year + 1, 1, 1)) - dt.timedelta(days=1)


def split_months(total_tkr: int, rng: random.Random, weights: list[float] | None = None) -> list[int]:
    """Twelve monthly amounts in öre: odd amounts, but whole tkr through August and the year."""
    w = weights or [1.0] * 12
    total = total_tkr * T
    cum_aug = round(total * sum(w[:INTERIM_MONTH]) / sum(w) / T) * T
    out: list[int] = []
    for lo, hi, target in ((0, INTERIM_MONTH, cum_aug), (INTERIM_MONTH, 12, total - cum_aug)):
        ws = w[lo:hi]
        parts = [int(target * x / sum(ws)) + rng.randint(-9999, 9999) for x in ws[:-1]]
        out += [*parts, target - sum(parts)]
    return out


WAGE_WEIGHTS = [1.0, 1.0, 1.0, 1.0, 1.0, 1.05, 0.7, 0.85, 1.0, 1.0, 1.0, 1.2]


def grown(tkr: int, account: str, years_back: int) -> int:
    g = GROWTH.get(account[:2], GROWTH.get(account[:1], 3.0))
    if account == "5110":
        g = GROWTH["5110"]
    return round(tkr / (1 + g / 100) ** years_back)


def plan_lines(year: int) -> dict[tuple[str, str, str], int]:
    """(account, ansvar, motpart) -> tkr, in the account's natural direction, before the balancing."""
    back = 2024 - year
    out: dict[tuple[str, str, str], int] = defaultdict(int)
    for ansvar, w in WAGES_2024.items():
        wages = grown(w, "5110", back)
        out[("5110", ansvar, "")] += wages
        out[("5610", ansvar, "")] += round(wages * 0.3142)
        out[("5710", ansvar, "")] += round(wages * 0.045)
    for ansvar, lines in LINES_2024.items():
        for account, tkr, motpart in lines:
            out[(account, ansvar, motpart)] += grown(tkr, account, back)
    # Internal rent: the fastighetsförvaltning invoices what the others pay.
    internal = sum(x for (a, _, _), x in out.items() if a == "6090")
    out[("3460", "4110", "INTERN")] = internal
    for (account, ansvar), tkr in DEPRECIATION[year].items():
        out[(account, ansvar, "")] += tkr
    out[("3571", "4210", "")] += GRANT_RELEASE[year]
    return out


def is_income(account: str) -> bool:
    return account[0] == "3" or account in INCOME_FINANCE


def pension_amounts(year: int) -> dict[str, int]:
    """Ledger postings of the pension administrator's figures (tkr)."""
    if year == 2022:
        return dict(PENSION_2022)
    p = PENSION[year]
    ub_avs = sum(p["avs"].values()) + p["slr_avs"]
    ib_avs = p["avs"]["Ingående"] + (
        SLR_OPENING_2023["avs"] if year == 2023 else PENSION[year - 1]["slr_avs"]
    )
    change = ub_avs - ib_avs
    interest = round(p["avs"]["Ränte- och basbeloppsuppräkning"] * 1.2426)
    paid = -p["af"]["Pensionsutbetalningar"]
    return {"5720": change - interest, "8540": interest, "5730": paid, "5750": round(paid * 0.2426)}


def year_plan(year: int) -> dict[tuple[str, str, str], int]:
    """The whole year's result accounts (tkr, natural direction), balanced to RESULT[year]."""
    out = plan_lines(year)
    for account, tkr in pension_amounts(year).items():
        out[(account, "1090" if account[0] == "5" else FINANS, "")] += tkr
    for account, per_year in FINANCE.items():
        out[(account, FINANS, "BOST" if account in ("8410", "8420") else "")] += per_year[year]
    if year == 2024:
        out[("3810", "4110", "")] += REALISATIONSVINST_2024
    result = sum(x if is_income(a) else -x for (a, _, _), x in out.items())
    # The common costs (insurance, licences, the kommun's share of joint services) balance the plan.
    out[("7610", "1090", "")] += result - RESULT[year]
    assert out[("7610", "1090", "")] > 0, out[("7610", "1090", "")]
    return out


def objects_of(ansvar: str, motpart: str, projekt: str = "") -> tuple[tuple[int, str], ...]:
    objs: list[tuple[int, str]] = []
    if ansvar:
        objs.append((1, ansvar))
        objs.append((2, ANSVAR[ansvar][4] if ansvar in ANSVAR else "90"))
    if projekt:
        objs.append((6, projekt))
    if motpart:
        objs.append((9, motpart))
    return tuple(objs)


def build_year(year: int, opening: dict[str, int], rng: random.Random) -> Book:
    book = Book(year, {a: x * T for a, x in opening.items()})
    plan = year_plan(year)
    # Operating and financial lines, month by month.
    for (account, ansvar, motpart), tkr in sorted(plan.items()):
        if account[:2] == "79" or (account == "3810"):
            continue
        sign = -1 if is_income(account) else 1
        weights = WAGE_WEIGHTS if account[:2] in ("51", "56", "57") and account not in ("5720",) else None
        if account in ("8410", "8420", "8430"):  # quarterly, in whole tkr
            quarter = tkr // 4
            amounts = [0] * 12
            for i, m in enumerate((3, 6, 9, 12)):
                amounts[m - 1] = (quarter if i < 3 else tkr - 3 * quarter) * T
        else:
            amounts = split_months(tkr, rng, weights)
        objs = objects_of(ansvar, motpart)
        for m, x in enumerate(amounts, start=1):
            d = month_end(year, m)
            if account in ("5720", "8540"):
                counter, series = "2211", "P"
                text = f"Pensionsskuld enligt KPA {MONTHS[m - 1]}"
            elif account[0] == "5":
                counter = "1930"
                text = f"Lön och pension {MONTHS[m - 1]}"
                series = "L"
            elif account[0] == "8":
                counter, series = "1930", "F"
                text = f"{ACCOUNTS[account]} {MONTHS[m - 1]}"
            elif account in ("3460", "6090"):
                counter, series, text = "", "I", f"Internhyror {MONTHS[m - 1]}"
            elif sign < 0:
                counter, series, text = "1510", "K", f"Kundfakturor {MONTHS[m - 1]}"
            else:
                counter, series, text = "2440", "E", f"Leverantörsfakturor {MONTHS[m - 1]}"
            rows: list[Row] = [(account, sign * x, objs)]
            if counter:
                rows.append((counter, -sign * x, ()))
            else:  # internal rent: both sides in one voucher per row; the other side on 4110
                rows.append(
                    ("3460" if account == "6090" else "6090", -sign * x, objects_of("4110", "INTERN"))
                )
            if account == "3460":
                continue  # posted together with each 6090 row
            book.post(series, d, text, rows)
    # Depreciation, monthly.
    dep_by_asset = {k: v for k, v in plan.items() if k[0][:2] == "79"}
    for (account, ansvar, _), tkr in sorted(dep_by_asset.items()):
        for m, x in enumerate(split_months(tkr, rng), start=1):
            book.post(
                "A",
                month_end(year, m),
                f"Avskrivningar {MONTHS[m - 1]}",
                [(account, x, objects_of(ansvar, "")), (ACC_DEPR[account], -x, ())],
            )
    # Investments: monthly supplier invoices on 1180 (P0001 straight to 1220).
    for projekt, tkr in sorted(INVESTMENTS[year].items()):
        asset = "1180" if projekt not in FINISHED_BY_2024 else PROJECT_ASSET[projekt]
        for m, x in enumerate(split_months(tkr, rng), start=1):
            book.post(
                "E",
                month_end(year, m),
                f"Investering {PROJEKT[projekt]}",
                [(asset, x, objects_of(PROJECT_ANSVAR[projekt], "", projekt)), ("2440", -x, ())],
            )
    if year in INVESTMENT_GRANT:
        projekt, tkr = INVESTMENT_GRANT[year]
        book.post(
            "F",
            dt.date(year, 10, 15),
            f"Investeringsbidrag Trafikverket {PROJEKT[projekt]}",
            [("1930", tkr * T, ()), ("2388", -tkr * T, objects_of("", "", projekt))],
        )
    if year == 2024:
        book.post(
            "F",
            dt.date(2024, 6, 28),
            "Försäljning f.d. Ekbackaskolan",
            [
                ("1930", SALE_2024["price"] * T, ()),
                ("1129", SALE_2024["1129"] * T, ()),
                ("1120", SALE_2024["1120"] * T, ()),
                ("3810", -REALISATIONSVINST_2024 * T, objects_of("4110", "")),
            ],
        )
        account, tkr, month = NEW_LOAN_2024
        book.post(
            "F",
            dt.date(2024, month, 20),
            "Nyupplåning Kommuninvest KI-5",
            [("1930", tkr * T, ()), (account, -tkr * T, ())],
        )
    share = KOMMUNINVEST_SHARE[year] - (KOMMUNINVEST_SHARE.get(year - 1) or OPENING_2023["1313"])
    if share:
        book.post(
            "F",
            dt.date(year, 4, 30),
            "Insatskapital Kommuninvest",
            [("1313", share * T, ()), ("1930", -share * T, ())],
        )
    book.post(
        "F",
        dt.date(year, 11, 30),
        "Sanering deponi Norrmyren",
        [("2291", DEPONI_USED[year] * T, ()), ("1930", -DEPONI_USED[year] * T, ())],
    )
    # Working capital: payments each month leave the planned balances at August and December.
    for m in range(1, 13):
        d = month_end(year, m)
        for account in ("1510", "2440"):
            key = year if m == 12 else (year, INTERIM_MONTH)
            target = WORKING[account][key] * T
            now = book.opening.get(account, 0) + sum(
                x for v in book.vouchers if v.date <= d for a, x, _ in v.rows if a == account
            )
            pay = target - now
            text = "Betalning leverantörer" if account == "2440" else "Inbetalningar kunder"
            book.post("B", d, text, [(account, pay, ()), ("1930", -pay, ())])
    for account, per_year in OTHER_BALANCES.items():
        change = (per_year[year] - per_year[year - 1]) * T
        book.post(
            "A",
            dt.date(year, 12, 31),
            f"Periodisering {ACCOUNTS[account].lower()}",
            [(account, change, ()), ("1930", -change, ())],
        )
    # Balances at the interim cut.
    book.at_cut = defaultdict(int, {a: x for a, x in book.opening.items()})
    for v in book.vouchers:
        if v.date.month <= INTERIM_MONTH:
            for a, x, _ in v.rows:
                book.at_cut[a] += x
    return book


def opening_2023() -> dict[str, int]:
    """Balances at 1 January 2023 (tkr); equity closes the balance sheet."""
    out = dict(OPENING_2023)
    for account, per_year in {**WORKING, **OTHER_BALANCES}.items():
        out[account] = per_year[2022]
    out["2211"] = -(PENSION[2023]["avs"]["Ingående"] + SLR_OPENING_2023["avs"])
    out["2011"] = -sum(out.values())
    return out


def result_accounts(book: Book) -> dict[str, int]:
    return {a: x for a, x in book.balance.items() if a[0] not in "12" and x}


def closing(book: Book) -> dict[str, int]:
    out = {a: x for a, x in book.balance.items() if a[0] in "12"}
    out["2011"] = out.get("2011", 0) + sum(result_accounts(book).values())
    return out


def res_2022() -> dict[str, int]:
    """2022 per account in öre (ledger sign), the #RES -1 of the 2023 file."""
    out: dict[str, int] = defaultdict(int)
    for (account, _, _), tkr in year_plan(2022).items():
        out[account] += (-tkr if is_income(account) else tkr) * T
    return dict(out)


KOMMUN_ORGNR = "212000-0001"


def kommun_file(book: Book, prev_ub: dict[str, int], prev_res: dict[str, int], cut: bool) -> SieFile:
    used = {o for v in book.vouchers for _, _, objs in v.rows for o in objs}
    names = {1: {k: v[0] for k, v in ANSVAR.items()} | {FINANS: "Finansiering"}, 2: VERKSAMHETER, 6: PROJEKT,
             9: MOTPARTER}  # fmt: skip
    objects = {(d, o): names[d].get(o, o) for d, o in used}
    vouchers = [v for v in book.vouchers if not cut or v.date.month <= INTERIM_MONTH]
    f = SieFile(
        name="Exempelkommun",
        orgnr=KOMMUN_ORGNR,
        year=book.year,
        kptyp="KOMMUN",
        accounts=ACCOUNTS,
        dims={1: "Ansvar", 2: "Verksamhet", 6: "Projekt", 9: "Motpart"},
        objects=objects,
        vouchers=vouchers,
        ib={a: x for a, x in book.opening.items()},
        ub=None if cut else {a: x for a, x in book.balance.items() if a[0] in "12"},
        res=None if cut else result_accounts(book),
        prev_ub=prev_ub,
        prev_res=prev_res,
        cut=dt.date(book.year, 8, 31) if cut else None,
        generated=dt.date(book.year, 9, 20) if cut else None,
    )
    # The koncern's balances carry their motpart, so the consolidation can eliminate them.
    for account, motpart in (("1311", "BOST"), ("1312", "ENERGI"), ("1381", "BOST")):
        f.object_balances.append(("OIB", 0, account, (9, motpart), book.opening[account]))
        if not cut:
            f.object_balances.append(("OUB", 0, account, (9, motpart), book.balance[account]))
    return f


# --- The koncernföretag ---------------------------------------------------------------------


@dataclass(frozen=True)
class Company:
    key: str
    name: str
    orgnr: str
    kptyp: str
    accounts: dict[str, str]
    motpart: str  # its code in the kommun's motpart dimension
    opening: dict[str, int]  # 1 January 2023, tkr, without equity
    equity: str  # account that takes the result and closes the balance sheet
    tax_rate: float  # 0 for a kommunalförbund


def internal_flows(books: dict[int, Book]) -> dict[int, dict[str, int]]:
    """Per year the kommun's tkr with each motpart, by what the counterparty books."""
    out: dict[int, dict[str, int]] = {}
    for year, book in books.items():

        def tot(account: str, motpart: str, flows: dict[tuple[str, str, str], int] = book.flows) -> int:
            return abs(sum(x for (a, _, m), x in flows.items() if a == account and m == motpart)) // T

        out[year] = {
            "hyra": tot("6030", "BOST"),
            "va": tot("3115", "BOST"),
            "tjanster": tot("3011", "BOST"),
            "ranta": tot("8410", "BOST"),
            "borgensavgift": tot("8420", "BOST"),
            "energi": tot("6210", "ENERGI"),
            "medlemsavgift": tot("4620", "RTJ"),
        }
    return out


BAS_BOST = {
    "1110": "Byggnader", "1119": "Ackumulerade avskrivningar på byggnader", "1130": "Mark",
    "1510": "Kundfordringar", "1930": "Företagskonto", "2081": "Aktiekapital",
    "2091": "Balanserad vinst eller förlust", "2350": "Skulder till kreditinstitut",
    "2393": "Lån från Exempelkommun", "2440": "Leverantörsskulder", "2510": "Skatteskulder",
    "3010": "Hyresintäkter bostäder", "3011": "Hyresintäkter lokaler",
    "3012": "Hyresintäkter lokaler, Exempelkommun",
    "5130": "Värme", "5140": "Vatten och avlopp", "5170": "Reparation och underhåll av fastighet",
    "5190": "Övriga fastighetskostnader", "6550": "Konsultarvoden", "7010": "Löner till kollektivanställda",
    "7510": "Arbetsgivaravgifter", "7820": "Avskrivningar på byggnader",
    "8410": "Räntekostnader för långfristiga skulder",
    "8490": "Övriga skuldrelaterade poster", "8910": "Skatt som belastar årets resultat",
}  # fmt: skip
BAS_ENERGI = {
    "1110": "Byggnader", "1119": "Ackumulerade avskrivningar på byggnader",
    "1210": "Maskiner och andra tekniska anläggningar",
    "1219": "Ackumulerade avskrivningar på maskiner", "1510": "Kundfordringar", "1930": "Företagskonto",
    "2081": "Aktiekapital", "2091": "Balanserad vinst eller förlust", "2350": "Skulder till kreditinstitut",
    "2440": "Leverantörsskulder", "2510": "Skatteskulder", "3010": "Försäljning fjärrvärme och el",
    "3011": "Försäljning fjärrvärme och el, Exempelkommun",
    "3012": "Försäljning fjärrvärme, Exempelbostäder AB",
    "4010": "Inköp av bränsle", "7010": "Löner till kollektivanställda", "7510": "Arbetsgivaravgifter",
    "7830": "Avskrivningar på maskiner", "8410": "Räntekostnader för långfristiga skulder",
    "8910": "Skatt som belastar årets resultat",
}  # fmt: skip
KBAS_RTJ = {
    "1220": "Fordon och räddningsmateriel", "1229": "Ackumulerade avskrivningar fordon och materiel",
    "1510": "Kundfordringar", "1930": "Bank", "2011": "Eget kapital", "2211": "Avsättning för pensioner",
    "2440": "Leverantörsskulder", "3010": "Försäljning av tjänster", "5110": "Löner",
    "5610": "Sociala avgifter",
    "6410": "Förbrukningsmaterial", "7910": "Avskrivningar", "8010": "Medlemsavgifter",
}  # fmt: skip

COMPANIES = {
    "bostader": Company("bostader", "Exempelbostäder AB", "556000-0011", "BAS2024", BAS_BOST, "BOST",
                        {"1110": 1240000, "1119": -412000, "1130": 62000, "1510": 3100, "1930": 34000,
                         "2081": -25000, "2350": -400000, "2393": -120000, "2440": -14000},
                        "2091", 0.206),
    "energi": Company("energi", "Exempel Energi AB", "556000-0029", "BAS2024", BAS_ENERGI, "ENERGI",
                      {"1110": 64000, "1119": -21000, "1210": 310000, "1219": -118000, "1510": 9800,
                       "1930": 12500, "2081": -20000, "2350": -160000, "2440": -8600}, "2091", 0.206),
    "raddningstjanst": Company("raddningstjanst", "Räddningstjänsten Mitt", "222000-0037", "KOMMUN", KBAS_RTJ,
                               "RTJ", {"1220": 48000, "1229": -21000, "1510": 2400, "1930": 9600,
                                       "2211": -6200,
                                       "2440": -3100}, "2011", 0.0),
}  # fmt: skip
OWNERSHIP = {"bostader": 100, "energi": 60, "raddningstjanst": 35}
# The companies' own lines (tkr; + = natural direction) and loans at year end (borgen).
COMPANY_PLAN = {
    "bostader": {2023: {"3010": 124100, "3011": 13800, "5170": 37400, "5190": 9500, "7010": 17300,
                        "7510": 5440, "7820": 30900, "8410": 11900},
                 2024: {"3010": 128400, "3011": 14200, "5170": 38600, "5190": 9800, "7010": 17900,
                        "7510": 5620, "7820": 31500, "8410": 13300}},
    "energi": {2023: {"3010": 68900, "4010": 37900, "7010": 13800, "7510": 4340, "7830": 14700, "8410": 3500},
               2024: {"3010": 71200, "4010": 38600, "7010": 14300, "7510": 4490, "7830": 15200,
                      "8410": 4100}},
    "raddningstjanst": {2023: {"3010": 5100, "5110": 37100, "5610": 11650, "6410": 8900, "7910": 3000},
                        2024: {"3010": 5300, "5110": 38200, "5610": 12000, "6410": 9200, "7910": 3100}},
}  # fmt: skip
COMPANY_DEBT = {"bostader": {2023: 390000, 2024: 380000}, "energi": {2023: 155000, 2024: 150000}}
ENERGY_TO_BOST = {2023: 16200, 2024: 16800}
OTHER_MEMBERS_FEE = {2023: 39000, 2024: 40100}  # the other member kommuner of the förbund
DEPR_ACCOUNT = {"7820": "1119", "7830": "1219", "7910": "1229"}
COMPANY_INCOME = ("3010", "3011", "3012", "8010")


def company_lines(key: str, year: int, flows: dict[str, int]) -> list[tuple[str, int, str]]:
    """(account, tkr natural direction, motpart object) for the year, internal rows tagged."""
    lines = [(a, x, "") for a, x in COMPANY_PLAN[key][year].items()]
    if key == "bostader":
        lines += [("3012", flows["hyra"], "KOMMUN"), ("5140", flows["va"], "KOMMUN"),
                  ("6550", flows["tjanster"], "KOMMUN"), ("8410", flows["ranta"], "KOMMUN"),
                  ("8490", flows["borgensavgift"], "KOMMUN"),
                  ("5130", ENERGY_TO_BOST[year], "ENERGI")]  # fmt: skip
    elif key == "energi":
        lines += [("3011", flows["energi"], "KOMMUN"), ("3012", ENERGY_TO_BOST[year], "BOST")]
    else:
        lines += [("8010", flows["medlemsavgift"], "KOMMUN"), ("8010", OTHER_MEMBERS_FEE[year], "")]
    return lines


def company_books(c: Company, flows: dict[int, dict[str, int]], rng: random.Random) -> dict[int, Book]:
    opening = dict(c.opening)
    opening[c.equity] = opening.get(c.equity, 0) - sum(opening.values())
    books: dict[int, Book] = {}
    for year in (2023, 2024):
        book = Book(year, {a: x * T for a, x in opening.items()})
        lines = company_lines(c.key, year, flows[year])
        for account, tkr, motpart in lines:
            sign = -1 if account in COMPANY_INCOME else 1
            objs = ((9, motpart),) if motpart else ()
            for m, x in enumerate(split_months(tkr, rng), start=1):
                d = month_end(year, m)
                if account in DEPR_ACCOUNT:
                    rows: list[Row] = [(account, x, ()), (DEPR_ACCOUNT[account], -x, ())]
                    text = f"Avskrivningar {MONTHS[m - 1]}"
                else:
                    rows = [(account, sign * x, objs), ("1930", -sign * x, ())]
                    text = f"{c.accounts[account]} {MONTHS[m - 1]}"
                book.post("A", d, text, rows)
        result = sum((x if a in COMPANY_INCOME else -x) for a, x, _ in lines)
        if c.tax_rate:
            tax = round(result * c.tax_rate)
            book.post(
                "A", dt.date(year, 12, 31), "Årets skatt", [("8910", tax * T, ()), ("2510", -tax * T, ())]
            )
        if c.key in COMPANY_DEBT:
            before = -opening["2350"]
            amort = before - COMPANY_DEBT[c.key][year]
            book.post(
                "A",
                dt.date(year, 12, 30),
                "Amortering Kommuninvest",
                [("2350", amort * T, ()), ("1930", -amort * T, ())],
            )
        books[year] = book
        opening = {a: x // T for a, x in closing_company(book, c).items()}
    return books


def closing_company(book: Book, c: Company) -> dict[str, int]:
    out = {a: x for a, x in book.balance.items() if a[0] in "12"}
    out[c.equity] = out.get(c.equity, 0) + sum(x for a, x in book.balance.items() if a[0] not in "12")
    return out


def company_file(c: Company, book: Book, prev: Book | None, prev_res: dict[str, int]) -> SieFile:
    used = {o for v in book.vouchers for _, _, objs in v.rows for o in objs}
    names = {"KOMMUN": "Exempelkommun", **MOTPARTER}
    f = SieFile(
        name=c.name,
        orgnr=c.orgnr,
        year=book.year,
        kptyp=c.kptyp,
        accounts=c.accounts,
        dims={9: "Motpart"} if used else {},
        objects={(d, o): names[o] for d, o in used},
        vouchers=book.vouchers,
        ib=dict(book.opening),
        ub={a: x for a, x in book.balance.items() if a[0] in "12"},
        res={a: x for a, x in book.balance.items() if a[0] not in "12" and x},
        prev_ub=dict(book.opening) if prev is not None else {},
        prev_res=prev_res,
    )
    if "2393" in c.accounts:
        f.object_balances.append(("OIB", 0, "2393", (9, "KOMMUN"), book.opening["2393"]))
        f.object_balances.append(("OUB", 0, "2393", (9, "KOMMUN"), book.balance["2393"]))
    return f


# --- Budget, prognos and the data files -------------------------------------------------------


def budget_plan(year: int) -> dict[tuple[str, str, str], int]:
    """Budget (tkr, natural direction) per account, ansvar and motpart."""
    out: dict[tuple[str, str, str], int] = {}
    for (account, ansvar, motpart), tkr in year_plan(year).items():
        if account == "3810":
            continue
        if ansvar == FINANS:
            factor = {"8410": 1.05, "8430": 1.5, "8520": 0.92}.get(account, 1.0)
            out[(account, ansvar, motpart)] = round(tkr * factor)
        elif motpart == "INTERN" or account[:2] == "79" or account in ("5720", "5730", "5750"):
            out[(account, ansvar, motpart)] = tkr  # known in advance
        else:
            f = BUDGET_FACTOR[ANSVAR[ansvar][3]]
            out[(account, ansvar, motpart)] = round(tkr / f if not is_income(account) else tkr * f)
    # The central reserve on ansvar 1090 was not used in full; the tax budget (the
    # forecast of the previous autumn) is what makes the budget's result.
    out[("7610", "1090", "")] += CENTRAL_RESERVE_LEFT
    result = sum(x if is_income(a) else -x for (a, _, _), x in out.items())
    out[("8010", FINANS, "")] -= result - BUDGET_RESULT[year]
    return out


def netto(plan: dict[tuple[str, str, str], int], ansvar: str) -> int:
    """Verksamhetens nettokostnad of an ansvar (tkr, report sign: costs negative)."""
    return sum(
        (x if is_income(a) else -x) for (a, an, _), x in plan.items() if an == ansvar and a[0] in "34567"
    )


def rr_lines(plan: dict[tuple[str, str, str], int]) -> dict[str, int]:
    """The resultaträkning (tkr, report sign) of a plan; internal items eliminated."""

    def s(pred: object) -> int:
        return sum((x if is_income(a) else -x) for (a, _, m), x in plan.items() if pred(a) and m != "INTERN")  # type: ignore[operator]

    rr = {
        "verksamhetens_intakter": s(lambda a: a[0] == "3"),
        "verksamhetens_kostnader": s(lambda a: a[0] in "4567" and a[:2] != "79"),
        "avskrivningar": s(lambda a: a[:2] == "79"),
        "skatteintakter": s(lambda a: a[:2] == "80"),
        "generella_statsbidrag": s(lambda a: a[:2] in ("82", "83")),
        "finansiella_intakter": s(lambda a: a[:2] == "84"),
        "finansiella_kostnader": s(lambda a: a[:2] == "85"),
    }
    rr["verksamhetens_nettokostnader"] = (
        rr["verksamhetens_intakter"] + rr["verksamhetens_kostnader"] + rr["avskrivningar"]
    )
    rr["arets_resultat"] = sum(v for k, v in rr.items() if k != "verksamhetens_nettokostnader")
    return rr


def prognos_2024() -> tuple[dict[str, int], dict[str, int]]:
    """The August prognos: per ansvar (netto tkr) and per RR line, consistent with each other.

    It lies PROGNOS_SHARE of the way from the budget to the year's outcome; the
    realisationsvinst of June is already booked and is in the prognos in full.
    """
    out = {k: x for k, x in year_plan(2024).items() if k[0] != "3810"}
    bud = budget_plan(2024)
    per_ansvar = {a: round(netto(bud, a) + PROGNOS_SHARE * (netto(out, a) - netto(bud, a))) for a in ANSVAR}
    per_ansvar["4110"] += REALISATIONSVINST_2024
    rr_out, rr_bud = rr_lines(out), rr_lines(bud)
    rr = {
        k: round(rr_bud[k] + PROGNOS_SHARE * (rr_out[k] - rr_bud[k]))
        for k in ("verksamhetens_intakter", "avskrivningar", "skatteintakter", "generella_statsbidrag",
                  "finansiella_intakter", "finansiella_kostnader")
    }  # fmt: skip
    rr["verksamhetens_intakter"] += REALISATIONSVINST_2024
    rr["verksamhetens_kostnader"] = (
        sum(per_ansvar.values()) - rr["verksamhetens_intakter"] - rr["avskrivningar"]
    )
    return per_ansvar, rr


def csv(path: Path, header: str, rows: Iterable[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")


def objekt(ansvar: str, motpart: str) -> str:
    return " ".join(f"{d}:{o}" for d, o in objects_of(ansvar, motpart))


def write_plans(root: Path, interim: bool) -> None:
    for year in (2023, 2024):
        bud = budget_plan(year)
        csv(
            root / "data" / "budget" / f"drift-{year}.csv",
            "ar;konto;objekt;belopp_tkr",
            (
                f"{year};{a};{objekt(an, m)};{x if is_income(a) else -x}"
                for (a, an, m), x in sorted(bud.items())
            ),
        )
        csv(
            root / "data" / "budget" / f"investeringar-{year}.csv",
            "ar;projekt;belopp_tkr",
            (f"{year};{p};{x}" for p, x in sorted(INVESTMENT_BUDGET[year].items())),
        )
    csv(
        root / "data" / "organisation.csv",
        "ansvar;namn;enhet;forvaltning;namnd",
        (f"{a};{n};{e};{f};{nd}" for a, (n, e, f, nd, _) in ANSVAR.items()),
    )
    ram_rows = []
    for year in (2023, 2024):
        bud = budget_plan(year)
        for nd in (KS, BUN, SN, TN, KFN, MBN):
            ram_rows.append(f"{nd};{year};{sum(netto(bud, a) for a in ANSVAR if ANSVAR[a][3] == nd)}")
    csv(root / "data" / "ram.csv", "namnd;ar;belopp_tkr", ram_rows)
    csv(
        root / "data" / "investeringsprojekt.csv",
        "projekt;namn;totalbudget_tkr;prognos_tkr",
        (f"{p};{PROJEKT[p]};{t};{pr}" for p, (t, pr) in MULTI_YEAR.items()),
    )
    if interim:
        per_ansvar, rr = prognos_2024()
        csv(
            root / "data" / "prognos-ansvar.csv",
            "ansvar;ar;belopp_tkr",
            (f"{a};2024;{x}" for a, x in per_ansvar.items()),
        )
        csv(
            root / "data" / "prognos" / "resultatrakning-2024.csv",
            "ar;rad;belopp_tkr",
            (f"2024;{k};{x}" for k, x in rr.items()),
        )
        csv(
            root / "data" / "prognos" / "investeringar-2024.csv",
            "ar;projekt;belopp_tkr",
            (f"2024;{p};{x}" for p, x in sorted(INVESTMENT_PROGNOS_2024.items())),
        )


def write_commitments(root: Path) -> None:
    rows = []
    for year, p in PENSION.items():
        avs = dict(p["avs"])
        af = dict(p["af"])
        posts = ["Ingående", "Nyintjänad pension", "Ränte- och basbeloppsuppräkning",
                 "Ändring av försäkringstekniska grunder", "Övrig post", "Pensionsutbetalningar"]  # fmt: skip
        for post in posts:
            a, f = avs.get(post), af.get(post)
            rows.append(f"{year};{post};{'' if a is None else a};{'' if f is None else f}")
        rows.append(f"{year};Utgående;{sum(avs.values())};{sum(af.values())}")
        rows.append(f"{year};Särskild löneskatt;{p['slr_avs']};{p['slr_af']}")
        rows.append(f"{year};Aktualiseringsgrad;{p['aktualiseringsgrad']};")
    csv(root / "data" / "pension.csv", "ar;post;avsattning_tkr;ansvarsforbindelse_tkr", rows)
    borgen = [
        f"{year};{namn};{kategori};{tkr}" for year, rows in BORGEN.items() for namn, kategori, tkr in rows
    ]
    csv(root / "data" / "borgen.csv", "ar;namn;kategori;belopp_tkr", borgen)
    csv(
        root / "data" / "kommuninvest.csv",
        "ar;totala_forpliktelser;totala_tillgangar;andelskapital;totalt_andelskapital",
        [
            "2023;552107000000;560381000000;9800000;11986000000",
            "2024;590312000000;598742000000;10400000;12652000000",
        ],
    )
    csv(
        root / "data" / "lan.csv",
        "ar;langivare;lan;belopp_tkr;ranta;forfallodag",
        (f"{y};{lg};{ln};{b};{r};{d}" for y, loans in LOANS.items() for lg, ln, b, r, d in loans),
    )
    csv(
        root / "data" / "leasing.csv",
        "ar;avtal;inom_1_ar;1_till_5_ar;senare_an_5_ar",
        [
            "2023;Personbilar hemtjänsten;1390000;2780000;0",
            "2023;Kopiatorer och skrivare;360000;540000;0",
            "2023;Servrar och nätverk;610000;1220000;0",
            "2024;Personbilar hemtjänsten;1450000;2900000;0",
            "2024;Kopiatorer och skrivare;380000;520000;0",
            "2024;Servrar och nätverk;640000;1600000;320000",
        ],
    )
    (root / "data" / "balanskrav.yaml").write_text(BALANSKRAV_YAML, encoding="utf-8")


BALANSKRAV_YAML = """\
# Fullmäktiges beslut om balanskravet. Balanskravsresultaten för 2022–2024 räknas ur
# huvudboken (2023 års fil bär 2022 som #RES -1); här står det huvudboken inte vet.
ar:
  2022:
    atgardsplan: >-
      Kommunfullmäktige beslutade 2023-04-24 § 38 om en åtgärdsplan: underskottet
      återställs under 2023 och 2024 genom återhållsamhet med nyanställningar, översyn av
      lokalbehovet och en budget med ett resultat på minst 0,8 procent av skatteintäkter
      och generella statsbidrag.
"""


# --- Totals for the tests ----------------------------------------------------------------------


def build_all() -> tuple[dict[int, Book], dict[str, dict[int, Book]]]:
    rng = random.Random(SEED)
    books: dict[int, Book] = {}
    opening = opening_2023()
    for year in (2023, 2024):
        books[year] = build_year(year, opening, rng)
        opening = {a: x // T for a, x in closing(books[year]).items()}
    flows = internal_flows(books)
    companies = {k: company_books(c, flows, rng) for k, c in COMPANIES.items()}
    return books, companies


def expected() -> dict[str, object]:
    """What the reports must show (tkr), from the plan and this generator's own bookkeeping."""
    books, _ = build_all()
    out: dict[str, object] = {}
    for year in (2023, 2024):
        out[f"rr_{year}"] = rr_lines(year_plan(year))
        bal = {a: x // T for a, x in closing(books[year]).items()}
        at_cut = books[year].at_cut
        cut = {a: x // T for a, x in at_cut.items() if a[0] in "12"}
        cut["2011"] += sum(x for a, x in at_cut.items() if a[0] not in "12") // T
        out[f"br_{year}"] = br_lines(bal)
        out[f"br_{year}_08"] = br_lines(cut)
        flows = books[year].flows_cut
        period_plan = {
            k: (-x if is_income(k[0]) else x) // T for k, x in flows.items() if k[0][0] in "345678"
        }
        out[f"rr_{year}_08"] = rr_lines(period_plan)
        out[f"namnd_{year}"] = {
            nd: sum(netto(year_plan(year), a) for a in ANSVAR if ANSVAR[a][3] == nd)
            for nd in (KS, BUN, SN, TN, KFN, MBN)
        }
        out[f"namnd_budget_{year}"] = {
            nd: sum(netto(budget_plan(year), a) for a in ANSVAR if ANSVAR[a][3] == nd)
            for nd in (KS, BUN, SN, TN, KFN, MBN)
        }
        p = PENSION[year]
        out[f"pension_{year}"] = {
            "avsattning_ub": sum(p["avs"].values()) + p["slr_avs"],
            "ansvarsforbindelse_ub": sum(p["af"].values()) + p["slr_af"],
        }
    out["rr_2022"] = rr_lines(year_plan(2022))
    out["balanskrav"] = {2022: RESULT[2022], 2023: RESULT[2023], 2024: RESULT[2024] - REALISATIONSVINST_2024}
    out["aterstallt"] = {"tidigare": RESULT[2023], "i_ar": -RESULT[2022] - RESULT[2023], "kvar": 0}
    per_ansvar, rr = prognos_2024()
    out["prognos_2024"] = {**rr, "arets_resultat": sum(rr.values())}
    out["namnd_prognos_2024"] = {
        nd: sum(per_ansvar[a] for a in ANSVAR if ANSVAR[a][3] == nd) for nd in (KS, BUN, SN, TN, KFN, MBN)
    }
    out["borgen_2024"] = sum(tkr for _, _, tkr in BORGEN[2024])
    out["lan_2024"] = sum(b for _, _, b, _, _ in LOANS[2024])
    out["koncern_internt_2024"] = internal_flows(books)[2024]
    out["verifikationer"] = {y: len(b.vouchers) for y, b in books.items()}
    return out


BR_OF = [  # (prefix, line): the kommun's accounts on the balance sheet lines
    ("11", "mark_byggnader"), ("12", "maskiner_inventarier"), ("13", "finansiella_anlaggningar"),
    ("14", "forrad"), ("15", "fordringar"), ("16", "fordringar"), ("17", "fordringar"),
    ("19", "kassa_och_bank"), ("20", "eget_kapital"), ("221", "avsattningar_pensioner"),
    ("22", "andra_avsattningar"), ("23", "langfristiga_skulder"), ("24", "kortfristiga_skulder"),
    ("27", "kortfristiga_skulder"), ("29", "kortfristiga_skulder"),
]  # fmt: skip


def br_lines(bal: dict[str, int]) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for account, x in bal.items():
        line = next(line for p, line in BR_OF if account.startswith(p))
        out[line] += x if account[0] == "1" else -x
    out["summa_tillgangar"] = sum(
        v for k, v in list(out.items()) if k in {ln for p, ln in BR_OF if p[0] == "1"}
    )
    return dict(out)


# --- Writing ---------------------------------------------------------------------------------------


def main() -> dict[str, object]:
    books, companies = build_all()
    b23, b24 = books[2023], books[2024]
    r22 = res_2022()
    ub22 = {a: x for a, x in b23.opening.items()}
    for root, cut in ((HERE, False), (DELAR, True)):
        ledger = root / "data" / "ledger"
        kommun_file(b23, ub22, r22, cut=False).write(ledger / "2023.se")
        kommun_file(b24, closing(b23), result_accounts(b23), cut=cut).write(ledger / "2024.se")
        write_plans(root, interim=cut)
    write_commitments(HERE)
    for key, c in COMPANIES.items():
        cb = companies[key]
        company_file(c, cb[2023], None, {}).write(HERE / "data" / "koncern" / f"{key}-2023.se")
        prev_res = {a: x for a, x in cb[2023].balance.items() if a[0] not in "12" and x}
        company_file(c, cb[2024], cb[2023], prev_res).write(HERE / "data" / "koncern" / f"{key}-2024.se")
    totals = expected()
    for year in (2023, 2024):
        rr = totals[f"rr_{year}"]
        assert isinstance(rr, dict)
        print(
            f"{year}: {len(books[year].vouchers)} verifikationer; resultaträkning (tkr): "
            + ", ".join(f"{k} {v}" for k, v in rr.items())
        )
    print("Balanskravsresultat (tkr):", totals["balanskrav"])
    print("Koncerninterna flöden 2024 (tkr):", totals["koncern_internt_2024"])
    return totals


if __name__ == "__main__":
    main()
