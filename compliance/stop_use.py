"""
利用停止 at the member's request, without withdrawal: the account is frozen — no mail to them
(``members.mail``), nothing of theirs listed (``moderation.selectors`` through
``members.selectors.listed_author``), no posting — until lifted; the data is kept. The member still
logs in, to see their data and lift the stop, and nothing else. Not a sanction: a suspension by
staff (``is_active`` False) stops the log-in too; this one is the member's own choice.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone
from django.utils.translation import gettext as _

from members.audit import record
from members.selectors import use_stopped
from moderation import registry

from .audit import ComplianceAction


def _announce_contributions(member):
    """
    Tell whoever follows the member's contributions (the search index, the page cache) that they
    changed: each is sent ``post_save`` as if saved, so what lists them looks again at whether it is
    visible — the rows themselves are not written.
    """
    for kind in registry.kinds():
        for item in kind.model.objects.filter(**{kind.author_field: member}).iterator():
            post_save.send(sender=kind.model, instance=item, created=False, update_fields=None, raw=False,
                           using=item._state.db)


def is_stopped(member):
    return use_stopped(member)


@transaction.atomic
def stop(member, *, actor=None, case=None):
    """Stop the use of ``member``'s data (the decision on a 利用停止 case, or the member's own request)."""
    if member.withdrawn_at is not None:
        raise ValidationError(_("退会した会員です。"), code="withdrawn")
    if use_stopped(member):
        raise ValidationError(_("すでに利用停止中です。"), code="already_stopped")
    member.use_stopped_at = timezone.now()
    member.save(update_fields=["use_stopped_at"])
    _announce_contributions(member)
    record(actor or member, ComplianceAction.USE_STOP, member, target=f"case:{case.pk}" if case else "")
    return member


@transaction.atomic
def lift(member, *, actor):
    """Lift the stop: only the member themselves (logged in) asks for it."""
    if actor is None or actor.pk != member.pk:
        raise PermissionDenied(_("利用停止を解除できるのは本人だけです。"))
    if not use_stopped(member):
        raise ValidationError(_("利用停止中ではありません。"), code="not_stopped")
    member.use_stopped_at = None
    member.save(update_fields=["use_stopped_at"])
    _announce_contributions(member)
    record(actor, ComplianceAction.USE_LIFT, member)
    return member
