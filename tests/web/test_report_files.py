"""The steward's report page lists the year-end reports sakip writes, the PDF among them, and hands
each out as a download."""

from __future__ import annotations

import re

from tests.fixtures.web import sign_in


def test_the_reports_page_lists_and_downloads_the_pdf_beside_the_word_document(site):
    folder = site.settings.reports_dir / "2022" / "2.17.0.00.0.00.01.0000"
    folder.mkdir(parents=True)
    (folder / "lkjip_2022.pdf").write_bytes(b"%PDF-1.7\n%%EOF\n")
    (folder / "lkjip_2022.docx").write_bytes(b"PK\x03\x04")
    (folder / "catatan.txt").write_text("not a report")
    client = site.client()
    sign_in(client, "steward")
    page = client.get("/steward/reports")
    assert page.status_code == 200
    links = dict(re.findall(r'<a href="(/steward/reports/[^"]+)">([^<]+)</a>', page.text))
    names = sorted(name.rsplit("/", 1)[-1] for name in links.values())
    assert names == ["lkjip_2022.docx", "lkjip_2022.pdf"]
    pdf_link = next(link for link, name in links.items() if name.endswith(".pdf"))
    answer = client.get(pdf_link)
    assert answer.status_code == 200 and answer.content == b"%PDF-1.7\n%%EOF\n"
    assert answer.headers["content-disposition"].startswith("attachment")
    assert answer.headers["content-type"] == "application/pdf"
