from django.urls import path

from . import views

urlpatterns = [
    path("", views.my_pack, name="arcp_my_pack"),
    path("packs/<uuid:pk>/download/", views.export_download, name="arcp_export_download"),
    path("panel/", views.panel, name="arcp_panel"),
    path("panel/<int:learner_id>/", views.panel_learner, name="arcp_panel_learner"),
    path("verify/", views.verify_pack, name="arcp_verify"),
]
