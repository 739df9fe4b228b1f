from django.contrib import admin
from django.urls import include, path

from video_share.views.accounts import set_language

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    path("", include("video_share.urls")),
]
