"""
The one way the portal sends a person mail: a member, a subscriber, a moderator. Views and
background tasks call the same function, with the owning app's template path::

    send_templated_mail(member, "moderation/email/refused", {"item": item, "reason": reason})

renders ``moderation/email/refused_subject.txt`` and ``..._body.txt`` (templates/<app>/email/)
in the recipient's language (``language``, or the active one), and sends one message per
recipient, so no one sees another's address.
"""

from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.utils import translation


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
    Send ``template`` to one recipient (a user or an address) or a list of them, one message
    each over one connection. Returns the number of messages sent.
    """
    if isinstance(recipients, str) or not hasattr(recipients, "__iter__"):
        recipients = [recipients]
    subject, body = render_mail(template, context, language)
    messages = [EmailMessage(subject, body, to=[_address(recipient)], headers=headers)
                for recipient in recipients if _address(recipient)]
    if not messages:
        return 0
    with get_connection() as connection:
        return connection.send_messages(messages)
