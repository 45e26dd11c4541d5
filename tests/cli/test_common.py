"""What every command prints about findings."""

from __future__ import annotations

from bokslut.cli.common import print_findings
from bokslut.diagnostics import error


def test_a_control_character_quoted_from_the_data_never_reaches_the_terminal(capsys):
    print_findings([error("okänt konto '\x1b[2J3010\u202e'", file="data/budget/b.csv", line=4)])
    err = capsys.readouterr().err
    assert err == "data/budget/b.csv:4: fel: okänt konto '\\x1b[2J3010\\u202e'\n"
