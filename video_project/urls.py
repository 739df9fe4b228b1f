from django.contrib import admin
from django.urls import include, path
from django.views import defaults

from video_share.db_threads import error_page
from video_share.views.accounts import set_language

handler400 = error_page(defaults.bad_request)
handler403 = error_page(defaults.permission_denied)
handler404 = error_page(defaults.page_not_found)
handler500 = error_page(defaults.server_error)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    path("", include("video_share.urls")),
]
