"""
A case's documents: a letter received (scanned), the reply sent, the generated disclosure package.
Stored encrypted with the personal-data keys (``members.crypto``) under a random name in the media
storage, never under a public URL; staff read them through the case's page, each opening audited.
No copy of an identity document is ever stored: the identity check is a record (method, who, when).
"""

import json

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from members.audit import record
from members.crypto import fernet

from . import disclosure
from .audit import ComplianceAction
from .cases import _require_handler
from .models import CaseDocument

MAX_BYTES = 10 * 1024 * 1024
ALLOWED_TYPES = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png", "text/plain": ".txt",
                 "application/json": ".json"}


def _store(case, kind, name, content_type, data, actor):
    document = CaseDocument(case=case, kind=kind, name=name[:200], content_type=content_type, size=len(data),
                            added_by=actor)
    document.file.save("document.bin", ContentFile(fernet().encrypt(data)), save=False)
    document.save()
    record(actor, ComplianceAction.CASE_DOCUMENT_ADD, case.member, target=f"case:{case.pk}", kind=kind)
    return document


@transaction.atomic
def add_document(actor, case, upload, kind=CaseDocument.Kind.RECEIVED):
    """An uploaded file (PDF, JPEG, PNG, text) of up to 10 MB; never an identity document (the form says so)."""
    _require_handler(actor)
    if kind not in (CaseDocument.Kind.RECEIVED, CaseDocument.Kind.REPLY):
        raise ValidationError({"kind": _("選択肢から選んでください。")}, code="invalid_choice")
    if upload is None or not upload.size:
        raise ValidationError({"file": _("ファイルを選んでください。")}, code="required")
    if upload.size > MAX_BYTES:
        raise ValidationError({"file": _("10MB以下のファイルにしてください。")}, code="too_large")
    content_type = (upload.content_type or "").split(";")[0].strip()
    if content_type not in ALLOWED_TYPES:
        raise ValidationError({"file": _("PDF・JPEG・PNG・テキストのファイルを選んでください。")}, code="file_type")
    return _store(case, kind, upload.name or "document", content_type, upload.read(), actor)


@transaction.atomic
def attach_package(actor, case):
    """The member's disclosure package (JSON), generated now and kept with the case as its answer."""
    _require_handler(actor)
    if case.member is None:
        raise ValidationError(_("会員と結びついていない請求には、開示データを作れません。"), code="no_member")
    data = json.dumps(disclosure.package(case.member), ensure_ascii=False, indent=2).encode("utf-8")
    return _store(case, CaseDocument.Kind.PACKAGE, f"disclosure-{case.pk}.json", "application/json", data, actor)


def open_document(actor, document):
    """The document's bytes for staff with the permission: audited, decrypted only here."""
    _require_handler(actor)
    record(actor, ComplianceAction.CASE_DOCUMENT_OPEN, document.case.member, reason=_("開示等の請求への対応"),
           fields=["documents"], target=f"case:{document.case_id}")
    with document.file.open("rb") as stored:
        return fernet().decrypt(stored.read())
