"""The viewer's time zone, in which they enter times (a video's publish time): their
browser's, which static/js/app.js keeps in a cookie; the site's (TIME_ZONE) without it."""

import zoneinfo
from urllib.parse import unquote

from django.utils import timezone

COOKIE = "vs_tz"


def viewer_timezone(request) -> zoneinfo.ZoneInfo:
    name = unquote(request.COOKIES.get(COOKIE, ""))
    if name:
        try:
            return zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass  # not a zone this server knows: the site's
    return timezone.get_default_timezone()
