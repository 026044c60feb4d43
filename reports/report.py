"""
The monthly usage report (利用状況報告): built once from the registered figures (``reports.figures``),
then written as CSV, Excel (openpyxl) or PDF (``reports.report_pdf``). Every figure carries its
definition; the CSV and Excel files have them in a column, the PDF in a definitions section.
"""

import csv
import io
import re
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from members.usage import Figure, Table

from .figures import collect

FORMATS = ("pdf", "csv", "xlsx")
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_MONTH = re.compile(r"^([0-9]{4})-([0-9]{2})$")


class MonthError(ValueError):
    """A month that is not YYYY-MM, or not a real month."""


def parse_month(value):
    """The first day of ``value`` ("2026-11"); MonthError with a message a person understands otherwise."""
    found = _MONTH.match((value or "").strip())
    if not found:
        raise MonthError(_("月は YYYY-MM の形で指定してください（例: 2026-11）。「%(value)s」は読めません。") % {"value": value})
    year, month = int(found[1]), int(found[2])
    if not 1 <= month <= 12 or year < 2000:
        raise MonthError(_("「%(value)s」という月はありません。") % {"value": value})
    return date(year, month, 1)


def next_month(first):
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def last_month(today=None):
    today = today or timezone.localdate()
    return date(today.year - 1, 12, 1) if today.month == 1 else date(today.year, today.month - 1, 1)


def month_label(first):
    return _("%(year)s年%(month)s月") % {"year": first.year, "month": first.month}


@dataclass
class Report:
    month: date
    created_at: object
    sections: list

    @property
    def title(self):
        return _("利用状況報告")

    @property
    def month_label(self):
        return month_label(self.month)

    def figures(self):
        """(section label, item) of every figure and table, in order."""
        return [(section.label, item) for section in self.sections for item in section.items]


def build(month):
    """The report of ``month`` (its first day), in the ward's language whatever the caller's."""
    with translation.override(settings.LANGUAGE_CODE):
        return Report(month=month, created_at=timezone.localtime(), sections=collect(month, next_month(month)))


def _csv_rows(report):
    yield [report.title, report.month_label, settings.WAGTAIL_SITE_NAME,
           _("作成 %(when)s") % {"when": f"{report.created_at:%Y-%m-%d %H:%M}"}]
    yield [_("節"), _("項目"), _("値"), _("定義")]
    for section in report.sections:
        if section.error:
            yield [str(section.label), "", section.error, ""]
        for item in section.items:
            if isinstance(item, Figure):
                yield [str(section.label), item.label, item.value, item.definition]
            else:
                yield [str(section.label), item.title, "", item.definition]
                yield ["", "", *item.columns]
                for row in item.rows:
                    yield ["", "", *row]


def to_csv(report):
    """UTF-8 with a byte-order mark, so that Excel opens the Japanese text as it is."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in _csv_rows(report):
        writer.writerow(row)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _sheet_table(sheet, item):
    sheet.append([item.title, "", item.definition])
    sheet.cell(sheet.max_row, 1).font = Font(bold=True)
    sheet.append(list(item.columns))
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in item.rows:
        sheet.append(list(row))
    sheet.append([])


def to_xlsx(report):
    book = Workbook()
    summary = book.active
    summary.title = _("概要")
    summary.append([f"{report.title}　{report.month_label}", settings.WAGTAIL_SITE_NAME])
    summary.append([_("節"), _("項目"), _("値"), _("定義")])
    for section, item in report.figures():
        if isinstance(item, Figure):
            summary.append([str(section), item.label, item.value, item.definition])
    for column, width in zip("ABCD", (22, 36, 14, 90), strict=True):
        summary.column_dimensions[column].width = width
    tables = book.create_sheet(_("表"))
    for section, item in report.figures():
        if isinstance(item, Table):
            tables.append([str(section)])
            _sheet_table(tables, item)
    for sheet in (summary, tables):
        for row in sheet.iter_rows():
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def render(report, fmt):
    """The report as bytes in ``fmt`` (pdf, csv or xlsx), in the ward's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return _render(report, fmt)


def _render(report, fmt):
    if fmt == "csv":
        return to_csv(report)
    if fmt == "xlsx":
        return to_xlsx(report)
    if fmt == "pdf":
        from .report_pdf import to_pdf

        return to_pdf(report)
    raise ValueError(_("形式は pdf、csv、xlsx のいずれかです。"))
