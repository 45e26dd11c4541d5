from decimal import Decimal

from lxml import etree

from bokslut.render.charts import chart_png, chart_svg


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
