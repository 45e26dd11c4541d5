"""A chapter is untrusted code: each way to exhaust or escape the sandbox ends in a finding."""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path

import pytest

from bokslut.compose.chapters import compose
from bokslut.diagnostics import BokslutError
from bokslut.document import Figure, Paragraph
from bokslut.report_data import ReportData

NBSP = "\u00a0"
_path = Path(__file__).resolve().parents[1] / "render" / "sample_report.py"
_spec = importlib.util.spec_from_file_location("bokslut_sample_report_sandbox", _path)
sample = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(sample)
DATA = ReportData.merge(sample.parts())


def build(text):
    return compose([("text/01.md", text)], DATA, sample.title_page())


def errors(text):
    with pytest.raises(BokslutError) as info:
        build(text)
    return [f.format() for f in info.value.findings]


def figures(doc):
    return [
        r for b in doc.chapters[0].blocks if isinstance(b, Paragraph) for r in b.runs if isinstance(r, Figure)
    ]


def quick_error(text):
    # Processor time, not wall time: the point is that the limit stops the work long before
    # it would finish, and a loaded test machine must not make that look like a failure.
    start = time.process_time()
    found = errors(text)
    assert time.process_time() - start < 5
    return found


def test_a_huge_string_is_refused_with_file_and_line():
    (found,) = quick_error("Rubrik\n\n{{ 'x' * 10**10 }}")
    assert found.startswith("text/01.md:3: fel: uttrycket bygger en text eller lista som är för lång")


def test_two_nested_range_loops_stop_at_the_work_budget():
    (found,) = quick_error(
        "a\n\n{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
    )
    assert found.startswith("text/01.md:3: fel: kapitlet gör för mycket arbete")


def test_a_recursive_macro_is_a_finding():
    (found,) = quick_error("{% macro m(n) %}{{ m(n + 1) }}{% endmacro %}\n\n{{ m(1) }}")
    assert found.startswith("text/01.md:")
    assert "anropar sig självt" in found


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "{% set s = namespace(t='x') %}{% for i in range(60) %}{% set s.t = s.t ~ s.t %}{% endfor %}",
            "för lång",
        ),
        ("{{ 'x' | center(10**10) }}", "för stort tal"),
        ("{% set a = 'x' * 1000000 %}{{ a | replace('x', a) }}", "för lång"),
        ("{{ '%0999999999d' % 1 }}", "så stor bredd"),
        (
            "{% macro m() %}"
            + "y" * 100_000
            + "{% endmacro %}{% for i in range(100000) %}{{ m() }}{% endfor %}",
            "för stort",
        ),
        ("{% for i in range(100000) %}" + "z" * 1000 + "{% endfor %}", "för stort"),
        ("{{ lipsum(10**9) }}", "'lipsum' finns inte"),
        ("{{ range(10) | slice(10**7) | list }}", "för stort tal"),
    ],
)
def test_other_ways_to_exhaust_memory_or_time_end_quickly(text, message):
    (found,) = quick_error(text)
    assert found.startswith("text/01.md:1: fel:") and message in found


@pytest.mark.parametrize(
    "text",
    [
        "{{ v.arets_resultat.exact }}",
        "{{ v.arets_resultat['exact'] }}",
        "{{ v.arets_resultat | attr('exact') }}",
        "{{ v.arets_resultat | string }}",
        "{{ v.arets_resultat ~ '' }}",
        "{{ '%s' % v.arets_resultat }}",
        "{{ '%s' | format(v.arets_resultat) }}",
        "{{ v.arets_resultat | pprint }}",
        "{{ v.arets_resultat | tojson }}",
        "{{ v.orgnamn.upper() }}",
        "{{ v.__class__ }}",
    ],
)
def test_a_figure_shows_only_through_its_filters_never_unrounded(text):
    try:
        doc = build(text)
    except BokslutError as exc:  # the refusal is what we want; no digits leak into it
        shown = " ".join(f.format() for f in exc.findings)
        assert shown.startswith("text/01.md:1: fel:")
    else:
        shown = repr(doc.chapters)
    assert "1375823" not in shown and "Decimal" not in shown


def test_exact_gives_a_swedish_message_naming_the_attribute():
    (found,) = errors("Resultat\n{{ v.arets_resultat.exact }}")
    assert found.startswith("text/01.md:2: fel: '.exact' går inte att läsa i ett kapitel")


def test_loops_and_namespaces_still_work_within_the_limits():
    doc = build(
        "{% set n = namespace(sum=0) %}{% for i in range(1, 4) %}{{ loop.index }}{% set n.sum = n.sum + i %}"
        "{% endfor %} {{ n.sum }} {{ v.arets_resultat | tkr }}"
    )
    assert doc.chapters[0].blocks[0].runs[0].text == "123 6 "
    assert figures(doc)[0].text == f"1{NBSP}376{NBSP}tkr"


@pytest.mark.parametrize("src", ["../../etc/passwd", "/etc/passwd", "https://example.org/x.png"])
def test_an_image_outside_the_workspace_is_refused(src):
    (found,) = errors(f"Text\n\n![Lösenord]({src})")
    assert found.startswith("text/01.md:3: fel: bilden")
    assert "utanför arbetsytan" in found


def test_an_image_inside_the_workspace_keeps_its_alt_text_and_reads_no_file():
    doc = build("![Förbundets logga](../bilder/logga.png)")
    assert doc.chapters[0].blocks[0].runs[0].text == "Förbundets logga"


def test_a_file_url_is_not_even_an_image_it_stays_visible_text():
    doc = build("![Lösenord](file:///etc/passwd)")
    assert doc.chapters[0].blocks[0].runs[0].text == "![Lösenord](file:///etc/passwd)"


def test_blocks_nested_beyond_what_python_compiles_are_a_finding():
    (found,) = quick_error("{% if true %}" * 200 + "x" + "{% endif %}" * 200)
    assert found == "text/01.md: fel: kapitlet har för många {% if %} eller {% for %} inuti varandra"


def test_an_expression_nested_too_deep_to_parse_is_a_finding_naming_the_chapter():
    (found,) = quick_error("{{ " + "(" * 50_000 + "1" + ")" * 50_000 + " }}")
    assert found.startswith("text/01.md: fel: uttrycket är för djupt nästlat")


@pytest.mark.parametrize(
    "text, message",
    [
        ('{% include "/etc/passwd" %}', "{% include %}, {% import %} och {% extends %} finns inte i kapitel"),
        (
            '{% extends "../../etc/passwd" %}',
            "{% include %}, {% import %} och {% extends %} finns inte i kapitel",
        ),
        ("{{ range(10**6) | list }}", f"range() får ge högst 100{NBSP}000 tal"),
    ],
)
def test_other_files_and_huge_ranges_are_refused_in_swedish(text, message):
    (found,) = errors(text)
    assert found.startswith(f"text/01.md:1: fel: {message}")


def test_a_chapter_that_runs_past_the_time_limit_is_stopped(monkeypatch):
    import bokslut.compose.sandbox as sandbox

    monkeypatch.setattr(sandbox, "MAX_SECONDS", 0.0)
    (found,) = errors("a\n{% for i in range(1000) %}{% endfor %}")
    assert found == "text/01.md:2: fel: kapitlet tar för lång tid att räkna ut (mer än 0 sekunder)"
    monkeypatch.setattr(sandbox, "MAX_SECONDS", 10.0)
    assert build("{% for i in range(1000) %}{% endfor %}ok").chapters[0].blocks[0].runs[0].text == "ok"
