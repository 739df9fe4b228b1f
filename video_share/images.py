"""Uploaded pictures (avatars, posters): checked, upright, resized on the server, and
re-encoded from their pixels alone: comments, EXIF (camera, GPS), XMP and colour profiles
of the upload never reach the stored file (Pillow would otherwise carry some of them over).
"""

from io import BytesIO

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

AVATAR_SIZE = 256
POSTER_WIDTH = 1280
# Larger images are refused before decoding (a decompression bomb is a few KB of PNG that
# expands to gigabytes).
MAX_PIXELS = 40_000_000


def _open_upright(upload) -> Image.Image:
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError(_("This image is too large. Use one under 40 megapixels."))
            image.load()
            upright = ImageOps.exif_transpose(image).convert("RGB")
    except ValidationError:
        raise
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError(
            _("This file is not an image we can read. Use a JPEG, PNG, GIF or WebP picture.")
        ) from exc
    # A new image of the same pixels has no metadata to carry over.
    pixels_only = Image.new("RGB", upright.size)
    pixels_only.paste(upright)
    return pixels_only


def make_avatar(upload) -> ContentFile:
    """A square WebP of AVATAR_SIZE pixels made from an uploaded image file."""
    image = ImageOps.fit(_open_upright(upload), (AVATAR_SIZE, AVATAR_SIZE))
    out = BytesIO()
    image.save(out, "WEBP", quality=85)
    return ContentFile(out.getvalue(), name="avatar.webp")


def make_poster(upload) -> ContentFile:
    """A JPEG at most POSTER_WIDTH wide made from an uploaded image file."""
    image = _open_upright(upload)
    image.thumbnail((POSTER_WIDTH, POSTER_WIDTH * 4))
    out = BytesIO()
    image.save(out, "JPEG", quality=85, optimize=True, progressive=True)
    return ContentFile(out.getvalue(), name="poster.jpg")
