from django.conf import settings
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

urlpatterns = [
    # The Reflect apps: sign-in and account pages, the admin's sign-in redirect (before
    # admin/), the API and the public feedback pages. The one line a host site adds (README).
    path("", include("arcp.urls")),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]

# JSON errors under /api/, the site's own pages elsewhere (reflect/error_views.py).
handler400 = "reflect.error_views.bad_request"
handler403 = "reflect.error_views.permission_denied"
handler404 = "reflect.error_views.page_not_found"
handler500 = "reflect.error_views.server_error"
