from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VideoShareConfig(AppConfig):
    name = "video_share"
    verbose_name = _("Video Share")

    def ready(self):
        # The parts that {% personal %} blocks name: registered where they are defined.
        from . import context_processors  # noqa: F401
        from .bus import install
        from .views import channels, comment_section, videos  # noqa: F401

        # Events from other processes, through Redis (when it is set).
        install()
