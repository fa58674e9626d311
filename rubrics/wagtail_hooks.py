"""The rubrics' Wagtail admin, declared once: "Rubrics" menu with competency frameworks
(competencies inline) and rubrics (criteria inline, levels nested inside each criterion, both
reorderable by drag and drop), plus the screens in `admin_views` (marking-grid preview,
publish/retire with confirmation, next version, compare, JSON export/import).

Nested InlinePanel (levels inside criteria) is supported by Wagtail since 2.8 through
modelcluster's nested ParentalKey: `Criterion` is a ClusterableModel whose `levels` are a
ParentalKey child, so the whole rubric is edited and saved as one cluster.

A published or retired rubric never reaches the edit form: "Edit" leads to the "Edit as a new
version" screen, and a POST to its edit URL is refused (the model layer would refuse anyway).
Only programme admins (the `admin` group; superusers) see or reach any of it.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn
from wagtail.admin.widgets.button import Button, HeaderButton
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import (
    DeleteView,
    EditView,
    IndexView,
    SnippetViewSet,
    SnippetViewSetGroup,
)

from . import admin_views as av
from .models import Framework, Rubric


# --- Frameworks -----------------------------------------------------------------------------
class FrameworkForm(WagtailAdminModelForm):
    """Refuses, next to the competency, to delete or recode one that published rubrics or
    reflections rely on (the model layer refuses too; this gives the message in the form)."""

    def clean(self):
        cleaned = super().clean()
        formset = self.formsets.get("competencies")
        if formset is None:
            return cleaned
        for form in formset.forms:
            competency = form.instance
            if competency.pk is None:
                continue
            frozen = competency.criteria.exclude(rubric__status=Rubric.Status.DRAFT).exists()
            tagged = competency.reflections.exists() if hasattr(competency, "reflections") else False
            if form in formset.deleted_forms:
                if frozen or tagged:
                    form.add_error(
                        None,
                        "This competency cannot be deleted: "
                        + ("published rubrics use it" if frozen else "reflections are tagged with it")
                        + ". Edit its title instead.",
                    )
            elif frozen and "code" in form.changed_data:
                form.add_error("code", "Published rubrics use this competency, so its code cannot change.")
        return cleaned


class FrameworkViewSet(SnippetViewSet):
    model = Framework
    icon = "list-ul"
    menu_label = "Competency frameworks"
    list_display = ["title", "code", Column("competency_count", label="Competencies")]
    search_fields = ["title", "code"]
    copy_view_enabled = False
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("title"), FieldPanel("code")]),
            FieldPanel("description"),
            InlinePanel(
                "competencies",
                heading="Competencies",
                label="Competency",
                panels=[
                    FieldRowPanel([FieldPanel("title"), FieldPanel("code")]),
                    FieldPanel("description"),
                ],
                help_text="Drag to reorder. Codes are stable identifiers used by rubrics, reflections "
                "and the API: choose them once.",
            ),
        ],
        base_form_class=FrameworkForm,
    )

    @property
    def permission_policy(self):
        return av.RubricsAdminPolicy(self.model)

    def get_queryset(self, request):
        from django.db.models import Count

        return Framework.objects.annotate(competency_count=Count("competencies"))


# --- Rubrics --------------------------------------------------------------------------------
class RubricForm(WagtailAdminModelForm):
    """Slug rules that keep the version chain intact (unique per rubric, fixed after v1)."""

    def clean_slug(self):
        slug = self.cleaned_data.get("slug")
        instance = self.instance
        if instance.pk is None:
            if Rubric.objects.filter(slug=slug).exists():
                raise ValidationError(
                    "A rubric with this slug already exists. To change it, edit that rubric: "
                    "editing a published rubric makes its next version."
                )
        elif instance.previous_version_id and slug != Rubric.objects.get(pk=instance.pk).slug:
            raise ValidationError(
                "Every version of a rubric shares its slug; it cannot change after version 1."
            )
        elif Rubric.objects.filter(slug=slug).exclude(pk=instance.pk).exists():
            raise ValidationError("Another rubric already uses this slug.")
        return slug


LEVEL_PANELS = [
    FieldRowPanel([FieldPanel("label"), FieldPanel("points")]),
    FieldPanel("descriptor"),
]

CRITERION_PANELS = [
    FieldRowPanel([FieldPanel("title"), FieldPanel("weight")]),
    FieldPanel("description"),
    FieldPanel("competencies", widget=forms.CheckboxSelectMultiple),
    InlinePanel(
        "levels",
        heading="Levels",
        label="Level",
        min_num=2,
        panels=LEVEL_PANELS,
        help_text="Lowest level first; points must rise strictly. Drag to reorder.",
    ),
]


class RubricIndexView(IndexView):
    def get_list_more_buttons(self, instance):
        buttons = [
            b for b in super().get_list_more_buttons(instance) if instance.is_draft or b.label != "Delete"
        ]
        extra = [
            ("Preview as marking grid", "rubrics_admin_grid", "view"),
            ("Compare versions", "rubrics_admin_compare", "history"),
            ("Export JSON", "rubrics_admin_export", "download"),
        ]
        if instance.is_draft:
            extra.append(("Publish…", "rubrics_admin_publish", "upload"))
        elif instance.status == Rubric.Status.PUBLISHED:
            extra.append(("Retire…", "rubrics_admin_retire", "cross"))
        for priority, (label, name, icon) in enumerate(extra, start=30):
            buttons.append(
                MenuItem(label, reverse(name, args=[instance.pk]), icon_name=icon, priority=priority)
            )
        return buttons

    @cached_property
    def header_buttons(self):
        return [
            *super().header_buttons,
            HeaderButton("Import JSON", url=reverse("rubrics_admin_import"), icon_name="upload"),
        ]


class RubricEditView(EditView):
    """Drafts are edited here; a published or retired rubric is frozen, so GET leads to "Edit
    as a new version" and a POST is refused with nothing changed."""

    def dispatch(self, request, *args, **kwargs):
        if av.is_rubrics_admin(request.user):
            rubric = Rubric.objects.filter(pk=self.object_pk).first() if self.object_pk.isdigit() else None
            if rubric is not None and not rubric.is_draft:
                if request.method == "POST":
                    messages.error(
                        request,
                        f"Version {rubric.version} is {rubric.get_status_display().lower()}: its content "
                        "cannot change. Nothing was saved. Create the next version to edit it.",
                    )
                return redirect(reverse("rubrics_admin_new_version", args=[rubric.pk]))
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:  # the model layer's last word (e.g. a concurrent publish)
            form.add_error(None, error)
            self.produced_error_message = " ".join(error.messages)
            return self.form_invalid(form)

    @cached_property
    def header_more_buttons(self):
        pk = self.object.pk
        extra = [
            ("Preview as marking grid", "rubrics_admin_grid", "view"),
            ("Publish…", "rubrics_admin_publish", "upload"),
            ("Compare versions", "rubrics_admin_compare", "history"),
            ("Export JSON", "rubrics_admin_export", "download"),
        ]
        return [
            *super().header_more_buttons,
            *(
                Button(label, url=reverse(name, args=[pk]), icon_name=icon, priority=40 + n)
                for n, (label, name, icon) in enumerate(extra)
            ),
        ]


class RubricDeleteView(DeleteView):
    """Only drafts can be deleted; published and retired versions stay on record."""

    def dispatch(self, request, *args, **kwargs):
        pk = str(kwargs.get("pk", ""))
        rubric = Rubric.objects.filter(pk=pk).first() if pk.isdigit() else None
        if rubric is not None and not rubric.is_draft and av.is_rubrics_admin(request.user):
            messages.error(
                request, "Published and retired rubrics stay on record; only drafts can be deleted."
            )
            return redirect(av.index_url())
        return super().dispatch(request, *args, **kwargs)


class RubricViewSet(SnippetViewSet):
    model = Rubric
    icon = "table"
    menu_label = "Rubrics"
    index_view_class = RubricIndexView
    edit_view_class = RubricEditView
    delete_view_class = RubricDeleteView
    copy_view_enabled = False
    list_display = [
        "title",
        "slug",
        "version",
        StatusTagColumn(
            "status", label="Status", accessor="get_status_display", primary=lambda r: r.status == "published"
        ),
        Column("short_hash", label="Content hash", accessor=lambda r: r.content_hash[:12] or "—"),
        DateColumn("published_at", label="Published", sort_key="published_at"),
    ]
    list_filter = ["status"]
    search_fields = ["title", "slug"]
    ordering = ["slug", "-version"]
    edit_handler = ObjectList(
        [
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("title"), FieldPanel("slug")]),
                    FieldPanel("description"),
                ],
                heading="Rubric",
            ),
            InlinePanel(
                "criteria",
                heading="Criteria",
                label="Criterion",
                min_num=1,
                panels=CRITERION_PANELS,
                help_text="Drag to reorder. Each criterion needs at least two levels; weights are greater "
                "than zero. Publishing checks it all and freezes the content.",
            ),
        ],
        base_form_class=RubricForm,
    )

    @property
    def permission_policy(self):
        return av.RubricsAdminPolicy(self.model)

    def get_queryset(self, request):
        return Rubric.objects.all()


class RubricsGroup(SnippetViewSetGroup):
    menu_label = "Rubrics"
    menu_icon = "table"
    menu_order = 300
    items = (RubricViewSet, FrameworkViewSet)


register_snippet(RubricsGroup)


@hooks.register("register_admin_urls")
def register_rubric_admin_urls():
    return [
        path("rubrics/<int:pk>/grid/", av.GridView.as_view(), name="rubrics_admin_grid"),
        path("rubrics/<int:pk>/publish/", av.PublishView.as_view(), name="rubrics_admin_publish"),
        path("rubrics/<int:pk>/retire/", av.RetireView.as_view(), name="rubrics_admin_retire"),
        path("rubrics/<int:pk>/new-version/", av.NewVersionView.as_view(), name="rubrics_admin_new_version"),
        path("rubrics/<int:pk>/compare/", av.CompareView.as_view(), name="rubrics_admin_compare"),
        path("rubrics/<int:pk>/export.json", av.export_view, name="rubrics_admin_export"),
        path("rubrics/import/", av.ImportView.as_view(), name="rubrics_admin_import"),
    ]
