"""The background task worker, and the watchdog that re-queues jobs of dead workers.

The web process runs both in threads of its own while it serves (`run_in_background`, from
the ASGI lifespan): that is what lets the worker's live events reach the browsers connected
to that process when no Redis is configured (django-eventstream then delivers in-process).
`manage.py worker` runs them on their own, for production.
"""

import logging
import threading
import time

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from . import media, storage

logger = logging.getLogger(__name__)


def make_worker(interval: float = 0.5) -> Worker:
    return Worker(
        queue_names=["*"],
        interval=interval,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=f"video-share-{get_random_string(12)}",
        excluded_queue_names=[],
    )


class WorkerThread(threading.Thread):
    def __init__(self):
        super().__init__(name="task-worker", daemon=True)
        self.worker = make_worker()

    def run(self):
        try:
            self.worker.run()
        except Exception:
            logger.exception("The task worker stopped unexpectedly.")
        finally:
            close_old_connections()

    def stop(self, timeout: float) -> None:
        """Ask the worker to stop after its current task, and wait at most `timeout` seconds."""
        self.worker.running = False
        self.join(timeout)


DIGEST_CHECK_SECONDS = 300
STATISTICS_SECONDS = 3600


def refresh_planner_statistics() -> None:
    """Refresh the query planner's statistics. SQLite never gathers them by itself: without
    them it takes an equality on a two-column index for rare and prefers it to a list of
    primary keys (looking up 16 videos by id walked every public video); sampling
    (analysis_limit) keeps this to milliseconds on big tables. PostgreSQL's autovacuum does
    it too, but only some time after many rows have changed: until then, right after an
    import, the home page's newest-first query sorted every video (18 ms instead of 1.5)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit=400")
        cursor.execute("ANALYZE")


class WatchdogThread(threading.Thread):
    """Now and then, re-queue (or fail) jobs whose worker stopped sending heartbeats and close
    their task results, remove the scratch folders of killed jobs on this machine, lift the
    timed bans that have passed, send the
    email digests that are due, remove resumable uploads past their expiry, and refresh the
    database's planner statistics.

    A running job beats every VIDEO_SHARE_STALE_JOB_SECONDS / 5 and this looks every quarter
    of it: a killed worker's job runs again at most 1.25 × that limit after the kill, plus
    the moment a worker takes to pick it up.
    """

    def __init__(self):
        super().__init__(name="job-watchdog", daemon=True)
        self.stopping = threading.Event()

    def run(self):
        from .actions import close_dead_task_results, do_lift_expired_bans, recover_stalled_jobs
        from .digests import send_due_digests
        from .resumable import remove_expired

        interval = max(1, settings.VIDEO_SHARE_STALE_JOB_SECONDS / 4)
        next_digests = next_statistics = 0.0
        while not self.stopping.wait(interval):
            try:
                if count := recover_stalled_jobs():
                    logger.warning("Recovered %s interrupted video jobs.", count)
                if count := close_dead_task_results():
                    logger.warning("Closed %s task results left running by dead workers.", count)
                if count := storage.sweep_scratch():
                    logger.warning("Removed %s scratch folders of killed jobs.", count)
                if count := do_lift_expired_bans():
                    logger.info("Lifted %s bans whose time has passed.", count)
                if time.monotonic() >= next_digests:
                    next_digests = time.monotonic() + DIGEST_CHECK_SECONDS
                    send_due_digests()
                    if count := remove_expired():
                        logger.info("Removed %s resumable uploads past their expiry.", count)
                if time.monotonic() >= next_statistics:
                    next_statistics = time.monotonic() + STATISTICS_SECONDS
                    refresh_planner_statistics()
            except Exception:
                logger.exception("Could not check for interrupted jobs or due digests.")
            finally:
                close_old_connections()

    def stop(self) -> None:
        self.stopping.set()


def run_in_background(*, worker: bool = True):
    """Start the watchdog, and the worker unless `worker` is false, in threads of this
    process; returns what stops them (running ffmpeg jobs are killed and re-queued)."""
    watchdog = WatchdogThread()
    task_worker = WorkerThread() if worker else None
    if task_worker:
        task_worker.start()
    watchdog.start()

    def stop():
        watchdog.stop()
        media.stop_all()
        if task_worker:
            task_worker.stop(timeout=1)

    return stop
