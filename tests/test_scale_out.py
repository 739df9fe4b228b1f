"""The split deployment of README.md, for real: pages under gunicorn, event streams under
uvicorn (`serve --no-worker`), a separate `worker`, all on PostgreSQL and Redis. A comment
posted to a page worker reaches a stream held by the uvicorn process.

Skipped where PostgreSQL or Redis does not answer (the default profile needs neither).
"""

import asyncio
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from bench.common import bench_env, free_port, open_stream, post_form, read_until, wait_for
from bench.sse import VIDEO, seed

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = "redis://127.0.0.1:6379/14"


def answers(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def engines() -> str | None:
    if not (answers(5432) and answers(6379)):
        return None
    from bench.common import postgres_database

    return postgres_database("video_share_scale_out")


@pytest.fixture
def deployment():
    database = engines()
    if database is None:
        pytest.skip("no PostgreSQL on 127.0.0.1:5432 or no Redis on 127.0.0.1:6379")
    work = Path(tempfile.mkdtemp(prefix="scale-out-"))
    env = bench_env(work, DATABASE_URL=database, REDIS_URL=REDIS_URL)
    session = seed(env)
    pages, streams = free_port(), free_port()
    logs = [open(work / name, "w") for name in ("gunicorn.log", "serve.log", "worker.log")]  # noqa: SIM115
    commands = [
        [sys.executable, "-m", "gunicorn", "video_project.wsgi:application", "--workers", "2",
         "--bind", f"127.0.0.1:{pages}"],
        [sys.executable, "manage.py", "serve", "--no-worker", "--port", str(streams)],
        [sys.executable, "manage.py", "worker"],
    ]  # fmt: skip
    processes = [
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        for command, log in zip(commands, logs, strict=True)
    ]
    try:
        wait_for(pages)
        wait_for(streams)
        yield pages, streams, session
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(15)
        for log in logs:
            log.close()
        shutil.rmtree(work, ignore_errors=True)


def test_a_comment_posted_to_a_page_worker_reaches_a_stream_held_by_uvicorn(deployment):
    pages, streams, session = deployment
    marker = f"split-{secrets.token_hex(4)}"

    async def run():
        reader, writer = await open_stream(streams, f"/v/{VIDEO}/events")
        try:
            form = f"body={marker}&client_token={secrets.token_hex(8)}"
            answer, _ = await post_form(pages, f"/v/{VIDEO}/comments/new", session, form)
            assert answer.startswith((b"HTTP/1.1 302", b"HTTP/1.1 200")), answer[:300]
            await asyncio.wait_for(read_until(reader, marker.encode()), 10)
        finally:
            writer.close()

    asyncio.run(run())
