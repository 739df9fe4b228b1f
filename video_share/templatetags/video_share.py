from django import template
from django.urls import reverse

register = template.Library()


@register.filter
def media_url(video, name: str) -> str:
    """URL of one of a video's stored files (poster, rendition, frame)."""
    if not name:
        return ""
    return reverse(
        "video_media", kwargs={"public_id": video.public_id, "name": name.rsplit("/", 1)[-1]}
    )


@register.filter
def duration(seconds) -> str:
    """1:05 or 1:02:03."""
    if seconds is None:
        return ""
    total = int(round(float(seconds)))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@register.filter
def can_edit(video, user) -> bool:
    return video.can_edit(user)
