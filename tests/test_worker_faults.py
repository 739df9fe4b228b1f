"""A worker killed in the middle of a transcode (`kill -9`), in the split deployment of
README.md: `serve --no-worker` holding the owner's event stream, separate `manage.py worker`
processes, PostgreSQL and Redis, with the default VIDEO_SHARE_STALE_JOB_SECONDS.

Its ffmpeg dies with it; another worker takes the job over within 20 seconds (the owner's
page hears of it), removes the dead job's scratch folder and closes its task result; the
video ends ready with one rendition per height.

Skipped where PostgreSQL or Redis does not answer (the default profile needs neither).
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from bench.common import bench_env, free_port, postgres_database, redis_answers, wait_for
from bench.sse import ROOT, seed

from .media_files import make_video
from .test_job_recovery import children, gone, wait_until
from .test_postgresql import postgres_answers

REDIS_URL = "redis://127.0.0.1:6379/12"
RECOVERY_SECONDS = 20

UPLOAD = """
from django.core.files import File
from video_share import actions, media
from video_share.models import User
path = "{path}"
with open(path, "rb") as upload:
    video = actions.do_upload_video(
        owner=User.objects.get(username="host"), upload=File(upload, name="clip.mp4"),
        probe=media.probe(path), title="Killed half-way",
    )
print(video.pk, video.public_id)
"""


class StreamLog(threading.Thread):
    """An open event stream, every chunk of it kept with the time it came."""

    def __init__(self, port: int, path: str, cookie: str):
        super().__init__(daemon=True)
        self.socket = socket.create_connection(("127.0.0.1", port))
        self.socket.sendall(
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
            f"Cookie: {cookie}\r\n\r\n".encode()
        )
        self.chunks: list[tuple[float, bytes]] = []
        self.start()

    def run(self):
        try:
            while chunk := self.socket.recv(65536):
                self.chunks.append((time.monotonic(), chunk))
        except OSError:
            pass

    def first(self, marker: bytes, after: float) -> float | None:
        """When `marker` first came after the moment `after`."""
        for at, chunk in list(self.chunks):
            if at > after and marker in chunk:
                return at
        return None

    def close(self):
        self.socket.close()


class Database:
    def __init__(self, url: str):
        import psycopg

        self.connection = psycopg.connect(url, autocommit=True)

    def row(self, query: str, *params):
        return self.connection.execute(query, params).fetchone()

    def rows(self, query: str, *params):
        return self.connection.execute(query, params).fetchall()


def ffmpegs_of(pid: int) -> list[int]:
    return [
        child
        for child in children(pid)
        if b"ffmpeg" in Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")[0]
    ]


def processes_naming(text: str) -> list[int]:
    """Running processes whose command line names `text` (a scratch folder)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and not gone(int(entry.name)):
            try:
                if text.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


@pytest.fixture
def deployment():
    if not (postgres_answers() and redis_answers()):
        pytest.skip("no PostgreSQL on 127.0.0.1:5432 or no Redis on 127.0.0.1:6379")
    database = postgres_database("video_share_worker_faults")
    if database is None:
        pytest.skip("PostgreSQL on 127.0.0.1:5432 refused to make a database")
    work = Path(tempfile.mkdtemp(prefix="worker-faults-"))
    env = bench_env(work, DATABASE_URL=database, REDIS_URL=REDIS_URL)
    processes = []
    logs = []

    def start(name: str, *command: str) -> subprocess.Popen:
        log = (work / f"{name}.log").open("w")
        logs.append(log)
        process = subprocess.Popen(
            [sys.executable, "manage.py", *command],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        processes.append(process)
        return process

    try:
        session = seed(env)
        streams = free_port()
        start("serve", "serve", "--no-worker", "--port", str(streams))
        wait_for(streams, 120)
        yield env, work, Database(database), streams, session, start
    finally:
        for process in processes:
            process.kill()
            process.wait()
        for log in logs:
            log.close()
        if os.environ.get("VIDEO_SHARE_KEEP_TEST_LOGS"):
            print(f"logs kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def test_a_worker_killed_mid_transcode_is_taken_over_cleanly(deployment):
    env, work, db, streams, session, start = deployment
    clip = make_video(work / "clip.mp4", size="640x360", seconds=30, rate=30)
    video_id, public_id = shell_words(env, UPLOAD.format(path=clip))
    stream = StreamLog(streams, "/events/me", f"sessionid={session}")
    try:
        first = start("worker-1", "worker")
        # Mid-transcode: the 360p rendition under way, far from done.
        assert wait_until(
            lambda: db.row(
                "SELECT progress_step = 360 AND progress >= 5 FROM video_share_video "
                "WHERE id = %s", int(video_id),
            )[0],
            90,
        ), "the first worker never got to transcoding"  # fmt: skip
        [ffmpeg] = ffmpegs_of(first.pid)
        [scratch] = (work / "tmp").glob("job-*")
        [(dead_task,)] = db.rows(
            "SELECT id FROM django_tasks_database_dbtaskresult WHERE status = 'RUNNING'"
        )

        first.send_signal(signal.SIGKILL)
        killed_at = time.monotonic()
        first.wait()
        assert wait_until(lambda: gone(ffmpeg), 3), "the killed worker's ffmpeg goes on"

        second = start("worker-2", "worker")
        assert wait_until(
            lambda: db.row(
                "SELECT attempts >= 2 AND heartbeat_at IS NOT NULL FROM video_share_video "
                "WHERE id = %s", int(video_id),
            )[0],
            RECOVERY_SECONDS - (time.monotonic() - killed_at),
        ), "no new attempt within 20 s of the kill"  # fmt: skip
        recovered = time.monotonic() - killed_at
        heard = stream.first(f"event: video-{public_id}".encode(), after=killed_at + 0.5)
        assert heard is not None, "the owner's page did not hear of the new attempt"
        assert heard - killed_at <= RECOVERY_SECONDS
        print(f"new attempt {recovered:.1f} s after the kill, on the owner's page after "
              f"{heard - killed_at:.1f} s")  # fmt: skip

        # The database drops every connection of the second worker mid-transcode: its writes
        # are made again, the transcode is not.
        assert wait_until(
            lambda: db.row(
                "SELECT progress_step = 360 AND progress >= 5 FROM video_share_video "
                "WHERE id = %s", int(video_id),
            )[0],
            60,
        ), "the second worker never got to transcoding"  # fmt: skip
        # On a busy machine the poll above may see the job late, when its last write is near.
        (mid_job,) = db.row(
            "SELECT status <> 'ready' AND progress < 90 FROM video_share_video WHERE id = %s",
            int(video_id),
        )
        dropped = db.rows(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        assert dropped

        assert wait_until(
            lambda: db.row("SELECT status FROM video_share_video WHERE id = %s", int(video_id))[0]
            == "ready",
            120,
        ), "the video never became ready"  # fmt: skip
        renditions = db.rows(
            "SELECT height, count(*) FROM video_share_rendition WHERE video_id = %s "
            "GROUP BY height", int(video_id),
        )  # fmt: skip
        assert renditions == [(360, 1)]
        assert second.poll() is None
        if mid_job:  # the job's next write met the dropped connection, and was made again
            assert "the database connection failed" in (work / "worker-2.log").read_text()
        assert db.row(
            "SELECT status FROM django_tasks_database_dbtaskresult WHERE id = %s", dead_task
        ) == ("FAILED",)
        # The new attempt's result is closed as soon as its job returns.
        assert wait_until(
            lambda: (
                not db.rows(
                    "SELECT id FROM django_tasks_database_dbtaskresult WHERE status = 'RUNNING'"
                )
            ),
            10,
        )
        # Two runs: the killed one and the one that finished, through the dropped connections.
        assert db.rows(
            "SELECT status FROM django_tasks_database_dbtaskresult "
            "WHERE task_path LIKE '%%.process_video' ORDER BY enqueued_at"
        ) == [("FAILED",), ("SUCCESSFUL",)]
        assert wait_until(lambda: not scratch.exists(), 10), "the dead job's scratch stays"
        assert processes_naming(str(scratch)) == []
    finally:
        stream.close()


def shell_words(env: dict, code: str) -> tuple[str, str]:
    """The last two words `code` printed, run in a manage.py shell of its own."""
    output = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    first, second = output.split()[-2:]
    return first, second
