"""
The answers of a survey as a file for staff: CSV (UTF-8 with BOM, so Excel reads Japanese) and
XLSX (openpyxl). A cell that a spreadsheet would take for a formula (starting with = + - @, a
tab or a carriage return) is neutralised with a leading apostrophe: answers are residents' text.
"""

import csv
import io

from openpyxl import Workbook

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A cell's text, with anything a spreadsheet would run as a formula made plain text."""
    if value is None:
        return ""
    if isinstance(value, list):
        value = "、".join(str(v) for v in value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def rows(page):
    """The header, then one row per answer (oldest first)."""
    fields = list(page.get_form_fields())
    header = ["回答番号", "回答日時", "地域"] + [field.label for field in fields]
    yield header
    for response in page.responses.select_related("district").order_by("created_at", "pk"):
        yield [str(response.pk), response.created_at.isoformat(timespec="seconds"),
               response.district.title if response.district_id else ""] + [
            response.answers.get(field.clean_name) for field in fields]


def as_csv(page):
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    for row in rows(page):
        writer.writerow([neutralise(cell) for cell in row])
    return buffer.getvalue().encode("utf-8")


def as_xlsx(page):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "回答"
    for row in rows(page):
        sheet.append([neutralise(cell) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
