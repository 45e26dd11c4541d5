"""The report as a small web site: a start page, one page per chapter, a search page.

Made for publishing on a municipality's web: each chapter is its own page with
the same style as the single HTML file, links to the previous and next chapter
and to the table of contents. The search runs in the reader's browser over an
index written as a script beside the pages (``sok.js``), so the site works from
the file system too — no server, no fetch() (which file:// blocks).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from html import escape

from bokslut.document import (
    Block,
    Chapter,
    ChartPlacement,
    Document,
    Heading,
    ListBlock,
    Paragraph,
    Quote,
    TablePlacement,
    plain_text,
)
from bokslut.render.html import HtmlWriter, page_html, title_page_html
from bokslut.render.tables import table_view
from bokslut.table import Rounded

INDEX_PAGE = "index.html"
SEARCH_PAGE = "sok.html"
SEARCH_SCRIPT = "sok.js"

_ID = re.compile(r'\bid="([^"]+)"')
_LOCAL_HREF = re.compile(r'href="#([^"]+)"')

# The search, in the reader's browser. Spaces inside numbers are optional in the query,
# so "1376" finds "1 376"; results are written as text, never as markup.
SEARCH_JS = r"""
(function () {
  var entries = window.BOKSLUT_SOK || [];
  var input = document.getElementById("sok-q");
  var status = document.getElementById("sok-status");
  var list = document.getElementById("sok-traffar");
  function norm(s) { return s.toLowerCase().replace(/[\u00a0\u202f]/g, " ").replace(/\u2212/g, "-"); }
  function pattern(q) {
    var words = norm(q).trim().split(/\s+/).filter(Boolean);
    return words.map(function (w) {
      var re = "";
      for (var i = 0; i < w.length; i++) {
        re += w[i].replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        if (/\d/.test(w[i]) && /\d/.test(w[i + 1] || "")) { re += " ?"; }
      }
      return new RegExp(re);
    });
  }
  function show(q) {
    list.textContent = "";
    var res = pattern(q);
    if (!res.length) { status.textContent = ""; return; }
    var hits = entries.filter(function (e) {
      var t = norm(e.x);
      return res.every(function (re) { return re.test(t); });
    });
    status.textContent = hits.length
      ? hits.length + (hits.length === 1 ? " träff" : " träffar") + " för ”" + q + "”"
      : "Inga träffar för ”" + q + "”";
    hits.slice(0, 200).forEach(function (e) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = e.u;
      a.textContent = e.t;
      li.appendChild(a);
      var m = res[0].exec(norm(e.x));
      if (m) {
        // About a line of text around the first hit, cut at spaces.
        var from = m.index > 60 ? e.x.indexOf(" ", m.index - 60) + 1 : 0;
        var to = e.x.lastIndexOf(" ", m.index + m[0].length + 80);
        if (to <= m.index + m[0].length) { to = e.x.length; }
        var p = document.createElement("p");
        p.className = "utdrag";
        p.textContent = (from ? "…" : "") + e.x.slice(from, to) + (to < e.x.length ? " …" : "");
        li.appendChild(p);
      }
      list.appendChild(li);
    });
  }
  var q = new URLSearchParams(window.location.search).get("q") || "";
  input.value = q;
  show(q);
  input.addEventListener("input", function () { show(input.value); });
})();
"""

SITE_CSS = """
nav.webb { display: flex; flex-wrap: wrap; gap: .4rem 1.2rem; align-items: center;
  border-bottom: 1px solid var(--rule); padding: .5rem 0; font-family: "Source Sans 3", Arial, sans-serif; }
nav.webb.nere { border-top: 1px solid var(--rule); border-bottom: 0; margin-top: 3rem; }
nav.webb ul { list-style: none; display: flex; flex-wrap: wrap; gap: .4rem 1.2rem; margin: 0; padding: 0; }
form.sok { display: flex; gap: .4rem; margin: .6rem 0; }
form.sok input { flex: 1; min-width: 0; font: inherit; padding: .3rem .5rem; border: 1px solid var(--muted); }
form.sok button { font: inherit; padding: .3rem .8rem; border: 1px solid var(--accent);
  background: var(--accent); color: #fff; }
#sok-traffar li { margin: .8rem 0; }
.utdrag { margin: .2rem 0 0; color: var(--muted); font-size: .9rem; }
main > h1:first-child, main > section > h1:first-child { margin-top: 1.5rem; }
h1.dokumenttitel { border: 0; padding: 0; }
"""


@dataclass(frozen=True, slots=True)
class _Page:
    name: str
    chapter: Chapter


def _page_names(doc: Document) -> list[_Page]:
    pages: list[_Page] = []
    used = {INDEX_PAGE, SEARCH_PAGE}
    for i, ch in enumerate(doc.chapters, start=1):
        first = next((b for b in ch.blocks if isinstance(b, Heading)), None)
        name = f"{first.anchor}.html" if first else f"kapitel-{i}.html"
        if name in used:
            name = f"kapitel-{i}.html"
        used.add(name)
        pages.append(_Page(name, ch))
    return pages


def _search_form() -> str:
    return (
        f'<form class="sok" role="search" action="{SEARCH_PAGE}" method="get">'
        '<label class="dold" for="sok-q">Sök i rapporten</label>'
        '<input id="sok-q" name="q" type="search" placeholder="Sök i rapporten">'
        '<button type="submit">Sök</button></form>'
    )


def _nav(pages: list[_Page], i: int | None, where: str) -> str:
    """Links to the contents, the search and the neighbouring chapters; ``i`` is this chapter."""
    items = [f'<li><a href="{INDEX_PAGE}">Innehåll</a></li>', f'<li><a href="{SEARCH_PAGE}">Sök</a></li>']
    if i is not None:
        if i > 0:
            prev = pages[i - 1]
            items.append(
                f'<li><a href="{prev.name}" rel="prev">← Föregående: {escape(prev.chapter.title)}</a></li>'
            )
        if i + 1 < len(pages):
            nxt = pages[i + 1]
            items.append(f'<li><a href="{nxt.name}" rel="next">Nästa: {escape(nxt.chapter.title)} →</a></li>')
    label = "Navigering" if where == "uppe" else "Navigering, sidans slut"
    cls = "webb" if where == "uppe" else "webb nere"
    return f'<nav class="{cls}" aria-label="{label}"><ul>{"".join(items)}</ul></nav>'


def _table_text(rounded: Rounded, title: str) -> str:
    view = table_view(rounded)
    parts = [title, view.unit_text, view.label_header, *view.headers]
    for r in view.rows:
        parts.append(r.label)
        parts.extend(c.text for c in r.cells)
    parts.extend(view.footnotes)
    return " ".join(p for p in parts if p)


def _block_text(b: Block) -> str:
    if isinstance(b, Paragraph):
        return plain_text(b.runs)
    if isinstance(b, ListBlock):
        return " ".join(_block_text(x) for item in b.items for x in item)
    if isinstance(b, Quote):
        return " ".join(_block_text(x) for x in b.blocks)
    return ""


def search_entries(pages: list[_Page]) -> list[dict[str, str]]:
    """One entry per section (heading and its text) and one per table or chart."""
    entries: list[dict[str, str]] = []
    for page in pages:
        section: dict[str, str] | None = None
        for b in page.chapter.blocks:
            if isinstance(b, Heading):
                section = {"u": f"{page.name}#{b.anchor}", "t": b.text, "x": b.text}
                entries.append(section)
            elif isinstance(b, TablePlacement):
                entries.append(
                    {"u": f"{page.name}#{b.anchor}", "t": b.title, "x": _table_text(b.rounded, b.title)}
                )
            elif isinstance(b, ChartPlacement):
                c = b.chart
                text = f"{c.title} {c.alt} {_table_text(c.data, c.title)}"
                entries.append({"u": f"{page.name}#{c.anchor}", "t": c.title, "x": text})
            else:
                text = _block_text(b)
                if section is None:
                    section = {"u": page.name, "t": page.chapter.title, "x": ""}
                    entries.append(section)
                section["x"] = f"{section['x']} {text}".strip()
    return entries


def render_site(doc: Document) -> dict[str, bytes]:
    """The site's files by name (all in one folder)."""
    w = HtmlWriter(doc)
    pages = _page_names(doc)
    bodies: list[str] = []
    for p in pages:
        first = next((b for b in p.chapter.blocks if isinstance(b, Heading)), None)
        w.heading_offset = first.level - 1 if first else 0
        bodies.append(w.blocks(p.chapter.blocks))
    w.heading_offset = 0
    # Where each id lives, so a link to a note or a table on another page names that page.
    home: dict[str, str] = {}
    for page, body in zip(pages, bodies, strict=True):
        for anchor in _ID.findall(body):
            home.setdefault(anchor, page.name)

    def relink(body: str, here: str) -> str:
        def one(m: re.Match[str]) -> str:
            target = home.get(m.group(1), here)
            return m.group(0) if target == here else f'href="{target}#{m.group(1)}"'

        return _LOCAL_HREF.sub(one, body)

    tp = doc.title_page
    head = f"<style>{SITE_CSS}</style>\n"
    files: dict[str, bytes] = {}
    toc_links = {
        h.anchor: f"{home.get(h.anchor, INDEX_PAGE)}" + ("" if h.level == 1 else f"#{h.anchor}")
        for h in doc.headings(max_level=2)
    }
    index_body = f"""{_nav(pages, None, "uppe")}
{title_page_html(doc, "h1")}
<main id="innehall-start">
{_search_form()}
{w.toc(toc_links)}
</main>"""
    files[INDEX_PAGE] = page_html(doc, f"{tp.title} – {tp.organisation}", index_body, head)
    for i, (page, body) in enumerate(zip(pages, bodies, strict=True)):
        chapter_body = f"""{_nav(pages, i, "uppe")}
<main id="innehall-start">
<section class="kapitel">{relink(body, page.name)}</section>
</main>
{_nav(pages, i, "nere")}"""
        title = f"{page.chapter.title} – {tp.title} – {tp.organisation}"
        files[page.name] = page_html(doc, title, chapter_body, head)
    search_body = f"""{_nav(pages, None, "uppe")}
<main id="innehall-start">
<h1 id="sok">Sök i {escape(tp.title.lower() if tp.title else "rapporten")}</h1>
{_search_form()}
<p id="sok-status" role="status" aria-live="polite"></p>
<ol id="sok-traffar"></ol>
</main>"""
    files[SEARCH_PAGE] = page_html(
        doc,
        f"Sök – {tp.title} – {tp.organisation}",
        search_body,
        head + f'<script src="{SEARCH_SCRIPT}" defer></script>\n',
    )
    index = json.dumps(search_entries(pages), ensure_ascii=False, separators=(",", ":"))
    files[SEARCH_SCRIPT] = f"window.BOKSLUT_SOK = {index};\n{SEARCH_JS}".encode()
    return files
