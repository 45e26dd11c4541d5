"""Settings texts with {fields}: only the documented fields, never Python's format machinery."""

import pytest

from bokslut.fieldformat import FieldFormatError, check_fields, format_fields


def test_documented_fields_are_substituted():
    assert format_fields("{kod} {namn}", kod="81141", namn="IT") == "81141 IT"
    assert format_fields("{namn} ({kod})", kod="81141", namn="IT") == "IT (81141)"
    assert format_fields("Verksamhet {{{kod}}}", kod="1", namn="") == "Verksamhet {1}"


@pytest.mark.parametrize(
    "template, shown",
    [
        ("{kod.__class__.__mro__}", "{kod.__class__.__mro__}"),
        ("{kod} {foo}", "{foo}"),
        ("{kod[0]}", "{kod[0]}"),
        ("{kod!r}", "{kod!r}"),
        ("{kod:>999999999}", "{kod:>999999999}"),
        ("{}", "{}"),
    ],
)
def test_anything_else_is_a_swedish_error_naming_the_field(template, shown):
    with pytest.raises(FieldFormatError) as info:
        check_fields(template, ("kod", "namn"))
    assert str(info.value) == f"innehåller {shown}, som inte är tillåtet; tillåtna fält: {{kod}}, {{namn}}"


def test_unbalanced_braces_are_explained():
    with pytest.raises(FieldFormatError, match="klamrarna"):
        format_fields("{kod} {namn", kod="1", namn="IT")
