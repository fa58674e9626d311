"""The host site's home page and site-wide settings. Depends on nothing of ours."""

from django.db import models
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField
from wagtail.models import Page


class HomePage(Page):
    lead = models.CharField(
        max_length=255,
        default="A reflective portfolio for learning that leaves the hospital.",
    )
    body = RichTextField(blank=True, features=["h2", "h3", "bold", "italic", "ol", "ul", "link"])

    content_panels = Page.content_panels + ["lead", "body"]
    max_count = 1


class GuidancePage(Page):
    """A plain guidance page (e.g. "Writing a good reflection")."""

    body = RichTextField(blank=True, features=["h2", "h3", "bold", "italic", "ol", "ul", "link"])
    content_panels = Page.content_panels + ["body"]


@register_setting
class SiteSettings(BaseSiteSetting):
    organisation = models.CharField(max_length=200, default="Demo Medical School")
    support_email = models.EmailField(default="support@example.org")
