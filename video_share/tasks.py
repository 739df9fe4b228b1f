"""Background tasks (django.tasks on the django-tasks-db backend)."""

import logging
import shutil

from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from . import actions, media, storage
from .models import Video

logger = logging.getLogger(__name__)

FRAME_CANDIDATES = 4


@task()
def process_video(video_id: int) -> None:
    """Make an uploaded video watchable: poster frames, then its lowest rendition.

    Higher renditions follow as jobs of their own (see do_add_rendition).
    """
    video = Video.objects.select_related("owner").filter(pk=video_id).first()
    if video is None or video.status not in (Video.Status.UPLOADED, Video.Status.PROCESSING):
        return
    if not actions.do_start_job(video):
        return
    _run(video, video.pending_heights[0] if video.pending_heights else None, with_frames=True)


@task()
def notify_subscribers(video_id: int) -> None:
    """Tell a channel's subscribers about its new video, once."""
    claimed = Video.objects.filter(pk=video_id, announced_at__isnull=True).update(
        announced_at=timezone.now()
    )
    video = Video.objects.filter(pk=video_id).first()
    if claimed and video is not None:
        actions.fan_out_new_video(video)


@task()
def encode_rendition(video_id: int, height: int) -> None:
    """Make one more rendition of a video that is already watchable."""
    video = Video.objects.select_related("owner").filter(pk=video_id).first()
    if video is None or height not in video.pending_heights:
        return
    if not actions.do_start_job(video):
        return
    _run(video, height, with_frames=False)


def _run(video: Video, height: int | None, *, with_frames: bool) -> None:
    source = actions._probe_of(video)
    scratch = storage.scratch_dir()

    def still_wanted() -> bool:
        # Also the heartbeat that tells the watchdog this job is alive.
        return bool(Video.objects.filter(pk=video.pk).update(heartbeat_at=timezone.now()))

    try:
        with storage.local_path(video.source.name) as source_path:
            if with_frames:
                frames = []
                for index, at in enumerate(media.frame_times(source.duration, FRAME_CANDIDATES)):
                    image = media.grab_frame(source_path, source, at)
                    path = scratch / f"frame-{index}.jpg"
                    path.write_bytes(media.jpeg(image))
                    frames.append((media.interest(image), path))
                    actions.do_report_progress(video, 0, (index + 1) * 100 // FRAME_CANDIDATES)
                best = max(range(len(frames)), key=lambda i: frames[i][0])
                actions.do_set_frames(video, [path for _, path in frames], best)
            if height is None:
                return
            out = scratch / f"{height}p.mp4"
            media.transcode(
                source_path,
                source,
                height,
                out,
                on_progress=lambda percent: actions.do_report_progress(video, height, percent),
                should_stop=lambda: not still_wanted(),
            )
            width, frame_height = media.rendition_size(source, height)
            actions.do_add_rendition(video, height, width, frame_height, out)
    except media.Cancelled:
        # Deleted meanwhile, or the server is shutting down (the watchdog re-queues the job
        # after restart).
        logger.info("Stopped processing video %s.", video.public_id)
    except media.TimedOut as exc:
        logger.warning("Processing video %s ran out of time: %s", video.public_id, exc)
        with override(video.owner.language):
            reason = _(
                "Converting this video took longer than we allow for a video of its length. "
                "Try again with a smaller or simpler file."
            )
        actions.do_fail_video(video, reason)
    except (media.FFmpegError, OSError) as exc:
        if media.shutting_down.is_set():
            return
        logger.warning("Processing video %s failed: %s", video.public_id, exc)
        with override(video.owner.language):
            reason = _(
                "We could not convert this video (%(detail)s). The file may be damaged "
                "or use a format we don’t support."
            ) % {"detail": str(exc).splitlines()[-1][:200] if str(exc) else type(exc).__name__}
        actions.do_fail_video(video, reason)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
