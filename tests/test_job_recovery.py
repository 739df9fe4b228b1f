"""What a video job does about the faults of its surroundings: a worker killed under it (its
ffmpeg, its scratch folder, its task result), a database connection dropped under it."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import OperationalError, connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from video_share import actions, storage
from video_share.actions import processing
from video_share.models import Rendition, Video

from .factories import make_user
from .factories import make_video as make_video_row
from .jobs import queued_jobs
from .test_postgresql import ROOT


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def gone(pid: int) -> bool:
    """True when `pid` has ended (a zombie waiting for a reaper counts: it runs no more)."""
    try:
        return (Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]) == "Z"
    except OSError:
        return True


def wait_until(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


# A "transcode" that never ends on its own (a real-time test pattern for ten minutes), run
# through media.transcode in a process of its own, which says when ffmpeg is under way.
ENDLESS_TRANSCODE = """
from pathlib import Path
from video_share import media
media.ladder_command = lambda *args: [
    media.FFMPEG, "-nostdin", "-loglevel", "error", "-re", "-f", "lavfi",
    "-i", "testsrc2=size=64x64:rate=10", "-t", "600", "-progress", "pipe:1", "-f", "null", "-",
]
probe = media.Probe("lavfi", 600, 64, 64, 10, "rawvideo", "", 0)
media.transcode(
    Path("in"), probe, 64, Path("/dev/null"), on_progress=lambda p: print("started", flush=True)
)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal: Linux")
def test_ffmpeg_dies_with_the_worker_that_started_it():
    worker = subprocess.Popen(
        [sys.executable, "-c", ENDLESS_TRANSCODE], cwd=ROOT, stdout=subprocess.PIPE
    )
    try:
        assert worker.stdout.readline() == b"started\n"
        [ffmpeg] = children(worker.pid)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(5)
        assert wait_until(lambda: gone(ffmpeg), 3), "ffmpeg outlived its worker"
    finally:
        worker.kill()
        worker.wait()
        worker.stdout.close()


def test_the_scratch_folder_of_a_dead_job_is_swept_and_a_running_jobs_is_kept(settings):
    # A killed job's folder: nobody holds its lock any more (the kernel dropped it).
    dead = Path(settings.FILE_UPLOAD_TEMP_DIR) / "job-killed"
    (dead / "sub").mkdir(parents=True)
    (dead / "sub" / "360p.mp4").write_bytes(b"partial")
    upload = Path(settings.FILE_UPLOAD_TEMP_DIR) / "tmp1234.upload"
    upload.write_bytes(b"an upload being received")
    with storage.scratch_dir() as running:
        (running / "frame-0.jpg").write_bytes(b"jpeg")
        assert storage.sweep_scratch() == 1
        assert not dead.exists()
        assert (running / "frame-0.jpg").exists()
        assert upload.exists()
    assert not running.exists()


def stale_time(settings) -> timezone.datetime:
    return timezone.now() - timedelta(seconds=settings.VIDEO_SHARE_STALE_JOB_SECONDS + 1)


def claimed(video: Video) -> DBTaskResult:
    """The task result of a job for `video`, taken by a worker."""
    result = DBTaskResult.objects.get(id=processing.process_video.enqueue(video.pk).id)
    result.claim("a-worker-since-killed")
    return result


@pytest.mark.django_db
def test_recovering_a_dead_job_closes_its_task_result_and_shows_the_owner(
    settings, published, django_capture_on_commit_callbacks
):
    owner = make_user("alice")
    video = make_video_row(
        owner, status="processing", attempts=1, pending_heights=[360], progress=64,
        heartbeat_at=stale_time(settings),
    )  # fmt: skip
    dead = claimed(video)
    other = claimed(make_video_row(owner, status="processing", heartbeat_at=timezone.now()))
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.recover_stalled_jobs() == 1
    dead.refresh_from_db()
    assert dead.status == "FAILED"
    assert dead.exception_class_path.endswith("WorkerLost")
    other.refresh_from_db()
    assert other.status == "RUNNING"
    assert queued_jobs() == [("process_video", [video.pk])]
    video.refresh_from_db()
    assert video.progress == 0
    assert [channel for channel, _, _ in published] == [f"user-{owner.pk}"]


@pytest.mark.django_db
def test_task_results_left_running_by_a_dead_worker_are_closed(settings):
    owner = make_user("alice")
    # Died after its last write: the video is ready, its job's result still "running".
    finished = claimed(make_video_row(owner, status="ready"))
    alive = claimed(make_video_row(owner, status="processing", heartbeat_at=timezone.now()))
    just_taken = claimed(make_video_row(owner, status="uploaded"))
    long_ago = timezone.now() - timedelta(hours=1)
    DBTaskResult.objects.filter(id__in=[finished.id, alive.id]).update(started_at=long_ago)
    assert actions.close_dead_task_results() == 1
    statuses = {r.id: r.status for r in DBTaskResult.objects.all()}
    assert statuses == {finished.id: "FAILED", alive.id: "RUNNING", just_taken.id: "RUNNING"}


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_beats_without_progress_and_stops_when_another_attempt_takes_over(
    settings,
):
    settings.VIDEO_SHARE_STALE_JOB_SECONDS = 0.5  # a beat every 0.1 s
    owner = make_user("alice")
    then = timezone.now() - timedelta(seconds=5)
    video = make_video_row(owner, status="processing", attempts=1, heartbeat_at=then)
    with processing.Heartbeat(video).running() as heartbeat:
        assert wait_until(lambda: Video.objects.get(pk=video.pk).heartbeat_at > then, 3)
        assert heartbeat.wanted()
        Video.objects.filter(pk=video.pk).update(attempts=2)  # the watchdog gave it away
        assert wait_until(lambda: not heartbeat.wanted(), 3)
    assert not heartbeat.is_alive()


@pytest.mark.django_db
def test_a_rendition_made_twice_is_kept_once(owner, tmp_path):
    video = make_video_row(owner, status="ready", pending_heights=[720])
    first, second = tmp_path / "first.mp4", tmp_path / "second.mp4"
    first.write_bytes(b"mp4")
    second.write_bytes(b"mp4")
    assert actions.do_add_rendition(video, 720, 1280, 720, first)
    assert not actions.do_add_rendition(video, 720, 1280, 720, second)
    assert list(Rendition.objects.values_list("height", flat=True)) == [720]


@pytest.mark.django_db(transaction=True)
def test_a_job_write_is_retried_when_the_connection_fails(owner, monkeypatch):
    video = make_video_row(owner, status="processing")
    update = Video.objects.filter(pk=video.pk).update
    failures = []

    def fails_once(queryset, **fields):
        if not failures:
            failures.append(fields)
            raise OperationalError("server closed the connection unexpectedly")
        return update(**fields)

    monkeypatch.setattr("django.db.models.QuerySet.update", fails_once)
    monkeypatch.setattr("video_share.db_retry.PAUSES", (0.01, 0.01))
    assert actions.do_report_progress(video, 360, 42)
    monkeypatch.undo()
    assert failures
    assert Video.objects.get(pk=video.pk).progress == 42


@pytest.mark.django_db(transaction=True)
def test_a_progress_write_survives_its_connection_being_terminated(owner, caplog):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (run by tests/test_postgresql.py)")
    import psycopg

    video = make_video_row(owner, status="processing")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        [pid] = cursor.fetchone()
    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"], port=settings["PORT"] or 5432, user=settings["USER"],
        dbname=settings["NAME"], autocommit=True,
    ) as other:  # fmt: skip
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    assert actions.do_report_progress(video, 360, 42)
    assert "the database connection failed" in caplog.text
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid
    assert Video.objects.get(pk=video.pk).progress == 42


@pytest.mark.django_db
def test_a_job_whose_worker_died_before_its_first_write_is_queued_again():
    owner = make_user("alice")
    video = make_video_row(owner, status="uploaded", pending_heights=[360])
    lost = claimed(video)  # and the worker killed before the job marked the video
    long_ago = timezone.now() - timedelta(hours=1)
    DBTaskResult.objects.filter(id=lost.id).update(started_at=long_ago)
    assert actions.close_dead_task_results() == 1
    assert queued_jobs() == [("process_video", [video.pk])]
    assert actions.close_dead_task_results() == 0
    assert queued_jobs() == [("process_video", [video.pk])]
