"""Actions on videos: upload, editing, deleting, and watching them (processing them is in
processing.py)."""

import secrets

from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Min, Q
from django.tasks import task
from django.utils import timezone

from .. import media_access, search, storage
from ..events import recheck_streams_on_commit
from ..media import Probe, ladder
from ..models import Tag, User, Video, View, WatchProgress, WatchTime
from . import notifications
from .people import do_note_language
from .processing import process_video


def do_upload_video(
    *,
    owner: User,
    upload: UploadedFile,
    probe: Probe,
    title: str,
    description: str = "",
    tag_names: list[str] = (),
    visibility: str = Video.Visibility.PUBLIC,
    language: str = "en",
    publish_at=None,
    allow_download: bool = False,
    comment_policy: str = Video.CommentPolicy.OPEN,
) -> Video:
    """Store an upload that probed as a usable video and queue its processing.

    Uploads of one user are processed in order; a user with a backlog gets a lower priority
    than someone else's first upload, so nobody's jobs starve.
    """
    video = Video(
        owner=owner,
        title=title,
        description=description,
        visibility=Video.Visibility.PRIVATE if publish_at else visibility,
        publish_at=publish_at,
        allow_download=allow_download,
        comment_policy=comment_policy,
        source_size=upload.size,
        source_name=(upload.name or "")[:255],
        demuxer=probe.demuxer,
        duration=probe.duration,
        width=probe.width,
        height=probe.height,
        fps=probe.fps,
        video_codec=probe.video_codec,
        audio_codec=probe.audio_codec,
        rotation=probe.rotation,
        pending_heights=ladder(probe),
    )
    # Stored before the transaction: on object storage this takes as long as the upload
    # itself, and no lock or connection should be held meanwhile.
    video.source.name = storage.default_storage.save(f"{video.media_dir}/source", upload)
    try:
        with transaction.atomic():
            backlog = Video.objects.waiting().filter(owner=owner)
            lowest = backlog.aggregate(lowest=Min("queue_priority"))["lowest"]
            video.queue_priority = max(-100, lowest - 1) if lowest is not None else 0
            video.save(force_insert=True)
            video.tags.set(Tag.for_names(tag_names))
            search.index_videos(Video.objects.filter(pk=video.pk))
            do_note_language(owner, language)
            # Enqueued in the same transaction: a committed upload always has its job.
            process_video.using(priority=video.queue_priority).enqueue(video.pk)
            _schedule(video)
    except BaseException:
        storage.delete_quietly(video.source.name)
        raise
    return video


def do_delete_video(video: Video) -> None:
    """Delete a video and, once that is committed, every file it had.

    A job still running for it notices within a second and stops its ffmpeg.
    """
    folder = video.media_dir
    with transaction.atomic():
        media_access.forget_on_commit(video.public_id)
        notifications.announce_about(video=video)
        video.delete()
        transaction.on_commit(lambda: storage.delete_folder(folder))


def _schedule(video: Video) -> None:
    # In the same transaction: a committed schedule always has the job that keeps it.
    if video.publish_at is not None:
        publish_scheduled.using(run_after=video.publish_at).enqueue(video.pk)


@task()
def publish_scheduled(video_id: int) -> None:
    """Make a scheduled video public, if its time has come (its owner may have changed the
    time, or published it by hand, since this job was queued)."""
    do_publish_if_due(video_id)


def do_publish_if_due(video_id: int) -> bool:
    """Publish the video now if its publish time has come: it becomes public, and its
    channel's subscribers are told (once it is also ready to watch)."""
    with transaction.atomic():
        video = (
            Video.objects.select_for_update()
            .filter(pk=video_id, publish_at__lte=timezone.now(), owner__is_active=True)
            .first()
        )
        if video is None:
            return False
        video.visibility = Video.Visibility.PUBLIC
        video.publish_at = None
        video.save(update_fields=["visibility", "publish_at", "updated_at"])
        media_access.forget_on_commit(video.public_id)
        search.index_videos(Video.objects.filter(pk=video.pk))
        notifications.announce_about(video=video)
        notifications.notify_subscribers_when_public(video)
    return True


def do_edit_video(video: Video, data: dict) -> None:
    """Save the owner's edits: title, description, tags, visibility, when it is published,
    downloads and comments."""
    editable = (
        "title",
        "description",
        "visibility",
        "publish_at",
        "allow_download",
        "comment_policy",
    )
    fields = [field for field in editable if field in data]
    with transaction.atomic():
        # As stored: a ModelForm has already copied the new values onto `video`.
        stored = Video.objects.select_for_update().filter(pk=video.pk).values(*fields).get()
        changed = {field for field in fields if stored[field] != data[field]}
        became_private = "visibility" in changed and data["visibility"] == Video.Visibility.PRIVATE
        for field in fields:
            setattr(video, field, data[field])
        video.save(update_fields=[*fields, "updated_at"])
        media_access.forget_on_commit(video.public_id)
        video.tags.set(Tag.for_names(data["tags_text"]))
        search.index_videos(Video.objects.filter(pk=video.pk))
        if became_private:
            recheck_streams_on_commit(video=video)
        if "visibility" in changed:
            notifications.announce_about(video=video)
            notifications.notify_subscribers_when_public(video)
        if "publish_at" in changed:
            _schedule(video)


def do_set_poster(video: Video, *, frame: str = "", image=None) -> None:
    """Make one of the candidate frames, or an uploaded picture, the video's poster."""
    source = storage.default_storage.open(frame, "rb") if frame else image
    name = storage.default_storage.save(
        f"{video.media_dir}/poster-{secrets.token_hex(4)}.jpg", source
    )
    old = video.poster.name
    try:
        with transaction.atomic():
            Video.objects.filter(pk=video.pk).update(poster=name)
            video.poster.name = name
            media_access.forget_on_commit(video.public_id)
            transaction.on_commit(lambda: storage.delete_quietly(old))
    except BaseException:
        storage.delete_quietly(name)
        raise


def do_count_view(video: Video, *, address: str, cookie: str = "", user=None) -> bool:
    """Count a view, once per viewer per video per hour. True if this one counted.

    A signed-in viewer is known by their account, a visitor by their address (what Django
    sees as REMOTE_ADDR), and both by their viewer cookie: if any of these has counted for
    this video this hour, this view does not. A cookie alone would not do, since a client
    that drops it could count as often as it asks; an address alone would count a class of
    signed-in students behind one school address once. Owners watching their own videos
    don't count. The cache answers repeats without touching the database.
    """
    if user is not None and user.pk == video.owner_id:
        return False
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    if user is not None and user.is_authenticated:
        known_by = {"user_id": user.pk}
    else:
        known_by = {"address": View.address_key(address)}
    if cookie:
        known_by["cookie"] = cookie
    keys = [f"viewed:{video.pk}:{hour.timestamp():.0f}:{k}:{v}" for k, v in known_by.items()]
    # Whatever else a viewer presents that was counted is known as counted from now on.
    if known := cache.get_many(keys):
        cache.set_many({key: 1 for key in keys if key not in known}, 3600)
        return False
    seen = Q()
    for field, value in known_by.items():
        seen |= Q(**{field: value})
    counted = False
    with transaction.atomic():
        view = View.objects.filter(seen, video=video, hour=hour).first()
        try:
            with transaction.atomic():
                if view is None:
                    View.objects.create(video=video, hour=hour, **known_by)
                    Video.objects.filter(pk=video.pk).update(view_count=F("view_count") + 1)
                    counted = True
                elif missing := {f: v for f, v in known_by.items() if not getattr(view, f)}:
                    View.objects.filter(pk=view.pk).update(**missing)
        except IntegrityError:
            pass  # another request of this viewer's was counted at this very moment
    cache.set_many(dict.fromkeys(keys, 1), 3600)
    return counted


# How far a progress report may move on from the one before and still count as watched. The
# player reports every 5 seconds of playback (static/js/player.js), on pause and on leaving:
# more is a seek. Nor faster than twice the time between the two reports (the fastest speed
# the player offers is 2×), so that a client cannot report more watching than it had time for.
WATCHED_STEP_SECONDS = 15
WATCHED_SPEED = 2


def do_save_progress(user: User, video: Video, position: float, duration: float) -> None:
    """Remember where a signed-in viewer is in a video (for resume and history), and add what
    they played since their previous report to the video's watch time of the day (unless
    they own it)."""
    duration = max(0.0, min(duration, (video.duration or duration) + 1))
    position = max(0.0, min(position, duration))
    now = timezone.now()
    with transaction.atomic():
        progress, created = WatchProgress.objects.select_for_update().get_or_create(
            user=user, video=video, defaults={"position": position, "duration": duration}
        )
        if created:
            return
        played = position - progress.position
        elapsed = (now - progress.updated_at).total_seconds()
        progress.position, progress.duration = position, duration
        progress.save(update_fields=["position", "duration", "updated_at"])
        if user.pk != video.owner_id and 0 < played <= min(
            WATCHED_STEP_SECONDS, elapsed * WATCHED_SPEED
        ):
            _add_watch_time(video, played, timezone.localdate(now, timezone.get_default_timezone()))


def _add_watch_time(video: Video, seconds: float, day) -> None:
    today = WatchTime.objects.filter(video=video, day=day)
    if today.update(seconds=F("seconds") + seconds):
        return
    try:
        with transaction.atomic():
            WatchTime.objects.create(video=video, day=day, seconds=seconds)
    except IntegrityError:  # another report of the day made the row meanwhile
        today.update(seconds=F("seconds") + seconds)


def do_forget_progress(user: User, video_id: int) -> None:
    WatchProgress.objects.filter(user=user, video_id=video_id).delete()


def do_clear_history(user: User) -> None:
    WatchProgress.objects.filter(user=user).delete()
