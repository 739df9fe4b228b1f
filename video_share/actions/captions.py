"""Actions on a video's captions: adding, relabelling and deleting caption files."""

import secrets

from django.core.files.base import ContentFile
from django.db import transaction

from .. import media_access, search, storage
from ..captions import Captions
from ..models import Caption, Video


def do_add_caption(video: Video, captions: Captions, *, language: str, label: str = "") -> Caption:
    """Store a caption file (already read as WebVTT) in the video's media folder, under a name
    of our own, and make its words searchable."""
    name = storage.default_storage.save(
        f"{video.media_dir}/captions-{secrets.token_hex(6)}.vtt",
        ContentFile(captions.vtt.encode()),
    )
    try:
        with transaction.atomic():
            caption = Caption.objects.create(
                video=video, language=language, label=label, file=name, text=captions.text
            )
            _changed(video)
    except BaseException:
        storage.delete_quietly(name)
        raise
    return caption


def do_edit_caption(caption: Caption, *, language: str, label: str) -> None:
    caption.language, caption.label = language, label
    caption.save(update_fields=["language", "label"])


def do_delete_caption(caption: Caption) -> None:
    """Delete a caption file, and once that is committed, its stored file."""
    name = caption.file.name
    with transaction.atomic():
        caption.delete()
        _changed(caption.video)
        transaction.on_commit(lambda: storage.delete_quietly(name))


def _changed(video: Video) -> None:
    """Its files and searchable words changed."""
    media_access.forget_on_commit(video.public_id)
    search.index_videos(Video.objects.filter(pk=video.pk))
