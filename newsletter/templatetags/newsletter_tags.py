"""The member's newsletter choices on the profile page (``newsletter/profile_section.html``)."""

from django import template

from .. import services
from ..forms import PreferencesForm

register = template.Library()


@register.simple_tag(takes_context=True)
def newsletter_preferences(context):
    user = context["request"].user
    subscribed, choices = services.member_subscription(user)
    form = PreferencesForm(initial={"subscribed": subscribed, **choices}, prefix=None)
    return {"subscribed": subscribed, "form": form}
