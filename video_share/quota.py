"""The storage quota: what one person keeps (their videos, and their resumable uploads under
way), and the largest file they may upload now."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Sum
from django.utils.translation import gettext

from .body_limits import MB
from .templatetags.video_share import decimal_size


@dataclass(frozen=True)
class Storage:
    """What one person keeps against the storage quota, and the largest file they may
    upload now."""

    used: int
    quota: int  # 0: no quota
    per_file: int

    @classmethod
    def of(cls, user, *, besides: str = "") -> "Storage":
        """What `user` keeps: their videos, and their resumable uploads under way (at their
        full length) but the one `besides`."""
        quota = settings.VIDEO_SHARE_USER_QUOTA_MB * MB
        used = 0
        if quota and user is not None:
            partial = user.partial_uploads.live().exclude(pk=besides)
            used = user.videos.stored_bytes() + (partial.aggregate(n=Sum("length"))["n"] or 0)
        return cls(used=used, quota=quota, per_file=settings.VIDEO_SHARE_MAX_UPLOAD_MB * MB)

    @property
    def left(self) -> int:
        return max(0, self.quota - self.used)

    @property
    def full(self) -> bool:
        return bool(self.quota) and not self.left

    @property
    def file_limit(self) -> int:
        return min(self.per_file, self.left) if self.quota else self.per_file

    def too_large_message(self, size: int) -> str:
        """Why a file of `size` bytes may not be uploaded now, if it may not."""
        if size > self.per_file:
            return gettext("This file is larger than the limit of %(size)s.") % {
                "size": decimal_size(self.per_file)
            }
        if self.quota and size > self.left:
            return gettext(
                "This upload would take you past your storage quota of %(quota)s "
                "(%(used)s used). Delete some videos first."
            ) % {"quota": decimal_size(self.quota), "used": decimal_size(self.used)}
        return ""
