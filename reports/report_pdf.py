"""
The monthly usage report as a PDF: fpdf2 with a Japanese font embedded (a subset; the text stays
extractable), tables as tables, charts as PNG images drawn with Pillow (no network, no browser),
and a definitions section at the end: every figure in the report is defined there.

The font: REPORTS_PDF_FONT (a TrueType/OpenType file), else Noto Sans JP from the pylopdf-fonts-jp
package (the one the ads' reports embed).
"""

import io
import logging
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.fonts import FontFace
from PIL import Image, ImageDraw, ImageFont

from members.usage import Figure

logging.getLogger("fontTools").setLevel(logging.WARNING)  # its subsetter logs every glyph at INFO

CHART_ROWS = 31  # at most this many bars in one chart


def font_path():
    if settings.REPORTS_PDF_FONT:
        return Path(settings.REPORTS_PDF_FONT)
    import pylopdf_fonts_jp

    return Path(pylopdf_fonts_jp.sans_path())


class UsagePDF(FPDF):
    def __init__(self, title):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.report_title = title
        self.add_font("jp", "", str(font_path()))
        self.set_font("jp", size=10)
        self.set_auto_page_break(auto=True, margin=15)
        self.set_title(title)
        self.set_creator(settings.WAGTAIL_SITE_NAME)

    def footer(self):
        self.set_y(-12)
        self.set_font("jp", size=8)
        self.cell(0, 8, f"{settings.WAGTAIL_SITE_NAME}　{self.report_title}　{self.page_no()} / {{nb}}", align="C")


def _text(value):
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


def chart_png(labels, values, width=1400, height=520):
    """A bar chart of ``values`` (numbers) under ``labels`` as PNG bytes, drawn with Pillow."""
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    small = ImageFont.truetype(str(font_path()), 20)
    left, bottom, top = 90, height - 70, 20
    peak = max([*values, 1])
    draw.line([(left, top), (left, bottom), (width - 10, bottom)], fill="#333333", width=2)
    for step in range(5):
        value = peak * step / 4
        y = bottom - (bottom - top) * step / 4
        draw.line([(left - 6, y), (width - 10, y)], fill="#dddddd")
        draw.text((8, y - 12), f"{value:,.0f}", fill="#333333", font=small)
    slot = (width - left - 20) / max(len(values), 1)
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = left + 10 + index * slot
        y = bottom - (bottom - top) * value / peak
        draw.rectangle([x, y, x + slot * 0.7, bottom], fill="#2b6cb0")
        if len(values) <= 12 or index % max(1, len(values) // 10) == 0:
            draw.text((x, bottom + 8), str(label)[:8], fill="#333333", font=small)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _table(pdf, item):
    widths = [2] + [1] * (len(item.columns) - 1) if len(item.columns) > 1 else [1]
    align = tuple("LEFT" if n == 0 or isinstance(item.rows[0][n] if item.rows else "", str) else "RIGHT"
                  for n in range(len(item.columns)))
    pdf.set_font("jp", size=8)
    with pdf.table(col_widths=widths, text_align=align, line_height=5, headings_style=FontFace(fill_color=230),
                   first_row_as_headings=True) as table:
        for values in [item.columns, *item.rows]:
            line = table.row()
            for value in values:
                line.cell(_text(value))


def _chart(pdf, item):
    rows = [row for row in item.rows if len(row) > 1 and isinstance(row[1], int)][:CHART_ROWS]
    if not rows or not any(row[1] for row in rows):
        return
    png = chart_png([row[0] for row in rows], [row[1] for row in rows])
    pdf.image(io.BytesIO(png), w=pdf.epw)
    pdf.ln(2)


def _item(pdf, item):
    if isinstance(item, Figure):
        pdf.set_font("jp", size=10)
        pdf.cell(110, 6, item.label)
        pdf.cell(0, 6, _text(item.value), align="R", new_x="LMARGIN", new_y="NEXT")
        return
    pdf.set_font("jp", size=10)
    pdf.cell(0, 7, item.title, new_x="LMARGIN", new_y="NEXT")
    if item.chart:
        _chart(pdf, item)
    if item.rows:
        _table(pdf, item)
    else:
        pdf.set_font("jp", size=8)
        pdf.cell(0, 5, _("（該当なし）"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


def _cover(pdf, report):
    pdf.add_page()
    pdf.set_font("jp", size=18)
    pdf.cell(0, 12, f"{report.title}　{report.month_label}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("jp", size=10)
    pdf.cell(0, 6, _("%(site)s　作成 %(when)s") % {
        "site": settings.WAGTAIL_SITE_NAME, "when": f"{report.created_at:%Y-%m-%d %H:%M}"}, new_x="LMARGIN",
        new_y="NEXT")
    pdf.set_font("jp", size=8)
    pdf.multi_cell(0, 5, _("閲覧はサーバーで数え、クッキーやスクリプトは使っていません。個人を特定する情報は記録していません。"
                           "各数値の定義は末尾の「数値の定義」にあります。"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)


def _definitions(pdf, report):
    pdf.add_page()
    pdf.set_font("jp", size=14)
    pdf.cell(0, 10, _("数値の定義"), new_x="LMARGIN", new_y="NEXT")
    for section, item in report.figures():
        name = item.label if isinstance(item, Figure) else item.title
        pdf.set_font("jp", size=9)
        pdf.multi_cell(0, 5, f"{section}｜{name}", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("jp", size=8)
        pdf.multi_cell(0, 4.5, item.definition, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1.5)


def to_pdf(report):
    pdf = UsagePDF(report.title)
    _cover(pdf, report)
    for section in report.sections:
        pdf.set_font("jp", size=13)
        pdf.cell(0, 9, str(section.label), new_x="LMARGIN", new_y="NEXT")
        if section.error:
            pdf.set_font("jp", size=9)
            pdf.cell(0, 6, section.error, new_x="LMARGIN", new_y="NEXT")
        for item in section.items:
            _item(pdf, item)
        pdf.ln(3)
    _definitions(pdf, report)
    return bytes(pdf.output())
