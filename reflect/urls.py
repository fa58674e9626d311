"""Site URLs of the bottom layer, included by the project's URL conf."""

from django.urls import path

from . import views

urlpatterns = [
    path("accounts/api-tokens/", views.api_tokens, name="api_tokens"),
]
