from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    # Learner
    path("reflections/", views.reflection_list, name="reflection_list"),
    path("reflections/new/", views.reflection_create, name="reflection_create"),
    path("reflections/<int:pk>/", views.reflection_detail, name="reflection_detail"),
    path("reflections/<int:pk>/edit/", views.reflection_edit, name="reflection_edit"),
    path("reflections/<int:pk>/autosave/", views.reflection_autosave, name="reflection_autosave"),
    path("reflections/new/autosave/", views.reflection_autosave_new, name="reflection_autosave_new"),
    path("reflections/<int:pk>/submit/", views.reflection_submit, name="reflection_submit"),
    path("reflections/<int:pk>/comment/", views.reflection_comment, name="reflection_comment"),
    # Tutor
    path("review/", views.review_queue, name="review_queue"),
    path("review/<int:pk>/", views.reflection_review, name="reflection_review"),
    path(
        "review/<int:pk>/request-changes/",
        views.reflection_request_changes,
        name="reflection_request_changes",
    ),
    path("review/<int:pk>/sign-off/", views.reflection_sign_off, name="reflection_sign_off"),
]
