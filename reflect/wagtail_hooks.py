"""The admin's Content-Security-Policy (reflect/middleware.py): the script that starts the
widgets Wagtail would start with inline scripts (reflect/templatetags/reflect_csp.py)."""

from django.templatetags.static import static
from django.utils.html import format_html
from wagtail import hooks


@hooks.register("insert_global_admin_js")
def admin_csp_script():
    return format_html('<script src="{}"></script>', static("reflect/js/admin-csp.js"))
