"""Avatar images: checked, squared and resized on the server before they are stored."""

from io import BytesIO

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

AVATAR_SIZE = 256
# A small avatar never needs more than this; larger images are refused before decoding
# (a decompression bomb is a few KB of PNG that expands to gigabytes).
MAX_PIXELS = 40_000_000


def make_avatar(upload) -> ContentFile:
    """Return a square WebP of AVATAR_SIZE pixels made from an uploaded image file."""
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError(_("This image is too large. Use one under 40 megapixels."))
            image.load()
            image = ImageOps.exif_transpose(image)
            image = ImageOps.fit(image.convert("RGB"), (AVATAR_SIZE, AVATAR_SIZE))
    except ValidationError:
        raise
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError(
            _("This file is not an image we can read. Use a JPEG, PNG, GIF or WebP picture.")
        ) from exc
    out = BytesIO()
    image.save(out, "WEBP", quality=85)
    return ContentFile(out.getvalue(), name="avatar.webp")
