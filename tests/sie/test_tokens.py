"""The token rules of spec §5, as real files use them."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bokslut.sie.tokens import Field, ObjectList, TokenError, by_character, content, tokenize


def texts(line: str) -> list[object]:
    out: list[object] = []
    for t in tokenize(line):
        out.append([f.text for f in t.items] if isinstance(t, ObjectList) else t.text)
    return out


def test_runs_of_spaces_and_tabs_separate_fields():
    assert texts("#RES -1 8314      -321") == ["#RES", "-1", "8314", "-321"]
    assert texts("#TRANS\t1930\t{}\t-100.00\t") == ["#TRANS", "1930", [], "-100.00"]


def test_quoted_fields_keep_spaces_and_escaped_quotes():
    assert texts('#KONTO 1915 "Kassa \\"special\\""') == ["#KONTO", "1915", 'Kassa "special"']


def test_backslash_before_anything_but_a_quote_is_literal():
    assert texts(r'#FNR "C:\ProgramData\SPCS"') == ["#FNR", r"C:\ProgramData\SPCS"]


def test_empty_quoted_field():
    assert texts('#VER "" "" 20080101 "Porto"') == ["#VER", "", "", "20080101", "Porto"]


@pytest.mark.parametrize(
    "line, objects",
    [
        ("#TRANS 1 {} 0", []),
        ("#TRANS 1 { } 0", []),
        ('#TRANS 1 {1 "0123"} 0', ["1", "0123"]),
        ('#TRANS 1 {"1" "456" "7" "47"} 0', ["1", "456", "7", "47"]),
        ('#TRANS 1 { "1" "1"} 0', ["1", "1"]),
        ('#TRANS 1 {1 "2"\t10 "12"} 0', ["1", "2", "10", "12"]),
        ("#TRANS 1 {1 Nord 61 0036} 0", ["1", "Nord", "61", "0036"]),
    ],
)
def test_object_lists_in_all_shapes_real_files_use(line, objects):
    assert texts(line)[2] == objects


def test_hash_inside_quotes_is_not_a_new_record():
    assert texts('#VER A 1 20210101 "x" 20210101 "#1 Anders Engman"')[-1] == "#1 Anders Engman"


@pytest.mark.parametrize(
    "line, message",
    [
        ('#KONTO 1930 "Bank', "citattecken som inte avslutas"),
        ('#TRANS 1930 {1 "2" -100', "stängs aldrig"),
    ],
)
def test_broken_lines_raise_token_errors(line, message):
    with pytest.raises(TokenError, match=message):
        tokenize(line)


def test_ksumma_content_drops_quotes_and_braces():
    toks = tokenize('#TRANS 1930 {1 "100"} -100.00')
    assert "".join(content(t) for t in toks) == "#TRANS19301100-100.00"


@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc"))), max_size=6))
def test_quoted_fields_round_trip(values):
    line = "#X " + " ".join('"' + v.replace('"', '\\"') + '"' for v in values)
    if any(v.endswith("\\") for v in values):
        return  # a trailing backslash before the closing quote is an escape by the spec
    assert [t.text for t in tokenize(line)[1:] if isinstance(t, Field)] == values


# Characters that change how a line splits: every one of them next to every other.
_TRICKY = st.text(alphabet=' \t"{}\\ab1#\x01\x7få', max_size=30)


@settings(max_examples=2000)
@given(_TRICKY)
def test_the_pattern_split_gives_what_the_character_walk_gives(line):
    try:
        expected = by_character(line)
    except TokenError as exc:
        with pytest.raises(TokenError, match=str(exc)):
            tokenize(line)
        return
    assert tokenize(line) == expected


def test_common_header_lines_split_into_their_fields():
    assert texts('#OBJEKT 1 "A00017" "Ansvar 17 för Älvdalen"') == [
        "#OBJEKT",
        "1",
        "A00017",
        "Ansvar 17 för Älvdalen",
    ]
    assert texts('#PSALDO 0 202301 3010 {1 "A1" 6 P7} -5.00') == [
        "#PSALDO",
        "0",
        "202301",
        "3010",
        ["1", "A1", "6", "P7"],
        "-5.00",
    ]


def test_a_long_object_list_that_never_closes_is_refused_at_once():
    # Found by fuzzing: a pattern that could split a bare id anywhere tried every split
    # (2^n of them) before giving up on the line.
    line = "#TRANS 1930 {1 " + "a" * 3000 + " 5"
    with pytest.raises(TokenError, match="stängs aldrig"):
        tokenize(line)
    assert texts("#TRANS 1930 {1 " + "a" * 3000 + "} 5")[2] == ["1", "a" * 3000]
