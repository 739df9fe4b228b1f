import secrets
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils import timezone


def new_upload_id() -> str:
    return secrets.token_urlsafe(18)


def partial_uploads_dir() -> Path:
    """Where the bytes of resumable uploads gather (on the disk of the processes that take
    uploads, whatever stores the media): VIDEO_SHARE_DATA_DIR/uploads."""
    return settings.DATA_DIR / "uploads"


class PartialUploadQuerySet(models.QuerySet):
    def expired(self):
        return self.filter(expires_at__lte=timezone.now())

    def live(self):
        return self.filter(expires_at__gt=timezone.now())


class PartialUpload(models.Model):
    """A file being sent by the resumable upload protocol (tus, video_share.resumable): its
    bytes so far are in `path`, `offset` of them, of `length`. Once complete, the upload form
    names it in place of a file; unfinished, it expires (the worker removes it)."""

    id = models.CharField(primary_key=True, max_length=30, default=new_upload_id, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="partial_uploads"
    )
    length = models.BigIntegerField()
    offset = models.BigIntegerField(default=0)
    filename = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    objects = PartialUploadQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["expires_at"])]

    def __str__(self):
        return f"{self.filename or self.id} ({self.offset} of {self.length} bytes)"

    def save(self, *args, **kwargs):
        if self.expires_at is None:
            self.expires_at = timezone.now() + timedelta(
                hours=settings.VIDEO_SHARE_PARTIAL_UPLOAD_HOURS
            )
        super().save(*args, **kwargs)

    @property
    def path(self) -> Path:
        return partial_uploads_dir() / self.id

    @property
    def complete(self) -> bool:
        return self.offset >= self.length
