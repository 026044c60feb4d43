"""
The editor's form of every page of the portal (``base_form_class`` of the page models).

Two corrections to Wagtail's page form:

- **No phantom changes.** A model field with a callable default (an article's 掲載日,
  ``default=timezone.localdate``) makes Django's form compare the posted value with a hidden
  ``initial-<field>`` input, which Wagtail's editor never renders; the form then always reports
  that field as changed. On the edit screen a "change" makes a workflow action (承認) save a new
  revision first, and with ``WAGTAIL_WORKFLOW_REQUIRE_REAPPROVAL_ON_EDIT`` a new revision sends the
  page back to the first task: approving 内容確認 restarted 内容確認. Here every field compares with
  the page's own value, so only a real edit counts as one.
- **Readable slugs.** A Japanese title gets a romanised slug (``pages.slugs``) in place of the
  Japanese one Wagtail would make, while the page has never been published (a published page's
  URL is never changed behind the editor's back). A slug the editor wrote is kept.
"""

from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.coreutils import find_available_slug

from .slugs import propose_slug, replaces_slug


class PortalPageForm(WagtailAdminPageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.show_hidden_initial = False

    def clean_slug(self):
        slug = self.cleaned_data.get("slug", "")
        title = self.cleaned_data.get("title", "")
        if self.instance.first_published_at is not None or not replaces_slug(slug, title):
            return slug
        proposal = propose_slug(title)
        if not proposal:
            return slug
        if self.parent_page is not None:
            proposal = find_available_slug(self.parent_page, proposal, ignore_page_id=self.instance.pk)
        return proposal
