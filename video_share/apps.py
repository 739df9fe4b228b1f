from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VideoShareConfig(AppConfig):
    name = "video_share"
    verbose_name = _("Video Share")

    def ready(self):
        from . import checks  # noqa: F401  (registers the checks)
