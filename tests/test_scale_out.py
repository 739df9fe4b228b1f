"""The split deployment of README.md, for real: pages under gunicorn, event streams under
uvicorn (`serve --no-worker`), a separate `worker`, all on PostgreSQL and Redis. A comment
posted to a page worker reaches a stream held by the uvicorn process.

Skipped where PostgreSQL or Redis does not answer (the default profile needs neither).
"""

import asyncio
import secrets
import shutil
import tempfile
from pathlib import Path

import pytest

from bench.common import (
    bench_env,
    open_stream,
    post_form,
    postgres_database,
    read_until,
    redis_answers,
    split_deployment,
)
from bench.sse import VIDEO, seed

from .test_postgresql import postgres_answers

REDIS_URL = "redis://127.0.0.1:6379/14"


@pytest.fixture
def deployment():
    if not (postgres_answers() and redis_answers()):
        pytest.skip("no PostgreSQL on 127.0.0.1:5432 or no Redis on 127.0.0.1:6379")
    work = Path(tempfile.mkdtemp(prefix="scale-out-"))
    env = bench_env(
        work, DATABASE_URL=postgres_database("video_share_scale_out"), REDIS_URL=REDIS_URL
    )
    try:
        session = seed(env)
        with split_deployment(env, work) as (pages, streams, _gunicorn, _serve):
            yield pages, streams, session
    finally:
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
