"""The parts of the Word file around the text: styles, settings, properties.

python-docx starts from a template saved by Word 2011 for Mac: it carries an
en-US language, a thumbnail, a custom-XML item, a second styles part, revision
ids and "Microsoft Macintosh Word" as the writing application. A report that a
municipality edits and publishes should carry none of it, so we remove those
parts, write our own ``docProps/app.xml``, set Swedish as the language of the
document defaults, of every style and of the theme, and add the few styles the
template lacks (the table style and the contents' entries).
"""

from __future__ import annotations

from docx.document import Document as DocxDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn

LANGUAGE = "sv-SE"
TABLE_STYLE = "Rapporttabell"  # the style's id and the name an editor sees in Word
_STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"

# The table style: no grid, a rule under the header row (bold), compact cells.
# Sums and subtotals carry their own rules, as they sit anywhere in a table.
_TABLE_STYLE_XML = f"""
<w:style {nsdecls("w")} w:type="table" w:customStyle="1" w:styleId="{TABLE_STYLE}">
  <w:name w:val="{TABLE_STYLE}"/>
  <w:basedOn w:val="TableNormal"/>
  <w:uiPriority w:val="59"/>
  <w:qFormat/>
  <w:pPr><w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>
  <w:rPr><w:sz w:val="19"/><w:szCs w:val="19"/></w:rPr>
  <w:tblPr>
    <w:tblInd w:w="0" w:type="dxa"/>
    <w:tblBorders>
      <w:top w:val="single" w:sz="8" w:space="0" w:color="000000"/>
      <w:bottom w:val="single" w:sz="8" w:space="0" w:color="000000"/>
    </w:tblBorders>
    <w:tblCellMar>
      <w:top w:w="28" w:type="dxa"/>
      <w:left w:w="85" w:type="dxa"/>
      <w:bottom w:w="28" w:type="dxa"/>
      <w:right w:w="85" w:type="dxa"/>
    </w:tblCellMar>
  </w:tblPr>
  <w:tblStylePr w:type="firstRow">
    <w:rPr><w:b/><w:bCs/></w:rPr>
    <w:tcPr>
      <w:tcBorders><w:bottom w:val="single" w:sz="8" w:space="0" w:color="000000"/></w:tcBorders>
      <w:vAlign w:val="bottom"/>
    </w:tcPr>
  </w:tblStylePr>
</w:style>
"""


def escape(text: str) -> str:
    """``&``, ``<`` and ``>`` as XML entities (xml.sax.saxutils.escape, without importing
    urllib and ssl with it)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _toc_style(level: int, tab: int) -> str:
    indent = (level - 1) * 220
    bold = "<w:rPr><w:b/><w:bCs/></w:rPr>" if level == 1 else ""
    before = 120 if level == 1 else 0
    return f"""
<w:style {nsdecls("w")} w:type="paragraph" w:styleId="TOC{level}">
  <w:name w:val="toc {level}"/>
  <w:basedOn w:val="Normal"/>
  <w:next w:val="Normal"/>
  <w:uiPriority w:val="39"/>
  <w:unhideWhenUsed/>
  <w:pPr>
    <w:tabs><w:tab w:val="right" w:leader="dot" w:pos="{tab}"/></w:tabs>
    <w:spacing w:before="{before}" w:after="40"/>
    <w:ind w:left="{indent}"/>
  </w:pPr>
  {bold}
</w:style>
"""


def add_styles(word: DocxDocument, text_width: int) -> None:
    """Swedish everywhere, plus the table style and the contents' entry styles."""
    styles = word.styles.element
    for lang in styles.iter(qn("w:lang")):
        lang.set(qn("w:val"), LANGUAGE)
        lang.set(qn("w:eastAsia"), LANGUAGE)
    defaults = styles.find(qn("w:docDefaults"))
    assert defaults is not None
    rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
    assert rpr is not None
    if rpr.find(qn("w:lang")) is None:
        lang = OxmlElement("w:lang")
        lang.set(qn("w:val"), LANGUAGE)
        rpr.append(lang)
    for xml in (_TABLE_STYLE_XML, _toc_style(1, text_width), _toc_style(2, text_width)):
        styles.append(parse_xml(xml))


def tidy_settings(word: DocxDocument) -> None:
    """Swedish number settings, no leftover revision ids, fields updated on opening."""
    settings = word.settings.element
    for name in ("w:rsids", "w:proofState", "w:savePreviewPicture", "w:attachedTemplate"):
        for el in settings.findall(qn(name)):
            settings.remove(el)
    for el in settings.findall(qn("w14:docId")):
        settings.remove(el)
    theme_lang = settings.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:val"), LANGUAGE)
    for name, value in (("w:decimalSymbol", ","), ("w:listSeparator", ";")):
        el = settings.find(qn(name))
        if el is not None:
            el.set(qn("w:val"), value)
    # Word asks to update the fields (contents, page references) when the file is
    # opened; the schema wants updateFields before compat.
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    compat = settings.find(qn("w:compat"))
    if compat is not None:
        compat.addprevious(update)
    else:
        settings.append(update)


def _app_xml(title: str, company: str) -> bytes:
    return (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        "<Application>bokslut</Application>"
        f"<Company>{escape(company)}</Company>"
        "<DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop><LinksUpToDate>false</LinksUpToDate>"
        "<SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged>"
        "</Properties>"
    ).encode()


def drop_template_leftovers(word: DocxDocument, title: str, organisation: str) -> None:
    """Remove the template's thumbnail, custom XML and second styles part; write our app.xml."""
    package = word.part.package
    for rels, kinds in (
        (package.rels, {RT.THUMBNAIL}),
        (word.part.rels, {RT.CUSTOM_XML, _STYLES_WITH_EFFECTS}),
    ):
        for rid in [rid for rid, rel in rels.items() if rel.reltype in kinds]:
            rels.pop(rid)
    for part in package.iter_parts():
        if str(part.partname) == "/docProps/app.xml":
            part._blob = _app_xml(title, organisation)
