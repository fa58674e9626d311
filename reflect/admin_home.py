"""The Wagtail admin's home page, for the people who run a programme.

Wagtail's home page speaks of pages, images and documents, which is not what anyone here
comes to the admin for. It shows instead the same role-aware items as the site's navigation
(`reflect.navigation`: each app's hook, counts from its policies), so the admin's "to do"
and the site's agree, and leaves out the page-editing panels (recent edits, locked pages)
and the summary of page, image and document counts. Wagtail's own workflow panels stay:
they show only when something waits for the person.
"""

from __future__ import annotations

from wagtail.admin.ui.components import Component
from wagtail.admin.views.home import LockedPagesPanel, RecentEditsPanel

from . import navigation

PAGE_PANELS = (RecentEditsPanel, LockedPagesPanel)


class YourWorkPanel(Component):
    name = "reflect_your_work"
    template_name = "reflect/admin/your_work_panel.html"
    order = 10

    def __init__(self, request):
        self.items = navigation.items_for(request)

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context["items"] = self.items
        return context


def construct_panels(request, panels: list) -> None:
    panels[:] = [p for p in panels if not isinstance(p, PAGE_PANELS)]
    panels.insert(0, YourWorkPanel(request))


def construct_summary_items(request, items: list) -> None:
    items.clear()
