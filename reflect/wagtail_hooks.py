"""Wagtail admin of the bottom layer: invitations (who has not accepted yet, send again), an
invitation for every person added in the admin, the "My account" link of the site's
navigation, and the script that starts the widgets Wagtail would start with inline scripts
(the admin's Content-Security-Policy, reflect/middleware.py and templatetags/reflect_csp.py).
"""

from django.contrib import messages
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html
from wagtail import hooks
from wagtail.admin.widgets import ListingButton

from . import admin_home
from .accounts import admin_views as av
from .accounts import services
from .people import display_name


@hooks.register("register_admin_viewset")
def register_invitations_viewset():
    return av.InvitationViewSet()


@hooks.register("register_admin_urls")
def register_invitation_urls():
    return [
        path(
            "reflect/invitations/send/<int:user_id>/",
            av.SendInvitationView.as_view(),
            name="reflect_invitation_send",
        )
    ]


@hooks.register("after_create_user")
def invite_person_added_in_admin(request, user):
    """A person added in the admin without a password gets an invitation to choose one."""
    sent = services.invite_new_person(user, by=request.user, request=request, via="admin")
    if sent is not None:
        messages.info(
            request,
            f"An invitation to choose a password will be e-mailed to {display_name(user)} at {user.email}.",
        )
    elif not user.email and not user.has_usable_password():
        messages.warning(
            request,
            f"{display_name(user)} has no e-mail address, so no invitation was sent. Add an address, "
            "then send one from Invitations.",
        )


@hooks.register("register_user_listing_buttons")
def user_listing_invite_button(user, request_user):
    if not av.may_send(request_user, user):
        return []
    if user.password and user.has_usable_password():
        return []
    return [
        ListingButton(
            "Send invitation",
            url=reverse("reflect_invitation_send", args=[user.pk]),
            icon_name="mail",
            priority=30,
        )
    ]


@hooks.register("insert_global_admin_css")
def admin_colour_fixes():
    """Field borders and status tags with enough contrast (reflect/static/reflect/css/admin.css)."""
    return format_html('<link rel="stylesheet" href="{}">', static("reflect/css/admin.css"))


@hooks.register("insert_global_admin_js")
def admin_csp_script():
    return format_html('<script src="{}"></script>', static("reflect/js/admin-csp.js"))


# The admin's home page: the person's work (the site's navigation items) instead of pages,
# images and documents (reflect/admin_home.py). Late, so Wagtail's own items are there to drop.
hooks.register("construct_homepage_panels", admin_home.construct_panels, order=100)
hooks.register("construct_homepage_summary_items", admin_home.construct_summary_items, order=100)
