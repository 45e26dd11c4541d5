"""The composed chapters as the web's HTML: every figure links to its drill-down page."""

from __future__ import annotations

from bokslut.web.engine import ReportCache, compose_chapters
from bokslut.web.report_html import chapters_html, drill_href
from bokslut.workspace.layout import Layout

TEXT = (
    "# Resultat\n\nÅrets resultat: {{ v.arets_resultat | tkr }}. "
    'Kostnaderna: {{ cell("resultatrakning", "verksamhetens_kostnader", "utfall") | tkr }}.\n\n'
    '{{ tabell("resultatrakning") }}\n\n{{ noter() }}\n'
)


def test_table_cells_and_figures_in_the_text_link_to_their_drill_down(workspace):
    layout = Layout(workspace)
    snapshot = ReportCache(layout).get()
    doc = compose_chapters(snapshot, layout, [("text/x.md", TEXT)]).document
    assert doc is not None
    page = chapters_html(doc, snapshot.data)
    assert page.startswith('<section class="kapitel">') and page.endswith("</section>")
    costs = drill_href("resultatrakning", "verksamhetens_kostnader", "utfall")
    assert (
        f'Kostnaderna: <a class="harled" href="{costs}"><span class="siffra" '
        'data-ref="cell:resultatrakning/verksamhetens_kostnader/utfall">−31\u00a0822\u00a0tkr</span></a>.'
    ) in page
    # A named value links to the cell it is taken from.
    assert (
        '<p>Årets resultat: <a class="harled" href="/harled/resultatrakning/arets_resultat/utfall">'
        '<span class="siffra" data-ref="v.arets_resultat">1\u00a0376\u00a0tkr</span></a>.'
    ) in page
    assert f'<a class="harled" href="{costs}">−31\u00a0822</a>' in page  # the table's cell
    assert "harled" not in chapters_html(doc, None)  # without the data: the same text, no links


def test_names_in_a_link_are_quoted():
    assert drill_href("t", "a/b c", "ut?fall") == "/harled/t/a%2Fb%20c/ut%3Ffall"
