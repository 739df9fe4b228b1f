"""Processing uploaded videos in the background: the tasks that make a video watchable (poster
frames, then one rendition per job), and the actions they take as they go.

The tasks live with these actions because each side needs the other: a finished rendition
queues the job of the next one.
"""

import contextlib
import copy
import dataclasses
import logging
import secrets
import shutil
import threading
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_tasks_db.models import DBTaskResult

from .. import media, media_access, storage
from ..db_retry import retrying
from ..events import publish_on_commit, user_stream_name
from ..models import Notification, Rendition, Video
from . import notifications

logger = logging.getLogger(__name__)

FRAME_CANDIDATES = 4


@task()
def process_video(video_id: int) -> None:
    """Make an uploaded video watchable: poster frames, then its lowest rendition (then its
    scrub previews).

    The higher renditions follow as a job of their own (encode_ladder).
    """
    video = Video.objects.select_related("owner").filter(pk=video_id).first()
    if video is None or video.status not in (Video.Status.UPLOADED, Video.Status.PROCESSING):
        return
    if not do_start_job(video):
        return
    _run(video, video.pending_heights[:1], with_frames=True)


@task()
def encode_ladder(video_id: int) -> None:
    """Make every rendition a watchable video still lacks, in one pass over one decode of
    its upload (media.transcode_ladder)."""
    video = Video.objects.select_related("owner").filter(pk=video_id).first()
    if video is None or not video.pending_heights or video.status != Video.Status.READY:
        return
    if not do_start_job(video):
        return
    _run(video, list(video.pending_heights), with_frames=False)


@task()
def encode_rendition(video_id: int, height: int) -> None:
    """One more rendition of a watchable video: a job queued before encode_ladder."""
    video = Video.objects.select_related("owner").filter(pk=video_id).first()
    if video is None or height not in video.pending_heights:
        return
    if not do_start_job(video):
        return
    _run(video, [height], with_frames=False)


class Heartbeat(threading.Thread):
    """Tells the watchdog that a job is alive, every few seconds, whatever the job is doing
    (ffmpeg reading a large upload's first frames or moving the index to the front writes no
    progress for a while, storing the result writes none): a job silent for
    VIDEO_SHARE_STALE_JOB_SECONDS is taken as dead, so that limit can be short.

    The heartbeat is also how a job learns that it is no longer wanted: the video was deleted
    or failed, or the watchdog took the job as dead and gave it to another worker (a newer
    attempt). Then `wanted()` says so and the job stops.
    """

    def __init__(self, video: Video):
        super().__init__(name=f"heartbeat-{video.public_id}", daemon=True)
        self.video_id, self.attempt = video.pk, video.attempts
        self.stopping = threading.Event()
        self.lost = threading.Event()

    def beat(self) -> bool:
        """Write one heartbeat; False when the job is no longer this attempt's."""
        return bool(
            Video.objects.filter(
                pk=self.video_id, attempts=self.attempt, heartbeat_at__isnull=False
            ).update(heartbeat_at=timezone.now())
        )

    def run(self):
        interval = settings.VIDEO_SHARE_STALE_JOB_SECONDS / 5
        try:
            while not self.stopping.wait(interval):
                try:
                    if not retrying(self.beat)():
                        self.lost.set()
                        return
                except DatabaseError as exc:
                    logger.warning("No heartbeat for video job %s: %s", self.video_id, exc)
        finally:
            connection.close()

    def wanted(self) -> bool:
        if self.is_alive() or self.lost.is_set():
            return not self.lost.is_set()
        # Not running: the job runs inside a caller's transaction, which no other connection
        # sees (tests do that). Beat from the job's own thread then.
        return self.beat()

    @contextlib.contextmanager
    def running(self):
        # A transaction of the caller's is invisible to the heartbeat's own connection.
        if not connection.in_atomic_block:
            self.start()
        try:
            yield self
        finally:
            self.stopping.set()
            if self.is_alive():
                self.join(timeout=10)


def _run(video: Video, heights: list[int], *, with_frames: bool) -> None:
    source = media.Probe.of_video(video)

    def report_progress(step: int, percent: int) -> None:
        # Progress is for the owner's eyes: a write that fails even after retries must not
        # cost the job.
        try:
            do_report_progress(video, step, percent)
        except DatabaseError as exc:
            logger.warning("Could not record the progress of video %s: %s", video.public_id, exc)

    try:
        with (
            Heartbeat(video).running() as heartbeat,
            storage.scratch_dir() as scratch,
            storage.local_path(video.source.name, scratch) as source_path,
        ):
            if with_frames:
                frames = []
                for index, at in enumerate(media.frame_times(source.duration, FRAME_CANDIDATES)):
                    if not heartbeat.wanted():
                        raise media.Cancelled
                    image = media.grab_frame(source_path, source, at)
                    path = scratch / f"frame-{index}.jpg"
                    path.write_bytes(media.jpeg(image))
                    frames.append((media.interest(image), path))
                    report_progress(0, (index + 1) * 100 // FRAME_CANDIDATES)
                best = max(range(len(frames)), key=lambda i: frames[i][0])
                do_set_frames(video, [path for _, path in frames], best)
            if not heights:
                return
            outs = [scratch / f"{height}p.mp4" for height in heights]
            media.transcode_ladder(
                source_path,
                source,
                heights,
                outs,
                on_progress=lambda percent: report_progress(heights[0], percent),
                should_stop=lambda: not heartbeat.wanted(),
            )
            for height, out in zip(heights, outs, strict=True):
                width, frame_height = media.rendition_size(source, height)
                hls_folder = scratch / f"hls-{height}"
                hls_folder.mkdir()
                hls = media.package_hls(
                    out, hls_folder, f"{height}p-{secrets.token_hex(4)}-hls", source.duration,
                    should_stop=lambda: not heartbeat.wanted(),
                )  # fmt: skip
                last = height == heights[-1]
                recorded = do_add_rendition(
                    video, height, width, frame_height, out, hls, queue_next=last
                )
                if with_frames and recorded:
                    # The video is watchable now; its scrub previews come from this rendition.
                    _storyboard(video, width, frame_height, source.duration, scratch)
    except media.Cancelled:
        # Deleted or failed meanwhile, given to another worker, or the server is shutting
        # down (the watchdog re-queues the job after restart).
        logger.info("Stopped processing video %s.", video.public_id)
    except media.TimedOut as exc:
        logger.warning("Processing video %s ran out of time: %s", video.public_id, exc)
        with override(video.owner.language):
            reason = _(
                "Converting this video took longer than we allow for a video of its length. "
                "Try again with a smaller or simpler file."
            )
        do_fail_video(video, reason)
    except (media.FFmpegError, OSError) as exc:
        if media.shutting_down.is_set():
            return
        if not storage.default_storage.exists(video.source.name):
            # Not the file's fault: this worker does not see the media the upload went to.
            logger.error(
                "Processing video %s: its upload %s is not in this worker's media storage. "
                "Every process that runs jobs must share the media (one folder, or "
                "VIDEO_SHARE_S3_BUCKET).",
                video.public_id,
                video.source.name,
            )
            with override(video.owner.language):
                reason = _("We could not find the uploaded file to convert it. Upload it again.")
            do_fail_video(video, reason)
            return
        logger.warning("Processing video %s failed: %s", video.public_id, exc)
        with override(video.owner.language):
            reason = _(
                "We could not convert this video (%(detail)s). The file may be damaged "
                "or use a format we don’t support."
            ) % {"detail": str(exc).splitlines()[-1][:200] if str(exc) else type(exc).__name__}
        do_fail_video(video, reason)


def _storyboard(video: Video, width: int, height: int, duration: float, scratch: Path) -> None:
    """Make and store the scrub previews of a video from its first rendition, once that is
    recorded (the job's heartbeat is over then: a video deleted meanwhile is found when they
    are stored). A failure costs the video nothing but its previews (logged)."""
    rendition = video.renditions.order_by("height").first()
    if rendition is None:
        return
    folder = scratch / "storyboard"
    folder.mkdir()
    step = Video.STORYBOARD_STEP

    def report(percent: int) -> None:
        try:
            do_report_progress(video, step, percent, beat=False)
        except DatabaseError as exc:
            logger.warning("Could not record the progress of video %s: %s", video.public_id, exc)

    report(0)
    try:
        with storage.local_path(rendition.file.name, scratch) as path:
            plan, sheets = media.make_storyboard(
                path, width, height, duration, folder, on_progress=report
            )
        do_set_storyboard(video, plan, sheets)
    except (media.FFmpegError, OSError) as exc:
        logger.warning("No scrub previews for video %s: %s", video.public_id, exc)
    finally:
        report(100)  # done, or given up: the owner is no longer told it goes on


def _publish_video_state(video: Video) -> None:
    """Tell the owner's open pages how processing goes (their private stream)."""
    media_access.forget_on_commit(video.public_id)
    owner = video.owner
    # The state this transaction writes: the job goes on changing `video` after it commits.
    state = {"video": copy.copy(video), "renditions": list(video.renditions.all())}
    publish_on_commit(
        [(user_stream_name(owner.pk), owner.language)],
        f"video-{video.public_id}",
        "video_share/watch.html#player",
        {**state, "user": owner, "live": True},
    )
    if video.is_playable:  # what is still being made, for the owner's page of a playable video
        publish_on_commit(
            [(user_stream_name(owner.pk), owner.language)],
            f"work-{video.public_id}",
            "video_share/watch.html#work",
            {"video": state["video"], "user": owner},
        )


@retrying
def do_start_job(video: Video) -> bool:
    """Mark a video's job as running. False when the video is gone or failed meanwhile."""
    with transaction.atomic():
        current = Video.objects.select_for_update().filter(pk=video.pk).first()
        if current is None or current.status == Video.Status.FAILED:
            return False
        fields = {
            "heartbeat_at": timezone.now(),
            "attempts": current.attempts + 1,
            "progress": 0,
            "step_started_at": timezone.now(),
        }
        if current.status == Video.Status.UPLOADED:
            fields["status"] = Video.Status.PROCESSING
        Video.objects.filter(pk=video.pk).update(**fields)
        # The caller's object is what later progress events render: keep it current.
        video.refresh_from_db()
        _publish_video_state(video)
    return True


@retrying
def do_report_progress(video: Video, step: int, percent: int, *, beat: bool = True) -> bool:
    """Record progress of the running step and show it live. False if the video is gone.
    `beat`: also a heartbeat of the video's job (not for the scrub previews, made once the
    job has recorded its rendition)."""
    fields = {"progress": percent, "progress_step": step}
    if beat:
        fields["heartbeat_at"] = timezone.now()
    if step != video.progress_step or video.step_started_at is None:
        fields["step_started_at"] = timezone.now()
    with transaction.atomic():
        updated = Video.objects.filter(pk=video.pk).update(**fields)
        if updated:
            video.progress, video.progress_step = percent, step
            video.step_started_at = fields.get("step_started_at", video.step_started_at)
            _publish_video_state(video)
    return bool(updated)


def do_set_frames(video: Video, frame_paths: list[Path], best: int) -> None:
    """Store candidate poster frames; the most telling one becomes the poster."""
    # The poster is a copy of its own (the owner may later pick another frame, and frames
    # are deleted then), made here rather than read back from storage.
    poster_copy = frame_paths[best].with_name("poster.jpg")
    shutil.copyfile(frame_paths[best], poster_copy)
    names = [
        storage.save(f"{video.media_dir}/frame-{i}-{secrets.token_hex(4)}.jpg", path)
        for i, path in enumerate(frame_paths)
    ]
    poster = storage.save(f"{video.media_dir}/poster-{secrets.token_hex(4)}.jpg", poster_copy)

    @retrying
    def record():
        with transaction.atomic():
            current = Video.objects.select_for_update().filter(pk=video.pk).first()
            if current is None:
                storage.delete_quietly(*names, poster)
                return
            if current.poster.name == poster:
                return  # recorded by a try whose commit was not acknowledged
            old = [*current.frames, current.poster.name]
            Video.objects.filter(pk=video.pk).update(frames=names, poster=poster)
            video.frames, video.poster.name = names, poster
            media_access.forget_on_commit(video.public_id)
            transaction.on_commit(lambda: storage.delete_quietly(*old))

    record()


def do_set_storyboard(video: Video, plan: media.Storyboard, sheet_paths: list[Path]) -> None:
    """Store a video's scrub previews (media.make_storyboard), replacing any it had."""
    names = [
        storage.save(f"{video.media_dir}/storyboard-{i}-{secrets.token_hex(4)}.jpg", path)
        for i, path in enumerate(sheet_paths)
    ]
    board = dataclasses.asdict(plan) | {"sheets": names}

    @retrying
    def record():
        with transaction.atomic():
            current = Video.objects.select_for_update().filter(pk=video.pk).first()
            if current is None:
                storage.delete_quietly(*names)
                return
            if current.storyboard.get("sheets") == names:
                return  # recorded by a try whose commit was not acknowledged
            old = current.storyboard.get("sheets", [])
            Video.objects.filter(pk=video.pk).update(storyboard=board)
            video.storyboard = board
            media_access.forget_on_commit(video.public_id)
            transaction.on_commit(lambda: storage.delete_quietly(*old))

    record()


def do_add_rendition(
    video: Video, height: int, width: int, frame_height: int, path: Path, hls: list[Path] = (),
    *, queue_next: bool = True,
) -> bool:  # fmt: skip
    """Store a finished rendition (and the same as HLS: its playlist first, then its other
    files, media.package_hls) and queue the next. The first one makes the video watchable.

    False when the rendition is no longer wanted (the video was deleted or failed, or the
    rendition was made meanwhile by another attempt): it is thrown away.
    """
    size = path.stat().st_size  # before storing: on disk the file is moved into place
    name = storage.save(f"{video.media_dir}/{height}p-{secrets.token_hex(4)}.mp4", path)
    # The playlist names its files as they are: each is stored under its own name, the
    # playlist last, so that no playlist is ever seen before what it names.
    hls_names = [storage.save(f"{video.media_dir}/{p.name}", p) for p in [*hls[1:], *hls[:1]]]
    playlist = hls_names[-1] if hls_names else ""
    # Only the database write is repeated when the connection fails: the encoding is done.
    return _record_rendition(
        video, height, width, frame_height, name, size, playlist, hls_names, queue_next
    )


@retrying
def _record_rendition(
    video: Video, height: int, width: int, frame_height: int, name: str, size: int,
    hls: str = "", hls_names: list[str] = (), queue_next: bool = True,
) -> bool:  # fmt: skip
    with transaction.atomic():
        current = Video.objects.select_for_update().filter(pk=video.pk).first()
        if current is not None and current.renditions.filter(file=name).exists():
            return True  # recorded by a try whose commit was not acknowledged
        if current is None or height not in current.pending_heights:
            # One rendition per height, however many attempts finished.
            transaction.on_commit(lambda: storage.delete_quietly(name, *hls_names))
            return False
        Rendition.objects.create(
            video=current,
            height=height,
            width=width,
            frame_height=frame_height,
            file=name,
            size=size,
            hls=hls,
        )
        pending = [h for h in current.pending_heights if h != height]
        became_ready = current.status != Video.Status.READY
        fields = {"pending_heights": pending}
        if queue_next:  # the job is over: no heartbeat, no attempts counted any more
            fields |= {"progress": 0, "attempts": 0, "heartbeat_at": None}
        if became_ready:
            fields |= {"status": Video.Status.READY, "ready_at": timezone.now()}
        Video.objects.filter(pk=current.pk).update(**fields)
        current.refresh_from_db()
        # This job is over (`queue_next`: it makes no other rendition): the next, if any, is
        # a job of its own.
        if queue_next:
            _queue_job(current)
        if became_ready:
            notifications.notify(current.owner, Notification.Kind.VIDEO_READY, video=current)
            notifications.notify_subscribers_when_public(current)
        _publish_video_state(current)
        video.__dict__.update(current.__dict__)
    return True


@retrying
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
    with transaction.atomic():
        current = Video.objects.select_for_update().get(pk=video.pk)
        if current.status != Video.Status.FAILED:
            return
        old = list(current.renditions.values_list("file", flat=True))
        old_hls = [r.hls_prefix.rsplit("/", 1)[-1] for r in current.renditions.all() if r.hls]
        current.renditions.all().delete()
        Video.objects.filter(pk=current.pk).update(
            status=Video.Status.UPLOADED,
            failure_reason="",
            attempts=0,
            progress=0,
            heartbeat_at=None,
            pending_heights=media.ladder(media.Probe.of_video(current)),
        )
        process_video.using(priority=current.queue_priority).enqueue(current.pk)
        transaction.on_commit(lambda: storage.delete_quietly(*old))
        folder = current.media_dir
        for start in old_hls:
            transaction.on_commit(lambda start=start: storage.delete_starting(folder, start))
        current.refresh_from_db()
        _publish_video_state(current)


class WorkerLost(Exception):
    """The worker running a job stopped without a word: killed, or its machine went down."""


def _is_video_job(result: DBTaskResult) -> bool:
    # By name: jobs queued under the tasks' former import paths (video_share.tasks) count too.
    return result.task_path.rsplit(".", 1)[-1] in (
        process_video.name,
        encode_ladder.name,
        encode_rendition.name,
    )


def _close_task_results(results) -> int:
    """Mark failed the task results of jobs whose worker died: left alone, they would stay
    "running" for ever."""
    closed = 0
    for result in results:
        if _is_video_job(result):
            result.set_failed(WorkerLost("The worker running this job stopped without a word."))
            closed += 1
    return closed


def close_dead_task_results() -> int:
    """Close the task results of video jobs left running by a dead worker that
    `recover_stalled_jobs` did not meet: the worker died after its job's last write, or before
    its first. A running job keeps its video's heartbeat fresh; these have none. A job that
    died before its first write is queued again (nothing else would).

    Returns how many were closed. Runs in every worker, now and then.
    """
    stale = timezone.now() - timedelta(seconds=settings.VIDEO_SHARE_STALE_JOB_SECONDS)
    alive = set(Video.objects.filter(heartbeat_at__gte=stale).values_list("pk", flat=True))
    dead = [
        result
        for result in DBTaskResult.objects.running().filter(started_at__lt=stale)
        if result.args_kwargs["args"][:1] and result.args_kwargs["args"][0] not in alive
    ]
    closed = 0
    for result in dead:
        with transaction.atomic():
            if _close_task_results([result]):
                closed += 1
                _queue_again_if_lost(result.args_kwargs["args"][0], result)
    return closed


def _queue_again_if_lost(video_id: int, dead: DBTaskResult) -> None:
    video = Video.objects.select_for_update().filter(pk=video_id, heartbeat_at=None).first()
    if video is None:
        return
    waiting = (DBTaskResult.objects.ready() | DBTaskResult.objects.running()).filter(
        args_kwargs__args__0=video.pk
    )
    if not any(_is_video_job(result) for result in waiting.exclude(id=dead.id)):
        _queue_job(video)


def _queue_job(video: Video) -> None:
    """Queue the job a video waits for: its processing, or once it is watchable its next
    rendition (behind other users' first renditions)."""
    if video.status in (Video.Status.UPLOADED, Video.Status.PROCESSING):
        process_video.using(priority=video.queue_priority).enqueue(video.pk)
    elif video.status == Video.Status.READY and video.pending_heights:
        encode_ladder.using(priority=max(-100, video.queue_priority - 10)).enqueue(video.pk)


def recover_stalled_jobs() -> int:
    """Re-queue jobs whose worker died (no heartbeat for a while), or give up on them; close
    the task results the dead worker left running.

    Returns how many videos were looked after. Runs in every worker, now and then.
    """
    stale = timezone.now() - timedelta(seconds=settings.VIDEO_SHARE_STALE_JOB_SECONDS)
    count = 0
    for video_id in Video.objects.filter(heartbeat_at__lt=stale).values_list("pk", flat=True):
        with transaction.atomic():
            video = Video.objects.select_for_update().filter(pk=video_id).first()
            if video is None or video.heartbeat_at is None or video.heartbeat_at >= stale:
                continue
            count += 1
            # Before anything is queued: every running job of this video is the dead one's.
            _close_task_results(
                DBTaskResult.objects.running().filter(args_kwargs__args__0=video.pk)
            )
            if video.attempts >= settings.VIDEO_SHARE_MAX_ATTEMPTS:
                do_fail_video(
                    video,
                    _("Processing was interrupted %(count)s times. Try uploading it again.")
                    % {"count": video.attempts},
                )
                continue
            fields = {"heartbeat_at": None, "progress": 0}
            if not (video.status == Video.Status.READY and video.pending_heights):
                fields["status"] = video.status = Video.Status.UPLOADED
            Video.objects.filter(pk=video.pk).update(**fields)
            _queue_job(video)
            # The owner's page shows at once that the job starts again.
            video.refresh_from_db()
            _publish_video_state(video)
    return count
