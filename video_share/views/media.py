import mimetypes

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.views.decorators.http import require_safe

# Media anyone may fetch. Names carry a random token and never change, so they cache forever.
PUBLIC_PREFIXES = ("avatars/",)


@require_safe
def public_media(request, name: str):
    if not name.startswith(PUBLIC_PREFIXES) or ".." in name.split("/"):
        raise Http404
    try:
        handle = default_storage.open(name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
