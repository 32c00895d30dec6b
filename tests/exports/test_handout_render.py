"""Handout renderers: self-contained HTML with no scripts, a PDF whose text can be read back."""

from __future__ import annotations

import io
from html.parser import HTMLParser

import numpy as np
import pytest

from exports.handout import render_html, trend_svg
from exports.handout_content import HandoutContent, HandoutStill, SkillRow, TrendSeries, encode_png
from exports.handout_pdf import render_pdf


def _content(watermark: str = "") -> HandoutContent:
    stills = []
    for i in range(3):
        rgb = np.zeros((120, 160, 3), np.uint8)
        rgb[:, : 40 * (i + 1)] = (200, 120, 60)  # distinct pictures (PDFs dedupe equal images)
        png, w, h = encode_png(rgb)
        text = f"You waited <b>& watched</b> {i}"
        stills.append(HandoutStill(png, f"Moment {i}", text, "Look at me!", w, h))
    return HandoutContent(
        heading="Our video moments with the Rivera family",
        goal="Following Sam’s lead in play",
        stills=tuple(stills),
        practice_point="Pause and describe what Sam is doing.",
        skills=(SkillRow("Labelled praise", 12, "aim for 10 or more", True),),
        trends=(TrendSeries("Labelled praise", ("Week 1", "Week 2"), (4.0, 12.0), 10.0),),
        watermark=watermark,
    )


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []
        self.srcs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.srcs += [v or "" for k, v in attrs if k in ("src", "href")]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_is_self_contained_escaped_and_script_free() -> None:
    html = render_html(_content(watermark="For the Rivera family only"))
    parser = _Collector()
    parser.feed(html)
    parser.close()
    assert "script" not in parser.tags
    assert parser.tags.count("img") == 3
    assert all(src.startswith("data:image/png;base64,") for src in parser.srcs)
    text = " ".join(parser.text)
    assert "You waited <b>& watched</b> 0" in text  # escaped user text survives as text
    assert "<b>" not in html.split("<body>")[1].replace("&lt;b&gt;", "")
    assert "For the Rivera family only" in text
    assert "svg" in parser.tags


def test_trend_svg_escapes_labels() -> None:
    svg = trend_svg(TrendSeries("<x>", ("a&b", "c"), (1.0, 2.0), None))
    assert "<x>" not in svg and "&lt;x&gt;" in svg and "a&amp;b" in svg


def test_pdf_text_reads_back() -> None:
    pypdf = pytest.importorskip("pypdf")
    from exports.handout import find_unicode_font

    data = render_pdf(_content(watermark="For the Rivera family only"), find_unicode_font(), None)
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = " ".join(page.extract_text() for page in reader.pages)
    squashed = " ".join(text.split())
    assert "Rivera family" in squashed
    assert "Pause and describe" in squashed
    assert "Look at me!" in squashed
    assert sum(len(page.images) for page in reader.pages) == 3
