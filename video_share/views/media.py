import mimetypes

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from ..models import Video

# Media anyone may fetch. Names carry a random token and never change, so they cache forever.
PUBLIC_PREFIXES = ("avatars/",)


def _serve(name: str, *, public: bool):
    try:
        handle = default_storage.open(name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    # Stored names never change (a new file gets a new random name).
    scope = "public" if public else "private"
    response["Cache-Control"] = f"{scope}, max-age=31536000, immutable"
    return response


@require_safe
def public_media(request, name: str):
    if not name.startswith(PUBLIC_PREFIXES) or ".." in name.split("/"):
        raise Http404
    return _serve(name, public=True)


@require_safe
def video_media(request, public_id: str, name: str):
    """A video's poster, renditions and (for its owner) candidate frames — each only to those
    who may see the video. The source upload is never served."""
    video = get_object_or_404(Video, public_id=public_id)
    stored = f"{video.media_dir}/{name}"
    if stored in video.frames:
        allowed = video.can_edit(request.user)
    elif stored == video.poster.name or video.renditions.filter(file=stored).exists():
        allowed = video.can_view(request.user)
    else:
        allowed = False
    if not allowed:
        raise Http404
    return _serve(stored, public=video.visibility == Video.Visibility.PUBLIC)
