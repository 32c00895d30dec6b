"""The parent handout as a PDF (fpdf2): A4, warm and plain, stills with captions.

No metadata beyond a generic title is written (no author, no file paths, no coder names).
"""

from __future__ import annotations

import io

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from coder.progress import Progress
from exports.handout_content import HandoutContent, TrendSeries

BROWN = (122, 75, 42)
GREEN = (60, 122, 60)
INK = (45, 42, 38)
ORANGE = (201, 139, 79)


class _Pdf(FPDF):
    def __init__(self, font_path: str | None, watermark: str) -> None:
        super().__init__(format="A4", unit="mm")
        self.watermark = watermark
        self.set_auto_page_break(auto=True, margin=16)
        self.set_margins(16, 14, 16)
        if font_path:
            self.add_font("body", "", font_path)
            self.family_name = "body"
        else:
            self.family_name = "helvetica"
        self.set_creator("Attune")
        self.set_title("Our video moments")

    def footer(self) -> None:
        if self.watermark:
            self.set_y(-12)
            self.set_font(self.family_name, size=10)
            self.set_text_color(192, 57, 43)
            self.cell(0, 6, self.safe(self.watermark), align="R")

    def safe(self, value: str) -> str:
        if self.family_name == "helvetica":  # core fonts are Latin-1 only
            value = value.replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"')
            return value.encode("latin-1", "replace").decode("latin-1")
        return value

    def para(self, value: str, size: float = 11, color: tuple[int, int, int] = INK) -> None:
        self.set_x(self.l_margin)
        self.set_font(self.family_name, size=size)
        self.set_text_color(*color)
        self.multi_cell(0, size * 0.5, self.safe(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def render_pdf(content: HandoutContent, font_path: str | None, progress: Progress | None) -> bytes:
    pdf = _Pdf(font_path, content.watermark)
    pdf.add_page()
    pdf.para(content.heading, size=20, color=BROWN)
    pdf.ln(2)
    if content.goal:
        pdf.set_fill_color(246, 234, 219)
        pdf.set_font(pdf.family_name, size=12)
        pdf.set_text_color(*INK)
        pdf.multi_cell(0, 7, pdf.safe(f"What we are working on: {content.goal}"), fill=True)
        pdf.ln(3)
    pdf.para("Moments we noticed", size=14, color=BROWN)
    pdf.ln(1)
    col_w = (pdf.w - pdf.l_margin - pdf.r_margin - 6) / 2
    for i, still in enumerate(content.stills):
        if i % 2 == 0:
            row_y = pdf.get_y()
            img_h = col_w * still.height / max(1, still.width)
            if row_y + img_h + 30 > pdf.h - pdf.b_margin:
                pdf.add_page()
                row_y = pdf.get_y()
        x = pdf.l_margin + (i % 2) * (col_w + 6)
        img_h = col_w * still.height / max(1, still.width)
        pdf.image(io.BytesIO(still.png), x=x, y=row_y, w=col_w, h=img_h)
        pdf.set_xy(x, row_y + img_h + 1.5)
        pdf.set_font(pdf.family_name, size=10.5)
        pdf.set_text_color(*INK)
        text = f"{still.title}\n{still.caption}" if still.title else still.caption
        pdf.multi_cell(col_w, 5, pdf.safe(text), new_x=XPos.LEFT, new_y=YPos.NEXT)
        if still.child_voice:
            pdf.set_x(x)
            pdf.set_text_color(91, 111, 58)
            voice = f"Your child might be saying: \u201c{still.child_voice}\u201d"
            pdf.multi_cell(col_w, 5, pdf.safe(voice), new_x=XPos.LEFT, new_y=YPos.NEXT)
        bottom = pdf.get_y()
        if i % 2 == 1 or i == len(content.stills) - 1:
            pdf.set_y(max(bottom, row_y + img_h) + 4)
        else:
            pdf.set_y(row_y)
        if progress is not None:
            progress((i + 1) / (len(content.stills) + 1))
    if content.practice_point:
        pdf.para("Something to try at home", size=14, color=BROWN)
        pdf.set_draw_color(*ORANGE)
        pdf.para(content.practice_point, size=12)
        pdf.ln(3)
    if content.skills:
        pdf.para("Your skills this time", size=14, color=BROWN)
        for row in content.skills:
            mark = "" if row.met is None else ("  - reached!" if row.met else "  - keep going")
            pdf.para(
                f"{row.name}: {row.value:g}   ({row.target_text}){mark}",
                size=11,
                color=GREEN if row.met else INK,
            )
        pdf.ln(2)
    for series in content.trends:
        _trend_chart(pdf, series)
    if progress is not None:
        progress(1.0)
    return bytes(pdf.output())


def _trend_chart(pdf: _Pdf, series: TrendSeries) -> None:
    width, height = pdf.w - pdf.l_margin - pdf.r_margin, 45.0
    if pdf.get_y() + height + 12 > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.para(f"{series.name} over your sessions", size=11, color=BROWN)
    x0, y0 = pdf.l_margin + 8, pdf.get_y() + 2
    top = max([*series.values, series.target or 0.0, 1.0])
    n = len(series.values)
    xs = [x0 + i * (width - 16) / max(1, n - 1) for i in range(n)]
    ys = [y0 + height - 8 - v / top * (height - 14) for v in series.values]
    pdf.set_draw_color(150, 150, 150)
    pdf.line(x0, y0 + height - 8, x0 + width - 16, y0 + height - 8)
    if series.target is not None:
        ty = y0 + height - 8 - series.target / top * (height - 14)
        pdf.set_draw_color(*GREEN)
        pdf.set_dash_pattern(dash=1.5, gap=1.2)
        pdf.line(x0, ty, x0 + width - 16, ty)
        pdf.set_dash_pattern()
    pdf.set_draw_color(*ORANGE)
    pdf.set_line_width(0.8)
    for (xa, ya), (xb, yb) in zip(
        zip(xs, ys, strict=True), zip(xs[1:], ys[1:], strict=True), strict=False
    ):
        pdf.line(xa, ya, xb, yb)
    pdf.set_line_width(0.2)
    pdf.set_font(pdf.family_name, size=8)
    pdf.set_text_color(*INK)
    for x, y, v, label in zip(xs, ys, series.values, series.labels, strict=True):
        pdf.set_fill_color(*ORANGE)
        pdf.circle(x=x, y=y, radius=1.2, style="F")
        pdf.set_xy(x - 10, y - 6)
        pdf.cell(20, 4, f"{v:g}", align="C")
        pdf.set_xy(x - 15, y0 + height - 7)
        pdf.cell(30, 4, pdf.safe(label), align="C")
    pdf.set_y(y0 + height + 2)
