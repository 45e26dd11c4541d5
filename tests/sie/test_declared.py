"""A file's #OBJEKT records gathered in any order become its objects as a dict would keep them."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bokslut.sie.declared import DeclaredObjects
from bokslut.sie.model import OBJECT_SCHEMA, Object, object_table


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 3), st.sampled_from(["a", "b", "c", "ö", ""]), st.booleans()), max_size=30
    )
)
def test_declared_objects_keep_the_first_place_and_the_last_declaration(records):
    declared = DeclaredObjects()
    expected: dict[tuple[int, str], Object] = {}
    batch: list[Object] = []
    for line, (dim, obj, in_batch) in enumerate(records, start=1):
        o = Object(dim, obj, f"namn {line}", line)
        expected[(dim, obj)] = o
        if in_batch:
            batch.append(o)
        else:
            declared.add(dim, obj, o.name, line)
    declared.add_table(object_table(batch))
    got = declared.objects()
    assert got == tuple(expected.values())
    assert got.table.schema == OBJECT_SCHEMA
