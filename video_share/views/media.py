"""Media files, each checked against the requester's permission before a byte is sent."""

import asyncio

from django.http import Http404
from django.views.decorators.http import require_safe

from ..models import Rendition, Video
from ..serving import serve, stat

# Media anyone may fetch. Names carry a random token and never change, so they cache forever.
PUBLIC_PREFIXES = ("avatars/",)


@require_safe
async def public_media(request, name: str):
    if not name.startswith(PUBLIC_PREFIXES) or ".." in name.split("/"):
        raise Http404
    stored = await asyncio.to_thread(stat, name)
    return await serve(request, stored, cache_control="public, max-age=31536000, immutable")


@require_safe
async def video_media(request, public_id: str, name: str):
    """A video's poster, renditions and (for its owner) candidate frames — each only to those
    who may see the video. The source upload is never served."""
    video = await Video.objects.filter(public_id=public_id).afirst()
    if video is None or "/" in name:
        raise Http404
    user = await request.auser()
    stored_name = f"{video.media_dir}/{name}"
    if stored_name in video.frames:
        allowed = video.can_edit(user)
    elif (
        stored_name == video.poster.name
        or await Rendition.objects.filter(video=video, file=stored_name).aexists()
    ):
        allowed = video.can_view(user)
    else:
        allowed = False
    if not allowed:
        raise Http404
    stored = await asyncio.to_thread(stat, stored_name)
    # Names never change (a new file gets a new name), but who may see a video can: only the
    # browser keeps a copy, never a shared cache.
    return await serve(request, stored, cache_control="private, max-age=86400")
