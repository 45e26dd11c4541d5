from dataclasses import replace
from decimal import Decimal

from lxml import etree

from bokslut.document import Chart, ChartKind, Series
from bokslut.render.charts import chart_png, chart_svg, charts_png
from bokslut.table import Rounded, Table


def test_bar_chart_svg_has_one_bar_per_value_and_alt_title(doc):
    chart = doc.charts()[0]
    svg = etree.fromstring(chart_svg(chart).encode())
    ns = {"s": "http://www.w3.org/2000/svg"}
    assert svg.find("s:title", ns).text == chart.alt
    bars = [r for r in svg.findall("s:rect", ns) if r.get("fill") != "#ffffff" and r.get("width") != "12"]
    assert len(bars) == len(chart.categories) * len(chart.series)
    assert chart.series[1].values[1] == Decimal(-268)  # Kundtjänst utfall as the table shows it


def test_chart_numbers_equal_the_source_tables_shown_numbers(doc):
    chart = doc.charts()[0]
    drift = doc.tables["driftredovisning"]
    assert chart.series[0].values[0] == drift.get("it", "budget_2023")
    assert chart.data.get("c0", "s1") == drift.get("it", "utfall_2023")


def test_chart_png_is_rendered_without_system_fonts(doc):
    png = chart_png(doc.charts()[1])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert chart_png(doc.charts()[1]) == png


def test_charts_drawn_in_one_run_are_the_pictures_drawn_one_by_one(doc):
    charts = doc.charts()
    assert len(charts) > 1
    assert charts_png(charts) == [chart_png(c) for c in charts]
    assert charts_png([]) == []


def _line_chart(values: dict[str, tuple[str, ...]]):
    series = tuple(Series(name, tuple(Decimal(v) for v in vs)) for name, vs in values.items())
    empty = Rounded(Table("d", "D", (), ()), {})
    return Chart("sjuk", ChartKind.LINE, "Sjukfrånvaro", ("2020", "2021"), series, "%", 1, "alt", empty, "d")


def test_value_labels_of_close_lines_do_not_overlap():
    # The sick-leave chart: three series within 0,6 percentage points of each other.
    chart = _line_chart({"Kvinnor": ("3.1", "3.4"), "Män": ("2.5", "1.7"), "Totalt": ("2.7", "2.3")})
    svg = etree.fromstring(chart_svg(chart).encode())
    ns = {"s": "http://www.w3.org/2000/svg"}
    shown = {"3,1", "3,4", "2,5", "1,7", "2,7", "2,3"}
    boxes = []
    for t in svg.findall("s:text", ns):
        if t.text in shown:
            x, y = float(t.get("x")), float(t.get("y"))
            width = 7 * len(t.text)  # font size 12: about 7 units a character
            left = {"middle": x - width / 2, "start": x, "end": x - width}[t.get("text-anchor")]
            boxes.append((t.text, left, y - 10, left + width, y))
    assert sorted(b[0] for b in boxes) == sorted(shown)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            overlap = a[1] < b[3] and b[1] < a[3] and a[2] < b[4] and b[2] < a[4]
            assert not overlap, f"{a[0]} och {b[0]} överlappar"


def test_goal_assessment_bars_are_red_amber_green_and_named(doc):
    chart = replace(
        doc.charts()[0],
        kind=ChartKind.HBAR,
        categories=("Uppfyllt", "Delvis uppfyllt", "Ej uppfyllt"),
        series=(Series("Antal", (Decimal(8), Decimal(2), Decimal(3))),),
    )
    svg = etree.fromstring(chart_svg(chart).encode())
    ns = {"s": "http://www.w3.org/2000/svg"}
    fills = [r.get("fill") for r in svg.findall("s:rect", ns) if r.get("fill") != "#ffffff"]
    assert fills == ["#2e7d32", "#a35a00", "#b3261e"]  # green, amber, red
    names = [t.text for t in svg.findall("s:text", ns)]
    assert {"Uppfyllt", "Delvis uppfyllt", "Ej uppfyllt"} <= set(names)  # not colour alone
