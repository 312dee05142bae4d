"""The board's report as a PDF (contract §8.2): WeasyPrint over the very HTML the page serves, so the
two cannot say different things, plus a print sheet of its own: A4, a contents page whose page numbers
come from CSS `target-counter`, a PDF bookmark per section, and "Page N of M" and "data as of" in the
page margins. Black on white with borders and patterns, never colour alone, so it prints in greyscale."""

from __future__ import annotations

import html as htmllib
import re
from dataclasses import dataclass

# Imported on first use: WeasyPrint loads pango through cffi, which is slow and not needed by a tracker
# that never prints (the scheduler, the replay command).
_weasyprint = None

_HEADING = re.compile(r"<h2(?P<attrs>(?:\s[^>]*)?)>(?P<text>.*?)</h2>", re.S)
_ID = re.compile(r"""\sid=["']([^"']+)["']""")
_TAG = re.compile(r"<[^>]+>")
_FIRST_SECTION = re.compile(r"<h2[\s>]", re.I)
_OWN_CONTENTS = re.compile(r"""<nav\s[^>]*class=["'](?:[^"']*\s)?toc[\s"']""", re.I)
# What paper has no use for, and a year's report repeats in each of thousands of cells: the phone layout's
# cell labels, and links to this site's pages (a PDF has no base to resolve them against). Each costs
# layout time (bench/report_render.py).
_CELL_LABEL = re.compile(r"""\sdata-label=(?:"[^"]*"|'[^']*')""")
_SITE_LINK = re.compile(r"""<a\s+href=["']/[^"']*["']\s*>(.*?)</a>""", re.S)

# DejaVu and Liberation both draw every Welsh letter (ŵ, ŷ, â ...); Debian ships them with chromium.
FONTS = '"DejaVu Sans", "Liberation Sans", sans-serif'


@dataclass(frozen=True)
class PdfWords:
    """The page's own language, given by the caller (this module reads no catalogue)."""

    contents: str  # "Contents"
    page_of: str  # "Page %(page)s of %(pages)s"
    data_as_of: str  # "Data as of 4 December 2026", already filled in


def with_contents(html: str, heading: str) -> str:
    """The page with an id on every section heading and, before the first, a contents list that links to
    each (so the title and its opening words share the first page); the print sheet turns each link into
    its page number. A page with a contents list of its own (`<nav class="toc">`) keeps just that one."""
    if _OWN_CONTENTS.search(html):
        return html
    sections: list[tuple[str, str]] = []

    def mark(m: re.Match) -> str:
        attrs = m.group("attrs") or ""
        found = _ID.search(attrs)
        anchor = found.group(1) if found else f"section-{len(sections) + 1}"
        sections.append((anchor, htmllib.unescape(_TAG.sub("", m.group("text"))).strip()))
        return m.group(0) if found else f'<h2 id="{anchor}"{attrs}>{m.group("text")}</h2>'

    marked = _HEADING.sub(mark, html)
    items = "".join(f'<li><a href="#{htmllib.escape(a)}">{htmllib.escape(t)}</a></li>' for a, t in sections)
    nav = f'<nav class="pdf-contents" aria-label="{htmllib.escape(heading)}"><p class="pdf-contents-title">' \
          f'{htmllib.escape(heading)}</p><ol>{items}</ol></nav>'
    at = _FIRST_SECTION.search(marked)
    return marked[:at.start()] + nav + marked[at.start():] if at else marked


def _css_content(template: str) -> str:
    """`Page %(page)s of %(pages)s` as a CSS `content` value: quoted text around the two counters."""
    parts = re.split(r"(%\(page\)s|%\(pages\)s)", template)
    out = []
    for part in parts:
        if part == "%(page)s":
            out.append("counter(page)")
        elif part == "%(pages)s":
            out.append("counter(pages)")
        elif part:
            out.append(_css_string(part))
    return " ".join(out) or '""'


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def print_sheet(words: PdfWords) -> str:
    """WeasyPrint takes this as a user sheet, below the page's own rules: what must hold whatever the page
    says (A4, the margins' words, the contents' numbers) is `!important`."""
    return f"""
@page {{
  size: A4 !important; margin: 20mm 16mm 22mm 16mm !important;
  @bottom-left {{ content: {_css_string(words.data_as_of)} !important; font: 8pt {FONTS}; color: #000; }}
  @bottom-right {{ content: {_css_content(words.page_of)} !important; font: 8pt {FONTS}; color: #000; }}
}}
html, body {{ font-family: {FONTS}; font-size: 10pt; color: #000; background: #fff; }}
body > header, body > footer, .twin, .skip, form, button {{ display: none; }}
main {{ max-width: none; padding: 0; margin: 0; }}
a {{ color: #000; }}
h1 {{ bookmark-level: 1; font-size: 18pt; }}
h2 {{ bookmark-level: 2; break-before: auto; break-after: avoid; font-size: 13pt;
      border-bottom: 1pt solid #000; padding-bottom: 2pt; }}
h3 {{ bookmark-level: 3; break-after: avoid; }}
main, main * {{ overflow-wrap: break-word !important; }}  /* whole words; the screen's `anywhere` splits "Raised" */
table {{ border-collapse: collapse; width: 100%; font-size: 7.5pt !important; }}
/* fixed: columns from the first row, not from every cell of every page (auto layout measures each cell
   again on each page: a third of a long report's time); no automatic hyphens, which look words up in a
   dictionary and would split names people wrote */
table {{ table-layout: fixed !important; }}
/* fixed shares the width out evenly: a row's name (a theme, a panel's slug) and a promise need more */
tr > :first-child {{ width: 17%; }}
section[aria-labelledby=redated] tr > :nth-child(2) {{ width: 30%; }}
th, td {{ border: 0.5pt solid #000; padding: 2pt 3pt; text-align: left; vertical-align: top; hyphens: manual; }}
thead {{ display: table-header-group; }}
tr, figure, svg, .card {{ break-inside: avoid; }}
.scroll {{ overflow: visible; }}
svg {{ max-width: 100%; height: auto; }}
nav.pdf-contents, nav.toc {{ break-after: page; }}
.pdf-contents-title, nav.toc h2 {{ font-size: 13pt; font-weight: bold; bookmark-level: none; border: 0; }}
.pdf-contents ol, nav.toc ol {{ list-style: none; padding: 0; columns: 1 !important; }}
.pdf-contents li, nav.toc li {{ margin: 3pt 0; }}
.pdf-contents a, nav.toc a {{ text-decoration: none; }}
/* !important: a page's own print rules may hide these numbers, which only a paged PDF can give */
.pdf-contents a::after, nav.toc a::after {{ content: leader(".") target-counter(attr(href), page) !important; }}
"""


def render_pdf(html: str, words: PdfWords, base_url: str | None = None) -> bytes:
    """The PDF of a whole page of HTML (with its own `<style>`), through the print sheet above."""
    global _weasyprint
    if _weasyprint is None:
        import weasyprint

        _weasyprint = weasyprint
    # Nothing is fetched, not even from this server: the page carries its styles and charts inline, and
    # an address in it (a link's, or one someone wrote) must never make the tracker open a connection.
    fetcher = _weasyprint.URLFetcher(allowed_protocols={"data"})
    printed = _SITE_LINK.sub(r"\1", _CELL_LABEL.sub("", html))
    document = _weasyprint.HTML(string=with_contents(printed, words.contents), base_url=base_url,
                                url_fetcher=fetcher)
    sheet = _weasyprint.CSS(string=print_sheet(words))
    return document.write_pdf(stylesheets=[sheet], pdf_identifier=None, custom_metadata=False)
