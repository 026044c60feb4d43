"""
The one way the portal sends a person mail: a member, a subscriber, a moderator. Views and
background tasks call the same function, with the owning app's template path::

    send_templated_mail(member, "moderation/email/refused", {"item": item, "reason": reason})

renders ``moderation/email/refused_subject.txt`` and ``..._body.txt`` (templates/<app>/email/)
in the recipient's language (``language``; else a member's own ``User.language``; else the active
one), one message per recipient, so no one sees another's address, and puts them in the outbox (``members.outbox``): they are sent
by a job after the transaction commits, retried while the mail server is away, never lost.
"""

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation

from . import outbox, selectors


def _address(recipient):
    return recipient if isinstance(recipient, str) else recipient.email


def render_mail(template, context, language=None):
    """(subject, body) of ``template`` rendered in ``language`` (the active one when None)."""
    with translation.override(language or translation.get_language()):
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        body = render_to_string(f"{template}_body.txt", context)
    return subject, body


def send_templated_mail(recipients, template, context, *, language=None, headers=None):
    """
    Queue ``template`` for one recipient (a user or an address) or a list of them, one message
    each. Returns the number of messages queued; they leave once the transaction commits.
    """
    if isinstance(recipients, str) or not hasattr(recipients, "__iter__"):
        recipients = [recipients]
    by_language = {}
    for recipient in recipients:
        by_language.setdefault(language or getattr(recipient, "language", None), []).append(_address(recipient))
    return sum(send_rendered_mail(addresses, *render_mail(template, context, lang), template=template, headers=headers)
               for lang, addresses in by_language.items())


# Mail still sent to a member who stopped the use of their data (利用停止): what they ask for
# themselves at that moment — their log-in and address mails (members) and the answers to their
# own requests (compliance). Everything else to their address is dropped here, for every app.
SENT_DESPITE_STOP = ("members/email/", "compliance/email/")


def send_rendered_mail(addresses, subject, body, *, template, headers=None):
    """
    Queue a mail already rendered (say, by a Django form's own templates) for each address.
    ``template`` names the kind of mail in the outbox's list.
    """
    addresses = [address for address in addresses if address]
    if not template.startswith(SENT_DESPITE_STOP):
        stopped = selectors.stopped_addresses(addresses)
        addresses = [address for address in addresses if address not in stopped]
    messages = [EmailMessage(subject, body, to=[address], headers=headers) for address in addresses]
    return outbox.queue(messages, template)
