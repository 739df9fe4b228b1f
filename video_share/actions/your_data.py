"""A person's own data: a copy of all of it to download, and deleting their account."""

import io
import json
import secrets
import zipfile
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.db import transaction
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from .. import media_access, search, storage
from ..digests import absolute
from ..events import recheck_streams_on_commit
from ..models import Comment, DataExport, Notification, User, Video, WatchProgress
from . import notifications
from .videos import do_delete_video


def do_request_export(user: User) -> DataExport:
    """Ask the worker for a new copy of the person's data; they are notified when it is
    ready. One at a time: while one is being made, asking again returns it."""
    with transaction.atomic():
        pending = user.exports.filter(ready_at__isnull=True).first()
        if pending is not None and pending.requested_at > timezone.now() - timedelta(hours=1):
            return pending
        export = DataExport.objects.create(user=user)
        # Enqueued in the same transaction: a committed request always has its job.
        build_export.enqueue(export.pk)
    return export


@task()
def build_export(export_id: int) -> None:
    """Make the archive of an export: the person's profile, videos (with their addresses),
    comments, history, subscriptions and playlists, as JSON files in a zip."""
    export = DataExport.objects.select_related("user").filter(pk=export_id).first()
    if export is None or export.ready_at is not None:
        return
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for name, data in export_contents(export.user).items():
            text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
            zipped.writestr(f"{name}.json", text)
    name = storage.default_storage.save(
        f"exports/{export.user_id}/{secrets.token_hex(8)}.zip", ContentFile(archive.getvalue())
    )
    with transaction.atomic():
        older = list(export.user.exports.exclude(pk=export.pk).exclude(file=""))
        DataExport.objects.filter(pk__in=[old.pk for old in older]).delete()
        DataExport.objects.filter(pk=export.pk).update(
            file=name, size=archive.tell(), ready_at=timezone.now()
        )
        transaction.on_commit(lambda: storage.delete_quietly(*(old.file.name for old in older)))
        notifications.notify(export.user, Notification.Kind.EXPORT_READY)


def export_contents(user: User) -> dict:
    """What an export holds, file by file."""
    videos = Video.objects.filter(owner=user).prefetch_related("tags", "renditions")
    return {
        "profile": {
            "username": user.username,
            "display_name": user.display_name,
            "email": user.email,
            "bio": user.bio,
            "language": user.language,
            "joined": user.date_joined,
            "channel": absolute(user.get_absolute_url()),
        },
        "videos": [
            {
                "title": video.title,
                "description": video.description,
                "tags": video.tag_names(),
                "visibility": video.visibility,
                "status": video.status,
                "uploaded": video.created_at,
                "duration_seconds": video.duration,
                "views": video.view_count,
                "likes": video.like_count,
                "dislikes": video.dislike_count,
                "original_file_name": video.source_name,
                "watch": absolute(video.get_absolute_url()),
                # The renditions, to download while signed in (private ones are yours alone).
                "files": [
                    absolute(
                        reverse(
                            "video_media",
                            args=[video.public_id, rendition.file.name.rsplit("/", 1)[-1]],
                        )
                    )
                    for rendition in sorted(video.renditions.all(), key=lambda r: -r.height)
                ],
            }
            for video in videos
        ],
        "comments": [
            {
                "video": absolute(comment.video.get_absolute_url()),
                "text": comment.body,
                "posted": comment.created_at,
                "edited": comment.edited_at,
                "reply_to": comment.parent_id,
                "id": comment.pk,
            }
            for comment in Comment.objects.filter(author=user).select_related("video")
        ],
        "history": [
            {
                "video": absolute(entry.video.get_absolute_url()),
                "title": entry.video.title,
                "position_seconds": entry.position,
                "watched": entry.updated_at,
            }
            for entry in WatchProgress.objects.filter(user=user).select_related("video")
        ],
        "subscriptions": [
            absolute(channel.get_absolute_url())
            for channel in User.objects.filter(subscribers__subscriber=user)
        ],
        "playlists": [
            {
                "title": str(playlist.name),
                "description": playlist.description,
                "visibility": playlist.visibility,
                "videos": [
                    absolute(item.video.get_absolute_url())
                    for item in playlist.items.select_related("video").order_by("position")
                ],
            }
            for playlist in user.playlists.all()
        ],
    }


def do_request_deletion(user: User, *, keep_content: bool) -> None:
    """Delete the person's account in VIDEO_SHARE_ACCOUNT_DELETION_DAYS, unless they cancel
    before: with everything they made, or keeping their videos and comments under an
    anonymous name (`keep_content`)."""
    when = timezone.now() + timedelta(days=settings.VIDEO_SHARE_ACCOUNT_DELETION_DAYS)
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(
            deletion_at=when, deletion_keeps_content=keep_content
        )
        user.deletion_at, user.deletion_keeps_content = when, keep_content
        delete_account.using(run_after=when).enqueue(user.pk)


def do_cancel_deletion(user: User) -> None:
    User.objects.filter(pk=user.pk).update(deletion_at=None)
    user.deletion_at = None


@task()
def delete_account(user_id: int) -> None:
    """Delete an account whose time has come (the person may have cancelled since)."""
    do_delete_account_if_due(user_id)


def do_delete_account_if_due(user_id: int) -> bool:
    user = User.objects.filter(pk=user_id, deletion_at__lte=timezone.now()).first()
    if user is None:
        return False
    if user.deletion_keeps_content:
        _anonymise(user)
    else:
        for video in Video.objects.filter(owner=user):
            do_delete_video(video)  # its files too, once committed
        files = _files_of(user)
        with transaction.atomic():
            recheck_streams_on_commit(user=user)
            user.delete()
            transaction.on_commit(lambda: storage.delete_quietly(*files))
    return True


def _files_of(user: User) -> list[str]:
    """The stored files an account has of its own (not its videos'): exports, avatar."""
    return [export.file.name for export in user.exports.all()] + [user.avatar.name]


def _anonymise(user: User) -> None:
    """Keep what the person made, under a name that is no longer theirs: the account can't
    be used again and holds nothing personal."""
    files = _files_of(user)
    with transaction.atomic():
        user.username = f"deleted-{secrets.token_hex(6)}"
        user.display_name = ""
        user.email = ""
        user.verified_email = ""
        user.bio = ""
        user.avatar = ""
        user.is_active = False
        user.password = make_password(None)
        user.deletion_at = None
        user.save()
        user.exports.all().delete()
        user.playlists.all().delete()
        WatchProgress.objects.filter(user=user).delete()
        recheck_streams_on_commit(user=user)
        for video in Video.objects.filter(owner=user):
            media_access.forget_on_commit(video.public_id)
        search.index_videos(Video.objects.filter(owner=user))  # the channel's name is searched
        transaction.on_commit(lambda: storage.delete_quietly(*files))
