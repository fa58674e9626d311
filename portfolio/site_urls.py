from django.urls import path

from .views import attachments, dashboard, editing, goals, reading, review

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    # Learner
    path("reflections/", reading.reflection_list, name="reflection_list"),
    path("reflections/new/", editing.reflection_create, name="reflection_create"),
    path("reflections/<int:pk>/", reading.reflection_detail, name="reflection_detail"),
    path("reflections/<int:pk>/edit/", editing.reflection_edit, name="reflection_edit"),
    path("reflections/<int:pk>/autosave/", editing.reflection_autosave, name="reflection_autosave"),
    path("reflections/new/autosave/", editing.reflection_autosave_new, name="reflection_autosave_new"),
    path("reflections/<int:pk>/submit/", editing.reflection_submit, name="reflection_submit"),
    path(
        "reflections/<int:pk>/attachments/", attachments.reflection_attachments, name="reflection_attachments"
    ),
    path("reflections/<int:pk>/attachments/<int:aid>/", attachments.attachment_file, name="attachment_file"),
    path(
        "reflections/<int:pk>/attachments/<int:aid>/remove/",
        attachments.attachment_remove,
        name="attachment_remove",
    ),
    path("reflections/<int:pk>/comment/", review.reflection_comment, name="reflection_comment"),
    # Goals (a personal development plan): the learner's own; their tutor reads and comments
    path("goals/", goals.goal_list, name="goal_list"),
    path("goals/new/", goals.goal_create, name="goal_create"),
    path("goals/<int:pk>/", goals.goal_detail, name="goal_detail"),
    path("goals/<int:pk>/edit/", goals.goal_edit, name="goal_edit"),
    path("goals/<int:pk>/review/", goals.goal_review, name="goal_review"),
    path("goals/<int:pk>/comment/", goals.goal_comment, name="goal_comment"),
    # Tutor
    path("review/", review.review_queue, name="review_queue"),
    path("review/<int:pk>/", review.reflection_review, name="reflection_review"),
    path(
        "review/<int:pk>/request-changes/",
        review.reflection_request_changes,
        name="reflection_request_changes",
    ),
    path("review/<int:pk>/sign-off/", review.reflection_sign_off, name="reflection_sign_off"),
]
