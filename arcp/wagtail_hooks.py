"""ARCP in the Wagtail admin: the cohort export (admins only)."""

from django.urls import path, reverse
from wagtail import hooks

from . import admin_views as av


@hooks.register("register_admin_urls")
def register_arcp_admin_urls():
    return [
        path("arcp/cohort-export/", av.CohortExportView.as_view(), name="arcp_cohort_export"),
        path(
            "arcp/cohort-export/<int:pk>/",
            av.CohortExportProgressView.as_view(),
            name="arcp_cohort_export_progress",
        ),
        path(
            "arcp/cohort-export/<int:pk>/status/", av.cohort_export_status, name="arcp_cohort_export_status"
        ),
        path(
            "arcp/cohort-export/<int:pk>/download/",
            av.cohort_export_download,
            name="arcp_cohort_export_download",
        ),
    ]


@hooks.register("register_admin_menu_item")
def register_arcp_menu_item():
    return av.CohortExportMenuItem(
        "ARCP cohort export",
        reverse("arcp_cohort_export"),
        name="arcp-cohort-export",
        icon_name="download",
        order=230,
    )
