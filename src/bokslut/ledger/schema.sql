-- The ledger store (DuckDB) under .bokslut/ledger-N.duckdb (N: its generation). Derived from data/ledger/*.se:
-- deleting it loses nothing. Money is integer öre (BIGINT), debit positive, credit negative,
-- exactly as in SIE. Every record keeps the file and line it came from.
--
-- fiscal_year = the calendar year in which the fiscal year starts (2023 for 20230101–20231231,
-- 2009 for 20090701–20100630); year_start/year_end are the exact dates.

CREATE TABLE source_file (
    file_id      INTEGER PRIMARY KEY,
    path         VARCHAR NOT NULL,      -- relative to the workspace, e.g. data/ledger/2023.se
    digest       VARCHAR NOT NULL,
    size         BIGINT NOT NULL,
    program      VARCHAR,
    program_version VARCHAR,
    sietyp       VARCHAR,               -- '1' '2' '3' '4E' '4I'
    encoding     VARCHAR NOT NULL,      -- cp437 | utf-8 | cp1252
    orgnr        VARCHAR,
    company      VARCHAR,               -- #FNAMN
    currency     VARCHAR,               -- #VALUTA (SEK when absent)
    generated    DATE,                  -- #GEN
    omfattn      DATE,                  -- #OMFATTN
    fiscal_year  INTEGER,               -- of #RAR 0 (for a 4I file: the year its vouchers fall in)
    mtime_ns     BIGINT NOT NULL,       -- with size: a cheap test for "changed since indexed"
    year_start   DATE,
    year_end     DATE
);

-- #RAR: every fiscal year a file describes (0 = its own year, -1 the year before, …).
CREATE TABLE fiscal_year (
    file_id INTEGER NOT NULL,
    year_index INTEGER NOT NULL,
    fiscal_year INTEGER NOT NULL,
    year_start DATE NOT NULL,
    year_end DATE NOT NULL
);

-- #KONTO/#KTYP/#ENHET/#SRU, #DIM/#UNDERDIM, #OBJEKT per file; the *_latest views give each
-- account/dimension/object as the newest file (highest fiscal_year) declares it.
CREATE TABLE account (
    file_id  INTEGER NOT NULL,
    account  VARCHAR NOT NULL,          -- account numbers are strings: "3010", "60150", "797199"
    name     VARCHAR,
    ktyp     VARCHAR,                   -- T S K I as declared (NULL when the file omits #KTYP)
    unit     VARCHAR,
    sru      VARCHAR,                   -- comma-separated when several
    line     INTEGER NOT NULL
);

CREATE TABLE dimension (
    file_id INTEGER NOT NULL,
    dim     INTEGER NOT NULL,
    name    VARCHAR,
    parent  INTEGER,                    -- #UNDERDIM's super dimension
    line    INTEGER NOT NULL
);

CREATE TABLE object (
    file_id INTEGER NOT NULL,
    dim   INTEGER NOT NULL,
    obj   VARCHAR NOT NULL,             -- object ids are strings (leading zeros kept)
    name  VARCHAR,
    line  INTEGER NOT NULL
);

-- #IB #UB #RES (objects = '') and #OIB #OUB (one row per object pair, objects = "dim:obj|dim:obj").
CREATE TABLE balance (
    file_id     INTEGER NOT NULL,
    kind        VARCHAR NOT NULL,       -- IB UB RES OIB OUB
    year_index  INTEGER NOT NULL,
    fiscal_year INTEGER NOT NULL,
    account     VARCHAR NOT NULL,
    objects     VARCHAR NOT NULL,       -- '' for the account total; else canonical "1:81141|6:P1"
    amount      BIGINT NOT NULL,        -- öre
    quantity    DECIMAL(24,6),
    line        INTEGER NOT NULL
);

-- #PSALDO (kind 'PSALDO') and #PBUDGET (kind 'PBUDGET'): the change in one month.
CREATE TABLE period_balance (
    file_id     INTEGER NOT NULL,
    kind        VARCHAR NOT NULL,
    year_index  INTEGER NOT NULL,
    fiscal_year INTEGER NOT NULL,
    period      INTEGER NOT NULL,       -- YYYYMM
    account     VARCHAR NOT NULL,
    objects     VARCHAR NOT NULL,       -- '' or canonical "dim:obj|dim:obj"
    amount      BIGINT NOT NULL,
    quantity    DECIMAL(24,6),
    line        INTEGER NOT NULL
);

-- Query the view "voucher"; like the rows below, vouchers are kept in Parquet (.bokslut/rows/).
CREATE TABLE voucher_base (
    file_id     INTEGER NOT NULL,
    voucher_id  BIGINT NOT NULL,        -- unique across the store
    fiscal_year INTEGER,                -- of the file's #RAR 0
    series      VARCHAR NOT NULL,       -- '' when the file leaves it empty (4I)
    number      VARCHAR NOT NULL,
    date        DATE NOT NULL,
    text        VARCHAR NOT NULL,
    regdate     DATE,
    sign        VARCHAR,
    line        INTEGER NOT NULL
);

-- #TRANS rows (kind 'TRANS') count in balances. #RTRANS rows are kept as history with
-- kind 'RTRANS' (their #TRANS twin is the counted row) and #BTRANS as 'BTRANS' (struck rows,
-- never counted). So: SUM(amount) WHERE kind = 'TRANS' is the ledger effect, counted once.
--
-- Query the view "transaction". Its rows are kept column-wise in one Parquet file per ledger
-- file (.bokslut/rows/), which DuckDB reads as fast as its own tables and which is written
-- several times faster than inserting millions of rows; this empty table gives the view its
-- column types (store.py creates the view on every connection).
CREATE TABLE transaction_base (
    file_id     INTEGER NOT NULL,
    voucher_id  BIGINT NOT NULL,
    row_no      INTEGER NOT NULL,       -- position inside the voucher, from 0
    kind        VARCHAR NOT NULL,       -- TRANS RTRANS BTRANS
    account     VARCHAR NOT NULL,
    amount      BIGINT NOT NULL,        -- öre
    date        DATE NOT NULL,          -- transdat, or the voucher date when empty
    text        VARCHAR,                -- transtext, NULL when empty or given by text_at
    quantity    DECIMAL(24,6),
    sign        VARCHAR,
    objects     VARCHAR NOT NULL,       -- '' or canonical "dim:obj|dim:obj" (dims ascending;
                                        -- "\", "|" and ":" in an object id are escaped with "\")
    line        INTEGER NOT NULL,
    -- A large (streamed) file's rows leave text NULL and say where it stands in the ledger
    -- file, kept byte for byte in data/ledger: the offset of its first byte (an opening quote
    -- if quoted) and its length there, 0 for none. ledger/texts.py reads it from there.
    text_at     BIGINT,
    text_len    INTEGER
);

-- Each ledger file's Parquet files as they were written: store.py compares them with what is
-- on disk (size, mtime, inode, ctime and a digest of both ends, see rowfiles.py) every time it
-- opens, and every byte (crc32) when a report is built, and re-indexes a ledger file whose
-- rows file is missing, damaged or was not written here.
CREATE TABLE rows_check (
    file_id  INTEGER NOT NULL,
    name     VARCHAR NOT NULL,          -- file name under .bokslut/rows/
    size     BIGINT NOT NULL,
    mtime_ns BIGINT NOT NULL,
    ino      UBIGINT NOT NULL,
    ctime_ns BIGINT NOT NULL,
    digest   VARCHAR NOT NULL,          -- blake2b of the first and last 64 KiB
    crc32    BIGINT NOT NULL            -- of the whole file
);

CREATE VIEW account_latest AS
    SELECT a.account, a.name, a.ktyp, a.unit, a.sru
    FROM account a JOIN source_file f USING (file_id)
    QUALIFY row_number() OVER (PARTITION BY a.account ORDER BY f.fiscal_year DESC NULLS LAST, f.file_id DESC) = 1;

CREATE VIEW dimension_latest AS
    SELECT d.dim, d.name, d.parent
    FROM dimension d JOIN source_file f USING (file_id)
    QUALIFY row_number() OVER (PARTITION BY d.dim ORDER BY f.fiscal_year DESC NULLS LAST, f.file_id DESC) = 1;

CREATE VIEW object_latest AS
    SELECT o.dim, o.obj, o.name
    FROM object o JOIN source_file f USING (file_id)
    QUALIFY row_number() OVER (PARTITION BY o.dim, o.obj ORDER BY f.fiscal_year DESC NULLS LAST, f.file_id DESC) = 1;
