"""Account URLs, mounted at /accounts/ by the host's URL conf (config/urls.py):

    path("accounts/", include("reflect.accounts.urls"))

Our own pages first, then django-allauth's (sign-in, sign-out, password reset and change,
two-factor, sessions, single sign-on). Pages that make no sense here answer 404: sign-up
(the programme creates accounts), e-mail address management (the programme holds each
person's address), sign-in by e-mailed code.
"""

from django.http import Http404
from django.urls import include, path, re_path

from . import views


def _not_here(request, *args, **kwargs):
    raise Http404("Not available on this site.")


urlpatterns = [
    path("invitation/<str:token>/", views.invitation, name="reflect_invitation"),
    path("my-account/", views.my_account, name="reflect_my_account"),
    path("sign-out-everywhere/", views.sign_out_everywhere, name="reflect_sign_out_everywhere"),
    re_path(r"^signup/", _not_here),
    re_path(r"^email/", _not_here),
    re_path(r"^confirm-email/", _not_here),
    re_path(r"^login/code/", _not_here),
    path("", include("allauth.urls")),
]
