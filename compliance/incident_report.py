"""
The written incident report (事故報告書) as a PDF: the portal's record of the incident laid out
under the nine items the commission asks for (個人情報保護法施行規則第8条第1項各号), with the
clocks and the timeline; for the ward's written report and as the basis of the commission's
forms. Drawn by fpdf2 with a Japanese font embedded (text stays extractable): ADS_REPORT_FONT if
set (the same font the ads' reports use), else Noto Sans JP from pylopdf-fonts-jp.
"""

import logging
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from fpdf import FPDF
from fpdf.fonts import FontFace

from .incidents import clocks, commission_required, data_item_labels

logging.getLogger("fontTools").setLevel(logging.WARNING)  # its subsetter logs every glyph at INFO

# 規則第8条第1項第1号～第9号, in the commission's words.
NINE_ITEMS = (
    "概要",
    "漏えい等が発生し、又は発生したおそれがある個人データの項目",
    "漏えい等が発生し、又は発生したおそれがある個人データに係る本人の数",
    "原因",
    "二次被害又はそのおそれの有無及びその内容",
    "本人への対応の実施状況",
    "公表の実施状況",
    "再発防止のための措置",
    "その他参考となる事項",
)


def font_path():
    if getattr(settings, "ADS_REPORT_FONT", ""):
        return Path(settings.ADS_REPORT_FONT)
    import pylopdf_fonts_jp

    return Path(pylopdf_fonts_jp.sans_path())


def _when(value):
    return timezone.localtime(value).strftime("%Y年%m月%d日 %H:%M") if value else "—"


def _overview(incident):
    lines = [incident.description, f"種類: {incident.get_category_display()}",
             f"発覚日時: {_when(incident.discovered_at)}"]
    if incident.discovered_by:
        lines.append(f"発見者: {incident.discovered_by.get_full_name()}")
    if incident.measures:
        lines.append(f"実施した措置: {incident.measures}")
    return "\n".join(lines)


def item_texts(incident):
    """The nine items' contents, in order (empty ones say so)."""
    notified = incident.notifications.count()
    response = incident.member_response or ""
    if notified:
        response = (response + "\n" if response else "") + f"通知メール送信済み {notified} 人"
    other = incident.other_notes or ""
    if incident.encrypted_keys_intact:
        other = (other + "\n" if other else "") + "高度な暗号化がされ、復号の鍵は漏えいしていない。"
    if incident.wrongful_purpose:
        other = (other + "\n" if other else "") + "不正の目的をもって行われたおそれがある。"
    return [_overview(incident), "、".join(str(label) for label in data_item_labels(incident)),
            f"{incident.affected_count} 人", incident.cause, incident.secondary_damage, response,
            incident.publication, incident.prevention, other]


class IncidentPDF(FPDF):
    def __init__(self, incident):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.incident = incident
        self.add_font("jp", "", str(font_path()))
        self.set_font("jp", size=10)
        self.set_auto_page_break(auto=True, margin=15)
        self.set_title("個人データの漏えい等に関する報告書")
        self.set_creator(settings.WAGTAIL_SITE_NAME)

    def footer(self):
        self.set_y(-12)
        self.set_font("jp", size=8)
        self.cell(0, 8, f"{settings.WAGTAIL_SITE_NAME}　事故報告書 #{self.incident.pk}　{self.page_no()} / {{nb}}",
                  align="C")


def _heading(pdf):
    incident = pdf.incident
    pdf.set_font("jp", size=15)
    pdf.cell(0, 10, "個人データの漏えい等に関する報告書", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("jp", size=10)
    pdf.cell(0, 6, f"件名: {incident.title}（#{incident.pk}、{incident.get_state_display()}）", new_x="LMARGIN",
             new_y="NEXT")
    pdf.cell(0, 6, f"作成日: {timezone.localdate():%Y年%m月%d日}　報告者: {settings.WAGTAIL_SITE_NAME}",
             new_x="LMARGIN", new_y="NEXT")
    if not commission_required(incident):
        pdf.cell(0, 6, "個人情報保護委員会への報告: 不要（高度な暗号化・鍵の漏えいなし）", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def _table(pdf, rows, widths):
    pdf.set_font("jp", size=9)
    with pdf.table(col_widths=widths, text_align="LEFT", line_height=6, headings_style=FontFace(fill_color=230),
                   first_row_as_headings=True) as table:
        for values in rows:
            line = table.row()
            for value in values:
                line.cell(str(value))
    pdf.ln(3)


def incident_pdf(incident):
    """The written report of ``incident`` as PDF bytes."""
    pdf = IncidentPDF(incident)
    pdf.alias_nb_pages()
    pdf.add_page()
    _heading(pdf)
    _table(pdf, [["報告", "期限", "送付"]] + [
        [clock.label, _when(clock.due), _when(clock.done_at) if clock.done_at else ("未送付" if clock.required else "不要")]
        for clock in clocks(incident)], (70, 55, 55))
    for number, (title, text) in enumerate(zip(NINE_ITEMS, item_texts(incident), strict=True), start=1):
        pdf.set_font("jp", size=11)
        pdf.multi_cell(0, 7, f"{number}. {title}", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("jp", size=9)
        pdf.multi_cell(0, 5, (text or "").strip() or "（記載なし）", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    events = list(incident.events.select_related("by"))
    if events:
        pdf.set_font("jp", size=11)
        pdf.cell(0, 7, "経過", new_x="LMARGIN", new_y="NEXT")
        _table(pdf, [["日時", "内容", "記録者"]] + [
            [_when(event.at), event.what, event.by.get_full_name() if event.by else "自動記録"] for event in events],
            (40, 110, 30))
    return bytes(pdf.output())
