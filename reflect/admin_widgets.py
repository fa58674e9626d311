"""Admin widgets that start without an inline script, for the admin's Content-Security-Policy.

Wagtail's choosers render `<script>new SnippetChooser(id, options)</script>` after their HTML
(`BaseChooser.render`); these render the same call as a data block that
reflect/static/reflect/js/admin-csp.js starts (reflect/templatetags/reflect_csp.py). A
snippet viewset whose model is chosen in other forms sets
`chooser_viewset_class = CspSnippetChooserViewSet`.
"""

from __future__ import annotations

from django.utils.functional import cached_property
from django.utils.safestring import mark_safe
from wagtail.snippets.views.chooser import SnippetChooserViewSet
from wagtail.snippets.widgets import AdminSnippetChooser

from reflect.templatetags.reflect_csp import csp_init


class CspSnippetChooser(AdminSnippetChooser):
    def render(self, name, value, attrs=None, renderer=None):
        try:
            id_ = attrs["id"]
        except (KeyError, TypeError) as exc:
            raise TypeError("A chooser cannot be rendered without an 'id' attribute") from exc
        value_data = self.get_value_data(value)
        html = self.render_html(name, value_data, attrs)
        options = self.get_js_init_options(id_, name, value_data)
        return mark_safe(html + csp_init(self.js_constructor, id_, options, new=True))


class CspSnippetChooserViewSet(SnippetChooserViewSet):
    @cached_property
    def widget_class(self):
        return CspSnippetChooser(model=self.model, icon=self.icon)
