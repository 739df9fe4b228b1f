"""Actions on videos: upload, processing, editing, deleting, and watching them."""

import secrets
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import media_access, search, storage
from ..events import (
    publish_on_commit,
    recheck_streams_on_commit,
    render_fragment,
    user_channel,
)
from ..media import Probe, ladder
from ..models import (
    Notification,
    Rendition,
    Tag,
    User,
    Video,
    View,
    WatchProgress,
)
from . import notifications
from .people import do_note_language


def _media_changed(video: Video) -> None:
    """Who may fetch which files of this video may have changed."""
    transaction.on_commit(lambda: media_access.forget(video.public_id))


def _publish_video_state(video: Video) -> None:
    """Tell the owner's open pages how processing goes (their private channel)."""
    _media_changed(video)
    owner = video.owner
    html = render_fragment(
        "video_share/watch.html#player",
        {"video": video, "user": owner, "renditions": list(video.renditions.all()), "live": True},
        owner.language,
    )
    publish_on_commit(user_channel(owner.pk), f"video-{video.public_id}", html)


def _announce_when_public(video: Video) -> None:
    """A video becomes public and watchable: its channel's subscribers are told, once, by a
    background task."""
    from ..tasks import notify_subscribers

    if video.is_playable and video.visibility == Video.Visibility.PUBLIC and not video.announced_at:
        transaction.on_commit(lambda: notify_subscribers.enqueue(video.pk))


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
) -> Video:
    """Store an upload that probed as a usable video and queue its processing.

    Uploads of one user are processed in order; a user with a backlog gets a lower priority
    than someone else's first upload, so nobody's jobs starve.
    """
    from ..tasks import process_video

    stored = ""
    try:
        with transaction.atomic():
            backlog = Video.objects.waiting().filter(owner=owner)
            lowest = backlog.aggregate(lowest=Min("queue_priority"))["lowest"]
            video = Video.objects.create(
                owner=owner,
                title=title,
                description=description,
                visibility=visibility,
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
                queue_priority=max(-100, lowest - 1) if lowest is not None else 0,
            )
            video.tags.set(Tag.for_names(tag_names))
            search.index_videos(Video.objects.filter(pk=video.pk))
            stored = storage.default_storage.save(f"{video.media_dir}/source", upload)
            video.source.name = stored
            video.save(update_fields=["source"])
            do_note_language(owner, language)
            # Enqueued in the same transaction: a committed upload always has its job.
            process_video.using(priority=video.queue_priority).enqueue(video.pk)
    except BaseException:
        storage.delete_quietly(stored)
        raise
    return video


def do_start_job(video: Video) -> bool:
    """Mark a video's job as running. False when the video is gone or failed meanwhile."""
    with transaction.atomic():
        current = Video.objects.select_for_update().filter(pk=video.pk).first()
        if current is None or current.status == Video.Status.FAILED:
            return False
        fields = {"heartbeat_at": timezone.now(), "attempts": current.attempts + 1, "progress": 0}
        if current.status == Video.Status.UPLOADED:
            fields["status"] = Video.Status.PROCESSING
        Video.objects.filter(pk=video.pk).update(**fields)
        # The caller's object is what later progress events render: keep it current.
        video.refresh_from_db()
        _publish_video_state(video)
    return True


def do_report_progress(video: Video, step: int, percent: int) -> bool:
    """Record progress of the running step and show it live. False if the video is gone."""
    with transaction.atomic():
        updated = Video.objects.filter(pk=video.pk).update(
            progress=percent, progress_step=step, heartbeat_at=timezone.now()
        )
        if updated:
            video.progress, video.progress_step = percent, step
            _publish_video_state(video)
    return bool(updated)


def do_set_frames(video: Video, frame_paths: list[Path], best: int) -> None:
    """Store candidate poster frames; the most telling one becomes the poster."""
    names = [
        storage.save(f"{video.media_dir}/frame-{i}-{secrets.token_hex(4)}.jpg", path)
        for i, path in enumerate(frame_paths)
    ]
    poster = storage.default_storage.save(
        f"{video.media_dir}/poster-{secrets.token_hex(4)}.jpg",
        storage.default_storage.open(names[best], "rb"),
    )
    with transaction.atomic():
        current = Video.objects.select_for_update().filter(pk=video.pk).first()
        if current is None:
            storage.delete_quietly(*names, poster)
            return
        old = [*current.frames, current.poster.name]
        Video.objects.filter(pk=video.pk).update(frames=names, poster=poster)
        video.frames, video.poster.name = names, poster
        _media_changed(video)
        transaction.on_commit(lambda: storage.delete_quietly(*old))


def do_add_rendition(video: Video, height: int, width: int, frame_height: int, path: Path) -> bool:
    """Store a finished rendition and queue the next. The first one makes the video watchable."""
    from ..tasks import encode_rendition

    name = storage.save(f"{video.media_dir}/{height}p-{secrets.token_hex(4)}.mp4", path)
    with transaction.atomic():
        current = Video.objects.select_for_update().filter(pk=video.pk).first()
        if current is None:
            storage.delete_quietly(name)
            return False
        Rendition.objects.create(
            video=current,
            height=height,
            width=width,
            frame_height=frame_height,
            file=name,
            size=storage.default_storage.size(name),
        )
        pending = [h for h in current.pending_heights if h != height]
        became_ready = current.status != Video.Status.READY
        # This job is over; the next rendition, if any, is a job of its own (queued behind
        # other users' first renditions).
        fields = {"pending_heights": pending, "progress": 0, "attempts": 0, "heartbeat_at": None}
        if became_ready:
            fields |= {"status": Video.Status.READY, "ready_at": timezone.now()}
        Video.objects.filter(pk=current.pk).update(**fields)
        if pending:
            encode_rendition.using(priority=max(-100, current.queue_priority - 10)).enqueue(
                current.pk, pending[0]
            )
        current.refresh_from_db()
        if became_ready:
            notifications.notify(current.owner, Notification.Kind.VIDEO_READY, video=current)
            _announce_when_public(current)
        _publish_video_state(current)
        video.__dict__.update(current.__dict__)
    return True


def do_fail_video(video: Video, reason: str) -> None:
    """Processing failed: the owner sees why and may retry; a ready video stays watchable."""
    with transaction.atomic():
        current = Video.objects.select_for_update().filter(pk=video.pk).first()
        if current is None:
            return
        fields = {"heartbeat_at": None, "pending_heights": [], "progress": 0}
        if current.status != Video.Status.READY:
            fields |= {"status": Video.Status.FAILED, "failure_reason": reason}
        Video.objects.filter(pk=current.pk).update(**fields)
        current.refresh_from_db()
        if current.status == Video.Status.FAILED:
            notifications.notify(current.owner, Notification.Kind.VIDEO_FAILED, video=current)
        _publish_video_state(current)


def do_retry_video(video: Video) -> None:
    """Queue a failed video's processing again from the start."""
    from ..tasks import process_video

    with transaction.atomic():
        current = Video.objects.select_for_update().get(pk=video.pk)
        if current.status != Video.Status.FAILED:
            return
        old = list(current.renditions.values_list("file", flat=True))
        current.renditions.all().delete()
        Video.objects.filter(pk=current.pk).update(
            status=Video.Status.UPLOADED,
            failure_reason="",
            attempts=0,
            progress=0,
            heartbeat_at=None,
            pending_heights=ladder(_probe_of(current)),
        )
        process_video.using(priority=current.queue_priority).enqueue(current.pk)
        transaction.on_commit(lambda: storage.delete_quietly(*old))
        current.refresh_from_db()
        _publish_video_state(current)


def _probe_of(video: Video) -> Probe:
    return Probe(
        demuxer=video.demuxer,
        duration=video.duration or 0,
        width=video.width or 0,
        height=video.height or 0,
        fps=video.fps or 0,
        video_codec=video.video_codec,
        audio_codec=video.audio_codec,
        rotation=video.rotation,
    )


def do_delete_video(video: Video) -> None:
    """Delete a video and, once that is committed, every file it had.

    A job still running for it notices within a second and stops its ffmpeg.
    """
    folder = video.media_dir
    with transaction.atomic():
        _media_changed(video)
        notifications.announce_about(video=video)
        video.delete()
        transaction.on_commit(lambda: storage.delete_folder(folder))


def recover_stalled_jobs() -> int:
    """Re-queue jobs whose worker died (no heartbeat for a while), or give up on them.

    Returns how many videos were looked after. Runs in every worker, now and then.
    """
    from ..tasks import encode_rendition, process_video

    stale = timezone.now() - timedelta(seconds=settings.VIDEO_SHARE_STALE_JOB_SECONDS)
    count = 0
    for video_id in Video.objects.filter(heartbeat_at__lt=stale).values_list("pk", flat=True):
        with transaction.atomic():
            video = Video.objects.select_for_update().filter(pk=video_id).first()
            if video is None or video.heartbeat_at is None or video.heartbeat_at >= stale:
                continue
            count += 1
            if video.attempts >= settings.VIDEO_SHARE_MAX_ATTEMPTS:
                do_fail_video(
                    video,
                    _("Processing was interrupted %(count)s times. Try uploading it again.")
                    % {"count": video.attempts},
                )
                continue
            Video.objects.filter(pk=video.pk).update(heartbeat_at=None)
            if video.status == Video.Status.READY and video.pending_heights:
                encode_rendition.using(priority=max(-100, video.queue_priority - 10)).enqueue(
                    video.pk, video.pending_heights[0]
                )
            else:
                Video.objects.filter(pk=video.pk).update(status=Video.Status.UPLOADED)
                process_video.using(priority=video.queue_priority).enqueue(video.pk)
    return count


def do_edit_video(video: Video, data: dict) -> None:
    """Save the owner's edits: title, description, tags, visibility."""
    fields = ("title", "description", "visibility")
    with transaction.atomic():
        # As stored: a ModelForm has already copied the new values onto `video`.
        stored = Video.objects.select_for_update().filter(pk=video.pk).values(*fields).get()
        changed = {field for field in fields if stored[field] != data[field]}
        became_private = "visibility" in changed and data["visibility"] == Video.Visibility.PRIVATE
        for field in fields:
            setattr(video, field, data[field])
        video.save(update_fields=[*fields, "updated_at"])
        _media_changed(video)
        video.tags.set(Tag.for_names(data["tags_text"]))
        search.index_videos(Video.objects.filter(pk=video.pk))
        if became_private:
            recheck_streams_on_commit(video=video)
        if "visibility" in changed:
            notifications.announce_about(video=video)
            _announce_when_public(video)


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
            _media_changed(video)
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


def do_save_progress(user: User, video: Video, position: float, duration: float) -> None:
    """Remember where a signed-in viewer is in a video (for resume and history)."""
    duration = max(0.0, min(duration, (video.duration or duration) + 1))
    position = max(0.0, min(position, duration))
    WatchProgress.objects.update_or_create(
        user=user, video=video, defaults={"position": position, "duration": duration}
    )


def do_forget_progress(user: User, video_id: int) -> None:
    WatchProgress.objects.filter(user=user, video_id=video_id).delete()


def do_clear_history(user: User) -> None:
    WatchProgress.objects.filter(user=user).delete()
