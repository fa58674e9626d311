"""Feedback screens under the portfolio page, mounted at ``feedback/`` by `arcp.site_urls`."""

from django.urls import path

from feedback import views as feedback_views

urlpatterns = [
    path("", feedback_views.feedback_list, name="feedback_list"),
    path("invite/", feedback_views.invite, name="feedback_invite"),
]
