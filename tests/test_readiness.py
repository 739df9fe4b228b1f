"""A fresh installation: processes that prepare it take turns, the others say what is missing.

Real processes on fresh data folders (and a fresh PostgreSQL database where one answers).
"""

import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from bench.common import bench_env, free_port, postgres_database

ROOT = Path(__file__).resolve().parent.parent
EXPLAINED = "Video Share cannot serve yet: the database is not migrated and the static files"


@pytest.fixture
def fresh(tmp_path):
    return bench_env(tmp_path)


def run(env, *command, timeout=180):
    return subprocess.run(
        [sys.executable, *command], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=timeout,
    )  # fmt: skip


def test_gunicorn_on_an_unprepared_installation_stops_and_says_why(fresh):
    bind = f"127.0.0.1:{free_port()}"
    result = run(fresh, "-m", "gunicorn", "video_project.wsgi:application", "--bind", bind)
    assert result.returncode != 0
    assert EXPLAINED in result.stderr
    assert "manage.py prepare" in result.stderr


def test_uvicorn_on_an_unprepared_installation_stops_and_says_why(fresh):
    port = str(free_port())
    result = run(fresh, "-m", "uvicorn", "video_project.asgi:application", "--port", port)
    assert result.returncode != 0
    assert EXPLAINED in result.stderr


def test_a_worker_on_an_unprepared_installation_stops_and_says_why(fresh):
    result = run(fresh, "manage.py", "worker")
    assert result.returncode != 0
    assert EXPLAINED in result.stderr


def prepare_at_once(env, count: int) -> None:
    processes = [
        subprocess.Popen(
            [sys.executable, "manage.py", "prepare"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )  # fmt: skip
        for _ in range(count)
    ]
    for process in processes:
        output, _ = process.communicate(timeout=300)
        assert process.returncode == 0, output
    # Then every kind of process starts.
    result = run(env, "manage.py", "shell", "--no-imports", "-c",
                 "from video_share.readiness import missing; print(missing())")  # fmt: skip
    assert result.stdout.split("\n")[-2] == "[]", result.stderr


def test_processes_preparing_a_fresh_sqlite_installation_at_once_take_turns(fresh):
    prepare_at_once(fresh, 3)


def test_processes_preparing_a_fresh_postgresql_database_at_once_take_turns(tmp_path):
    database = postgres_database("video_share_prepare")
    if database is None:
        pytest.skip("no PostgreSQL on 127.0.0.1:5432")
    # Each its own data folder, as on machines of their own: only the database is shared.
    envs = [bench_env(Path(tempfile.mkdtemp(dir=tmp_path)), DATABASE_URL=database) for _ in "ab"]
    processes = [
        subprocess.Popen(
            [sys.executable, "manage.py", "prepare"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )  # fmt: skip
        for env in envs
    ]
    for process in processes:
        output, _ = process.communicate(timeout=300)
        assert process.returncode == 0, output
