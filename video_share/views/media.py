"""Media files, each checked against the requester's permission before a byte is sent."""

import asyncio

from asgiref.sync import sync_to_async
from django.http import Http404
from django.views.decorators.http import require_safe

from .. import media_access
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
    if "/" in name:
        raise Http404
    found, access = media_access.cached(public_id)
    if not found:
        access = await sync_to_async(media_access.load)(public_id)
    stored_name = f"videos/{public_id}/{name}"
    if access is None or not access.allows(await request.auser(), stored_name):
        raise Http404
    stored = await asyncio.to_thread(stat, stored_name)
    # Names never change (a new file gets a new name), but who may see a video can: only the
    # browser keeps a copy, never a shared cache.
    return await serve(request, stored, cache_control=access.cache_control(stored_name))
