"""The sitemap (django.contrib.sitemaps): the pages search engines may list. Only listed
videos (public and ready), and the channels that have some."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import User, Video


class PageSitemap(Sitemap):
    def items(self) -> list[str]:
        return ["home"]

    def location(self, name: str) -> str:
        return reverse(name)


class ChannelSitemap(Sitemap):
    def items(self):
        with_videos = Video.objects.listed().values("owner")
        return User.objects.filter(is_active=True, pk__in=with_videos).order_by("pk")


class VideoSitemap(Sitemap):
    def items(self):
        return Video.objects.listed().order_by("-created_at", "-pk")

    def lastmod(self, video: Video):
        return video.updated_at


SITEMAPS = {"pages": PageSitemap, "channels": ChannelSitemap, "videos": VideoSitemap}
