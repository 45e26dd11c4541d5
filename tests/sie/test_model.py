"""A file's objects as columns, read as a sequence of Object."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from bokslut.sie.model import OBJECT_SCHEMA, Object, Objects, object_table


def test_objects_are_a_sequence_of_object():
    table = pa.table(
        {"dim": [1, 6], "obj": ["A", "P"], "name": ["Ansvar", ""], "line": np.array([3, 4])},
        schema=OBJECT_SCHEMA,
    )
    objects = Objects(table)
    assert len(objects) == 2
    assert objects[-1] == Object(6, "P", "", 4)
    assert objects[:1] == (Object(1, "A", "Ansvar", 3),)
    assert objects == (Object(1, "A", "Ansvar", 3), Object(6, "P", "", 4)) == Objects(table)
    assert objects != (Object(1, "A", "Ansvar", 3),)
    assert object_table(list(objects)).equals(table)
    with pytest.raises(IndexError):
        objects[2]
