from django.urls import path

from . import esr_views, sar_views, timeline_views, views
from . import pack_request_views as packs

urlpatterns = [
    path("", views.my_pack, name="arcp_my_pack"),
    path("outcomes/<int:review_id>/acknowledge/", views.acknowledge_outcome, name="arcp_acknowledge"),
    path("outcomes/<int:review_id>/respond/", views.respond_outcome, name="arcp_respond"),
    path("outcomes/<int:review_id>/appeal/", views.appeal_outcome, name="arcp_appeal"),
    # A pack being made in the background: its progress page, its JSON status, "make it now".
    path("packs/made/<uuid:pk>/", packs.pack_request, name="arcp_pack_request"),
    path("packs/made/<uuid:pk>/status/", packs.pack_request_status, name="arcp_pack_request_status"),
    path("packs/made/<uuid:pk>/now/", packs.pack_request_run_now, name="arcp_pack_request_run_now"),
    path("packs/<uuid:pk>/download/", views.export_download, name="arcp_export_download"),
    path("panel/", views.panel, name="arcp_panel"),
    path("panel/<int:learner_id>/", views.panel_learner, name="arcp_panel_learner"),
    path(
        "panel/<int:learner_id>/outcomes/<int:review_id>/correct/",
        views.correct_outcome,
        name="arcp_correct_outcome",
    ),
    path("reports/", esr_views.report_list, name="arcp_esr_list"),
    path("reports/new/<int:learner_id>/", esr_views.report_new, name="arcp_esr_new"),
    path("reports/<int:pk>/", esr_views.report_detail, name="arcp_esr_detail"),
    path("reports/<int:pk>/edit/", esr_views.report_edit, name="arcp_esr_edit"),
    path("reports/<int:pk>/share/", esr_views.report_share, name="arcp_esr_share"),
    path("reports/<int:pk>/sign/", esr_views.report_sign, name="arcp_esr_sign"),
    path("reports/<int:pk>/comment/", esr_views.report_comment, name="arcp_esr_comment"),
    path("learners/", timeline_views.learner_search, name="arcp_learner_search"),
    path("learners/<int:learner_id>/", timeline_views.learner_timeline, name="arcp_timeline"),
    path("coverage/", timeline_views.cohort_heatmap, name="arcp_cohort_coverage"),
    path("verify/", views.verify_pack, name="arcp_verify"),
    path("my-data/", sar_views.subject_access_page, name="arcp_subject_access"),
    path("my-data/download/", sar_views.subject_access_zip, name="arcp_subject_access_zip"),
]
