"""The ledger store: SIE files in data/ledger indexed in DuckDB (see schema.sql)."""
