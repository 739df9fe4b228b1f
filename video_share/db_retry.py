"""Database writes that outlast a dropped connection.

A worker's connection can be cut under it: the database restarts or fails over, an operator
ends the session (pg_terminate_backend), a proxy drops it. Django then raises, and the
connection stays broken until it is closed; a video job failed for it and was done again
from the start. The writes of a job are small and may be repeated: close the broken
connection, wait a moment, and write again.
"""

import contextlib
import functools
import logging
import time

from django.db import DatabaseError, InterfaceError, OperationalError, connection

logger = logging.getLogger(__name__)

# Pauses between tries, in seconds: about 8 seconds in all, less than a job may stay silent
# (VIDEO_SHARE_STALE_JOB_SECONDS) before the watchdog gives it to another worker.
PAUSES = (0.2, 0.5, 1, 2, 4)


def retrying(write):
    """Decorate a function whose database writes may be repeated as a whole (each in its
    own transaction): when the connection fails, it runs again after each of PAUSES; the last
    failure is raised. Inside a transaction of the caller's nothing is repeated: that
    transaction is lost with its connection."""

    @functools.wraps(write)
    def wrapper(*args, **kwargs):
        for pause in (*PAUSES, None):
            try:
                return write(*args, **kwargs)
            except (OperationalError, InterfaceError) as exc:
                if pause is None or connection.in_atomic_block:
                    raise
                logger.warning(
                    "%s: the database connection failed (%s); again in %s s.",
                    write.__qualname__,
                    str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__,
                    pause,
                )
                with contextlib.suppress(DatabaseError):
                    connection.close()
                time.sleep(pause)
        raise AssertionError("unreachable")

    return wrapper
