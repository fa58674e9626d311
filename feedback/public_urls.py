"""Public feedback pages (no login): mounted at ``feedback/`` by `arcp.urls`, outside the
portfolio page so a representative never meets a sign-in screen."""

from django.urls import path

from feedback import views as feedback_views

urlpatterns = [
    path("thanks/", feedback_views.thanks, name="feedback_thanks"),
    path("<str:token>/", feedback_views.respond, name="feedback_respond"),
]
