"""Feedback screens under the portfolio page, mounted at ``feedback/`` by `arcp.site_urls`."""

from django.urls import path

from feedback import report_views, round_views
from feedback import views as feedback_views

urlpatterns = [
    path("", feedback_views.feedback_list, name="feedback_list"),
    path("invite/", feedback_views.invite, name="feedback_invite"),
    path("rounds/", round_views.round_list, name="colleague_rounds"),
    path("rounds/new/", round_views.round_new, name="colleague_round_new"),
    path("rounds/<int:pk>/", round_views.round_detail, name="colleague_round"),
    path("partners/", report_views.partner_report, name="partner_report"),
]
