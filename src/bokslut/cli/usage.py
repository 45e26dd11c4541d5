"""Usage errors in Swedish: every message click can give about a command line, translated.

click builds its messages from English templates (types.py, parser.py, core.py,
exceptions.py in click 8.5). The exception's class says what went wrong; the
text carries the details (the value, the choices, the range), so the templates
are matched here and their details put into Swedish sentences. A message that
matches no template is one of ours, already Swedish, and is passed through.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable

import click

_NUMBER_TYPES = {
    "integer": "ett heltal",
    "integer range": "ett heltal",
    "float": "ett tal",
    "float range": "ett tal",
    "boolean": "ja eller nej",
    "UUID": "ett UUID",
}

_DATE_PARTS = {"%Y": "ÅÅÅÅ", "%m": "MM", "%d": "DD", "%H": "TT", "%M": "MM", "%S": "SS"}

_PATH_KINDS = {"File": "filen", "Directory": "mappen", "Path": "sökvägen"}
_ACCESS = {
    "readable": "går inte att läsa",
    "writable": "går inte att skriva",
    "executable": "går inte att köra",
}


def _date_format(fmt: str) -> str:
    for code, shown in _DATE_PARTS.items():
        fmt = fmt.replace(code, shown)
    return fmt


def _range(text: str) -> str:
    """click's range notation ("1900<=x<=2200", "x>=1") in words."""
    m = re.fullmatch(r"(?:(.+?)(<=?))?x(?:(<=?|>=?)(.+))?", text)
    if not m:
        return text
    low, low_op, op, high = m.groups()
    if low is not None and high is not None:
        if low_op == "<=" and op == "<=":
            return f"från {low} till och med {high}"
        return f"mellan {low} och {high}" + (" (gränserna ej medräknade)" if low_op == "<" else "")
    words = {">=": "minst", ">": "större än", "<=": "högst", "<": "mindre än"}
    return f"{words.get(op or '', op or '')} {high}"


def _or_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " eller " + items[-1]


def _values(text: str) -> list[str]:
    # click lists choices and formats as reprs: "'a', 'b', 'c'".
    return [v.strip() for v in text.split(",") if v.strip()]


# (template as a regular expression, Swedish sentence from its groups), tried in order.
_Rule = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]
_RULES: list[_Rule] = [
    # types.py
    (
        re.compile(r"(?P<v>.+) is not one of (?P<c>.+)\.", re.S),
        lambda m: f"{m['v']} är inte ett tillåtet värde; välj {_or_list(_values(m['c']))}",
    ),
    (
        re.compile(r"(?P<v>.+) is not (?P<c>'[^']*')\.", re.S),
        lambda m: f"{m['v']} är inte ett tillåtet värde; det enda tillåtna är {m['c']}",
    ),
    (
        re.compile(r"(?P<v>.+) does not match the formats? (?P<f>.+)\.", re.S),
        lambda m: f"{m['v']} ska skrivas {_or_list([_date_format(f) for f in _values(m['f'])])}",
    ),
    (
        re.compile(r"(?P<v>.+) is not a valid boolean\. Recognized values: (?P<s>.+)", re.S),
        lambda m: f"{m['v']} ska vara ja eller nej (1/0, true/false, yes/no)",
    ),
    (
        re.compile(r"(?P<v>.+) is not a valid (?P<t>[\w ]+)\.", re.S),
        lambda m: f"{m['v']} är inte {_NUMBER_TYPES.get(m['t'], 'ett giltigt värde')}",
    ),
    (
        re.compile(r"(?P<v>.+) is not in the range (?P<r>.+)\.", re.S),
        lambda m: f"{m['v']} ska vara {_range(m['r'])}",
    ),
    (
        re.compile(r"(?P<k>File|Directory|Path) (?P<f>.+) does not exist\.", re.S),
        lambda m: f"{_PATH_KINDS[m['k']]} {m['f']} finns inte",
    ),
    (
        re.compile(r"(?P<k>File|Directory|Path) (?P<f>.+) is a file\.", re.S),
        lambda m: f"{m['f']} är en fil, här behövs en mapp",
    ),
    (
        re.compile(r"(?P<k>File|Directory|Path) (?P<f>.+) is a directory\.", re.S),
        lambda m: f"{m['f']} är en mapp, här behövs en fil",
    ),
    (
        re.compile(
            r"(?P<k>File|Directory|Path) (?P<f>.+) is not (?P<a>readable|writable|executable)\.", re.S
        ),
        lambda m: f"{_PATH_KINDS[m['k']]} {m['f']} {_ACCESS[m['a']]} (behörighet saknas)",
    ),
    (
        re.compile(r"(?P<n>\d+) values are required, but (?P<g>\d+) (?:was|were) given\.", re.S),
        lambda m: f"{m['n']} värden behövs, men {m['g']} angavs",
    ),
    (
        re.compile(r"Takes (?P<n>\d+) values but (?P<g>\d+) (?:was|were) given\.", re.S),
        lambda m: f"{m['n']} värden behövs, men {m['g']} angavs",
    ),
    (re.compile(r"Value must be an iterable\."), lambda m: "värdet ska vara en lista"),
    # parser.py
    (
        re.compile(r"Option (?P<o>'[^']+') requires an argument\."),
        lambda m: f"flaggan {m['o']} behöver ett värde",
    ),
    (
        re.compile(r"Option (?P<o>'[^']+') requires (?P<n>\d+) arguments\."),
        lambda m: f"flaggan {m['o']} behöver {m['n']} värden",
    ),
    (
        re.compile(r"Option (?P<o>'[^']+') does not take a value\."),
        lambda m: f"flaggan {m['o']} tar inget värde",
    ),
    (
        re.compile(r"Argument (?P<a>'[^']+') takes (?P<n>\d+) values\."),
        lambda m: f"argumentet {m['a']} tar {m['n']} värden",
    ),
    (
        re.compile(r"Invalid start character for option \((?P<o>.*)\)"),
        lambda m: f"ogiltigt första tecken i flaggan {m['o']}",
    ),
    # core.py and exceptions.py
    (
        re.compile(r"Got unexpected extra arguments? \((?P<a>.*)\)", re.S),
        lambda m: f"för många argument: {m['a']}",
    ),
    (re.compile(r"Missing command\."), lambda m: "saknar kommando"),
    (re.compile(r"No such command (?P<c>.+)\."), lambda m: f"okänt kommando: {m['c']}"),
    (re.compile(r"No such option (?P<o>.+)\."), lambda m: f"okänd flagga: {m['o']}"),
    (re.compile(r"Missing parameter: (?P<p>.+)"), lambda m: f"saknar {m['p']}"),
    (re.compile(r"Missing (?:argument|option|parameter)\.?"), lambda m: "saknar ett värde"),
    (
        re.compile(r"Could not open file (?P<f>.+?): .*", re.S),
        lambda m: f"filen {m['f']} kunde inte öppnas; kontrollera sökvägen och behörigheten",
    ),
    (re.compile(r"unknown error"), lambda m: "okänt fel"),
]


def translate(text: str) -> str:
    """click's English message in Swedish; a message that is not click's comes back as it is."""
    text = text.strip()
    for pattern, swedish in _RULES:
        m = pattern.fullmatch(text)
        if m:
            return swedish(m)
    return text


def param_name(param: click.Parameter | None) -> str:
    """How the user wrote the parameter: its longest flag, or an argument's metavar."""
    if param is None:
        return "värdet"
    if isinstance(param, click.Option):
        return max(param.opts, key=len)
    return param.human_readable_name


def _suggestions(possibilities: list[str] | None) -> str:
    if not possibilities:
        return ""
    return f" (menade du {_or_list(sorted(possibilities))}?)"


def usage_message(exc: click.UsageError) -> str:
    """The Swedish sentence for a usage error (without the command name and help hint)."""
    if isinstance(exc, click.MissingParameter):
        if exc.param is None:
            return "saknar ett värde"
        if isinstance(exc.param, click.Option):
            return f"saknar flaggan {param_name(exc.param)}"
        return f"saknar argumentet {param_name(exc.param)}"
    if isinstance(exc, click.NoSuchOption):
        return f"okänd flagga: {exc.option_name}{_suggestions(exc.possibilities)}"
    if isinstance(exc, click.exceptions.NoSuchCommand):
        possible = exc.possibilities
        if not possible and exc.ctx is not None and isinstance(exc.ctx.command, click.Group):
            possible = difflib.get_close_matches(exc.command_name, exc.ctx.command.list_commands(exc.ctx))
        return f"okänt kommando: {exc.command_name}{_suggestions(possible)}"
    if isinstance(exc, click.BadParameter):
        hint = exc.param_hint if isinstance(exc.param_hint, str) else param_name(exc.param)
        return f"ogiltigt värde för {hint}: {translate(exc.message)}"
    return translate(exc.message)


def is_help_request(exc: click.UsageError) -> bool:
    """A group run without a command: click shows its help, which is already Swedish."""
    return isinstance(exc, click.exceptions.NoArgsIsHelpError)
