"""Screens under /portfolio/marking/ (marking by tutors, marks for learners)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.marking_home, name="marking_home"),
    path("reflection/<int:pk>/start/", views.marking_start, name="marking_start"),
    path("reflection/<int:pk>/results/", views.marking_results, name="marking_results"),
    path("<int:pk>/", views.marking_edit, name="marking_edit"),
    path("<int:pk>/finalise/", views.marking_finalise, name="marking_finalise"),
    path("<int:pk>/view/", views.marking_detail, name="marking_detail"),
    path("<int:pk>/correct/", views.marking_supersede, name="marking_supersede"),
]
