"""Media files, each checked against the requester's permission before a byte is sent.

On object storage, what anyone with the link may see is answered with a redirect to a
presigned URL there, so that Range, seeking and bandwidth are the object store's; the rest
(a private video's files, the owner's candidate frames) is streamed from here with ranged reads.
"""

import asyncio

from django.http import Http404
from django.views.decorators.http import require_safe

from .. import db_pool, media_access, storage
from ..serving import serve, serve_elsewhere, stat

# Media anyone may fetch. Names carry a random token and never change, so they cache forever.
PUBLIC_PREFIXES = ("avatars/",)


@require_safe
async def public_media(request, name: str):
    if not name.startswith(PUBLIC_PREFIXES) or ".." in name.split("/"):
        raise Http404
    if url := await asyncio.to_thread(storage.offsite_url, name):
        return serve_elsewhere(url)
    stored = await asyncio.to_thread(stat, name)
    return await serve(request, stored, cache_control="public, max-age=31536000, immutable")


@require_safe
async def video_media(request, public_id: str, name: str):
    """A video's poster, renditions, captions and (for its owner) candidate frames — each only
    to those who may see the video. The source upload is never served. `?download` (the
    Download menu): sent as an attachment, to save rather than play."""
    if "/" in name:
        raise Http404
    found, access = media_access.cached(public_id)
    if not found:
        access = await db_pool.run(media_access.load, public_id)
    stored_name = f"videos/{public_id}/{name}"
    # Who asks is read only if it matters (not for a public video's files).
    if access is None or not await db_pool.run_soon(_allows, access, request, stored_name):
        raise Http404
    download = "download" in request.GET
    if access.may_leave_site(stored_name) and (
        url := await asyncio.to_thread(storage.offsite_url, stored_name, download=download)
    ):
        return serve_elsewhere(url)
    stored = await asyncio.to_thread(stat, stored_name)
    # Names never change (a new file gets a new name), but who may see a video can: only the
    # browser keeps a copy, never a shared cache.
    response = await serve(request, stored, cache_control=access.cache_control(stored_name))
    if download:
        response["Content-Disposition"] = "attachment"
    return response


def _allows(access, request, stored_name: str) -> bool:
    return access.allows(request.user, stored_name)
