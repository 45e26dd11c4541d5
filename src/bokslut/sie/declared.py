"""A file's #OBJEKT records gathered while reading, column by column.

The exact reader adds them one at a time; the compiled sweep of plain header lines
(:mod:`bokslut.sie.plainheader`) a batch at a time, as Arrow columns. Kept apart from both
so the exact reader needs no compiler.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bokslut.sie.model import OBJECT_SCHEMA, Objects, in_line_order


class DeclaredObjects:
    """#OBJEKT records in any order of adding, each with its line; :meth:`objects` gives
    what a dict keyed by (dimension, id) filled in file order gives: each object in the
    place of its first declaration, with the name and line of its last."""

    def __init__(self) -> None:
        # Set by a reader that knows no (dimension, id) came twice in the tables added.
        self.distinct_tables = False
        self.dims: list[int] = []
        self.ids: list[str] = []
        self.names: list[str] = []
        self.lines: list[int] = []
        self.tables: list[pa.Table] = []

    def add(self, dim: int, obj: str, name: str, line: int) -> None:
        self.dims.append(dim)
        self.ids.append(obj)
        self.names.append(name)
        self.lines.append(line)

    def add_table(self, table: pa.Table) -> None:
        """Records as :data:`OBJECT_SCHEMA`'s columns."""
        if table.num_rows:
            self.tables.append(table)

    def objects(self) -> Objects:
        parts = list(self.tables)
        if self.lines:
            columns = {"dim": self.dims, "obj": self.ids, "name": self.names, "line": self.lines}
            parts.append(pa.table(columns, schema=OBJECT_SCHEMA))
        if not parts:
            return Objects(OBJECT_SCHEMA.empty_table())
        table = pa.concat_tables(parts).combine_chunks() if len(parts) > 1 else parts[0]
        table = in_line_order(table)
        if self.distinct_tables and not self.lines:
            return Objects(table)
        # Codes in the order of first appearance: code c is the c-th object declared.
        key = pc.binary_join_element_wise(pc.cast(table["dim"], pa.string()), table["obj"], "\x00")
        encoded = key.combine_chunks().dictionary_encode()
        if len(encoded.dictionary) == table.num_rows:
            return Objects(table)
        # Declared again: the first declaration's place, the last one's name and line.
        codes = encoded.indices.to_numpy()
        last = np.zeros(len(encoded.dictionary), np.int64)
        np.maximum.at(last, codes, np.arange(codes.size, dtype=np.int64))
        return Objects(table.take(pa.array(last)).combine_chunks())
