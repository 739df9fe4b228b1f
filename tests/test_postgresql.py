"""The scale-out profile: the database-specific code paths, run again on PostgreSQL.

Skipped where no PostgreSQL answers (the default profile needs none).
"""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get(
    "VIDEO_SHARE_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test"
)


def postgres_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=1).close()
    except OSError:
        return False
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.skipif(not postgres_answers(), reason="no PostgreSQL on 127.0.0.1:5432")
def test_search_subscriptions_comments_and_job_recovery_on_postgresql():
    result = subprocess.run(
        [
            sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
            "tests/test_search.py", "tests/test_discovery.py", "tests/test_comments.py",
            "tests/test_shared_pages.py", "tests/test_prepared.py",
            "tests/test_videos.py::test_a_users_backlog_does_not_starve_other_users",
            "tests/test_job_recovery.py",
        ],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": POSTGRES_URL},
        capture_output=True,
        text=True,
        timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
