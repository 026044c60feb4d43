"""
The reports' files: CSV (UTF-8 with a BOM, so spreadsheet software reads the Japanese) of a
booking or of a month, and the monthly PDF per advertiser for invoicing, drawn by fpdf2 with Noto
Sans JP embedded (a subset), shipped inside the ``pylopdf-fonts-jp`` package from PyPI;
``ADS_REPORT_FONT`` names another TrueType/OpenType font file instead.

The figures come from ``selectors.booking_figures`` / ``monthly_report``, the same ones the admin
shows and the later monthly usage report reuses.
"""

import csv
import io
import logging
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from fpdf import FPDF
from fpdf.fonts import FontFace

from .placements import PLACEMENTS

logging.getLogger("fontTools").setLevel(logging.WARNING)  # its subsetter logs every glyph at INFO

CSV_HEADER = ["広告主", "予約ID", "件名", "掲載枠", "日付", "地域", "表示回数", "クリック数", "クリック率(%)", "料金(円)",
              "請求の状態"]


def _label(placement):
    rule = PLACEMENTS.get(placement)
    return str(rule.label) if rule else placement


def _booking_rows(figures):
    booking = figures["booking"]
    for row in figures["rows"]:
        yield [booking.advertiser.name, booking.pk, booking.name, _label(row["placement"]), row["day"].isoformat(),
               row["district_name"], row["impressions"], row["clicks"], f"{row['ctr']:.2f}", booking.price,
               booking.get_invoice_state_display()]


def _csv_text(rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    writer.writerows(rows)
    return "\ufeff" + buffer.getvalue()


def booking_csv(booking):
    from .selectors import booking_figures

    return _csv_text(_booking_rows(booking_figures(booking)))


def monthly_csv(report):
    return _csv_text(row for block in report["advertisers"] for figures in block["bookings"]
                     for row in _booking_rows(figures))


def csv_response(text, filename):
    response = HttpResponse(text.encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- PDF ---------------------------------------------------------------------------------------

def font_path():
    """The Japanese font embedded in the PDF: ADS_REPORT_FONT, else Noto Sans JP from pylopdf-fonts-jp."""
    if settings.ADS_REPORT_FONT:
        return Path(settings.ADS_REPORT_FONT)
    import pylopdf_fonts_jp

    return Path(pylopdf_fonts_jp.sans_path())


class ReportPDF(FPDF):
    def __init__(self):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.add_font("jp", "", str(font_path()))
        self.set_font("jp", size=10)
        self.set_auto_page_break(auto=True, margin=15)
        self.set_title("広告掲載レポート")
        self.set_creator(settings.WAGTAIL_SITE_NAME)

    def footer(self):
        self.set_y(-12)
        self.set_font("jp", size=8)
        self.cell(0, 8, f"{settings.WAGTAIL_SITE_NAME}　広告掲載レポート　{self.page_no()} / {{nb}}", align="C")


def _number(value):
    return f"{value:,}"


def _table(pdf, header, rows, widths, text_columns=1):
    """A table whose first ``text_columns`` columns are text (left-aligned) and the rest figures (right-aligned)."""
    pdf.set_font("jp", size=9)
    align = tuple("LEFT" if n < text_columns else "RIGHT" for n in range(len(widths)))
    with pdf.table(col_widths=widths, text_align=align, line_height=6, headings_style=FontFace(fill_color=230),
                   first_row_as_headings=True) as table:
        for values in [header, *rows]:
            line = table.row()
            for value in values:
                line.cell(str(value))
    pdf.ln(4)


def _summary(pdf, block):
    rows = [[f["booking"].name, _label(f["booking"].placement),
             f"{f['booking'].starts_on:%Y/%m/%d}〜{f['booking'].ends_on:%m/%d}", _number(f["impressions"]),
             _number(f["clicks"]), f"{f['ctr']:.2f}%", _number(f["booking"].price),
             f["booking"].get_invoice_state_display()] for f in block["bookings"]]
    rows.append(["合計", "", "", _number(block["impressions"]), _number(block["clicks"]), f"{block['ctr']:.2f}%",
                 _number(block["price"]), ""])
    _table(pdf, ["件名", "掲載枠", "掲載期間", "表示回数", "クリック数", "クリック率", "予約の料金(円)", "請求"], rows,
           (38, 26, 30, 20, 18, 16, 18, 14), text_columns=3)


def _details(pdf, figures):
    booking = figures["booking"]
    pdf.set_font("jp", size=11)
    pdf.cell(0, 8, f"{booking.name}（{_label(booking.placement)}）の内訳", new_x="LMARGIN", new_y="NEXT")
    if not figures["by_day"]:
        pdf.set_font("jp", size=9)
        pdf.cell(0, 6, "この月の表示はありません。", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        return
    _table(pdf, ["日付", "表示回数", "クリック数", "クリック率"],
           [[f"{row['day']:%Y/%m/%d}", _number(row["impressions"]), _number(row["clicks"]), f"{row['ctr']:.2f}%"]
            for row in figures["by_day"]], (40, 30, 30, 30))
    _table(pdf, ["地域", "表示回数", "クリック数", "クリック率"],
           [[row["district_name"], _number(row["impressions"]), _number(row["clicks"]), f"{row['ctr']:.2f}%"]
            for row in figures["by_district"]], (40, 30, 30, 30))


def _advertiser_pages(pdf, report, block):
    pdf.add_page()
    pdf.set_font("jp", size=16)
    pdf.cell(0, 10, f"広告掲載レポート　{report['first']:%Y年%m月}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("jp", size=11)
    advertiser = block["advertiser"]
    pdf.cell(0, 7, f"{advertiser.name}　御中", new_x="LMARGIN", new_y="NEXT")
    if advertiser.corporate_number:
        pdf.cell(0, 6, f"法人番号 {advertiser.corporate_number}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("jp", size=9)
    pdf.cell(0, 6, f"対象期間 {report['first']:%Y/%m/%d}〜{report['last']:%Y/%m/%d}　作成日 {timezone.localdate():%Y/%m/%d}"
                   f"　発行 {settings.WAGTAIL_SITE_NAME}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    _summary(pdf, block)
    for figures in block["bookings"]:
        _details(pdf, figures)
    pdf.set_font("jp", size=8)
    pdf.multi_cell(0, 5, "表示回数は広告画像が実際に読み込まれた回数（検索ロボット・先読み・運営スタッフの閲覧を除く）、"
                         "クリック数は広告のリンクが開かれた回数です。閲覧者を特定する情報は記録していません。")


def monthly_pdf(report):
    """The month's PDF: one section (new page) per advertiser. Returns the PDF's bytes."""
    pdf = ReportPDF()
    if not report["advertisers"]:
        pdf.add_page()
        pdf.cell(0, 10, f"{report['first']:%Y年%m月}の広告掲載はありません。")
    for block in report["advertisers"]:
        _advertiser_pages(pdf, report, block)
    return bytes(pdf.output())
