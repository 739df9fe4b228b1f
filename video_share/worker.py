"""The background task worker, run in a thread of the web process by ``serve``.

Running it in the same process is what lets its live events reach the browsers connected to
that process when no Redis is configured: django-eventstream then delivers in-process.
"""

import logging
import threading

from django.db import close_old_connections
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

logger = logging.getLogger(__name__)


class WorkerThread(threading.Thread):
    def __init__(self, interval: float = 0.5):
        super().__init__(name="task-worker", daemon=True)
        self.worker = Worker(
            queue_names=["*"],
            interval=interval,
            batch=False,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=f"serve-{get_random_string(12)}",
            excluded_queue_names=[],
        )

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
