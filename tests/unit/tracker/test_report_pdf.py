"""The report's PDF adapter (contract §8.2): a contents page whose page numbers are the sections' real
pages, a bookmark per section, "Page N of M" and "data as of" on every page, A4, Welsh letters kept."""

from __future__ import annotations

import http.server
import io
import re
import threading

from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader

from services.tracker.adapters.pdf import PdfWords, render_pdf, with_contents

WORDS = PdfWords(contents="Contents", page_of="Page %(page)s of %(pages)s", data_as_of="Data as of 4 December 2026")
A4 = (595, 842)  # points, rounded


def _page(sections: int, rows: int) -> str:
    body = "".join(
        f"<h2>Section {i}</h2><p>Figure {i}: {i * 7} promises kept.</p><table><tr><th>Panel</th><th>Kept</th></tr>"
        + "".join(f"<tr><td>panel {i}-{r}</td><td>{r}</td></tr>" for r in range(rows)) + "</table>"
        for i in range(1, sections + 1))
    return ("<!doctype html><html lang='en'><head><meta charset='utf-8'><title>t</title></head><body>"
            "<header>site header: do not print</header><main><h1>The board's report</h1>"
            f"<p>Gŵyl Ŷd: Welsh letters.</p>{body}</main><footer>site footer</footer></body></html>")


def _text(pdf: bytes) -> list[str]:
    return [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]


def test_the_contents_page_gives_each_section_the_page_it_is_on():
    pdf = render_pdf(_page(sections=4, rows=60), WORDS)
    pages = _text(pdf)
    assert len(pages) > 4
    contents = pages[0]
    assert "Contents" in contents and "Gŵyl Ŷd" in contents
    for i in range(1, 5):
        listed = int(re.search(rf"Section {i}\W*?\.*\s*(\d+)", contents).group(1))
        # the section's heading is on the page the contents list names, and on no earlier one
        assert f"Section {i}" in pages[listed - 1].split("Contents")[-1]
        assert all(f"Figure {i}:" not in p for p in pages[:listed - 1])


def test_every_page_is_a4_numbered_and_dated_and_the_site_frame_is_gone():
    pdf = render_pdf(_page(sections=3, rows=80), WORDS)
    reader = PdfReader(io.BytesIO(pdf))
    n = len(reader.pages)
    for i, page in enumerate(reader.pages, start=1):
        box = page.mediabox
        assert (round(float(box.width)), round(float(box.height))) == A4
        text = page.extract_text()
        assert f"Page {i} of {n}" in text and "Data as of 4 December 2026" in text
        assert "site header" not in text and "site footer" not in text


def test_each_section_is_a_bookmark():
    reader = PdfReader(io.BytesIO(render_pdf(_page(sections=3, rows=2), WORDS)))
    titles = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(item.title)

    walk(reader.outline)
    assert titles == ["The board's report", "Section 1", "Section 2", "Section 3"]


def test_the_margins_say_what_the_caller_says_whatever_the_pages_own_print_rules():
    page = _page(sections=1, rows=1).replace(
        "</head>", "<style>@page{size:letter;@bottom-right{content:counter(page) ' / ' counter(pages)}}</style></head>")
    reader = PdfReader(io.BytesIO(render_pdf(page, WORDS)))
    assert (round(float(reader.pages[0].mediabox.width)), round(float(reader.pages[0].mediabox.height))) == A4
    assert "Page 1 of 2" in reader.pages[0].extract_text()


def test_the_page_words_come_from_the_caller():
    welsh = PdfWords(contents="Cynnwys", page_of="Tudalen %(page)s o %(pages)s", data_as_of='Data "hyd at" 4 Rhagfyr')
    text = _text(render_pdf(_page(sections=1, rows=1), welsh))
    assert "Cynnwys" in text[0] and "Tudalen 1 o 2" in text[0] and 'Data "hyd at" 4 Rhagfyr' in text[0]


@given(st.lists(st.text(alphabet="abc <>&\"'ŵ", min_size=1, max_size=12), min_size=0, max_size=6))
def test_contents_list_every_heading_once_with_its_words_escaped(headings):
    html = "<h1>T</h1>" + "".join(f"<h2>{h.replace('<', '&lt;').replace('>', '&gt;')}</h2>" for h in headings)
    out = with_contents(html, "Contents")
    links = re.findall(r'<li><a href="#([^"]+)">', out)
    assert len(links) == len(headings) == len(set(links))
    for anchor in links:
        assert f'<h2 id="{anchor}"' in out
    if headings:
        assert out.index("</h1>") < out.index("pdf-contents") < out.index("<h2")


def test_the_pdf_fetches_nothing_from_any_address_in_the_page():
    asked = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the standard library's name)
            asked.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    try:
        page = _page(1, 1).replace("</main>", f'<img src="{url}/a.png" alt="a"><link rel="stylesheet" '
                                             f'href="{url}/b.css"><img src="/c.png" alt="c"></main>')
        assert render_pdf(page, WORDS, base_url=url + "/").startswith(b"%PDF")
    finally:
        server.shutdown()
    assert asked == []


def test_a_heading_keeps_its_own_id():
    out = with_contents('<h1>T</h1><h2 id="declined">Why police said no</h2>', "Contents")
    assert '<a href="#declined">Why police said no</a>' in out and out.count('id="declined"') == 1


def test_a_page_with_its_own_contents_list_keeps_it_and_gets_page_numbers():
    page = _page(sections=2, rows=70).replace(
        "<p>Gŵyl", '<nav class="toc"><h2 id="contents">Contents</h2><ol><li><a href="#section-2">Second</a></li>'
                   '</ol></nav><p>Gŵyl').replace("<h2>Section 2</h2>", '<h2 id="section-2">Section 2</h2>')
    assert with_contents(page, "Contents").count("Contents") == 1
    pages = _text(render_pdf(page, WORDS))
    listed = int(re.search(r"Second\W*?\.*\s*(\d+)", pages[0]).group(1))
    assert listed > 1 and "Section 2" in pages[listed - 1]
