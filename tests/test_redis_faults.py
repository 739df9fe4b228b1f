"""Redis down, and Redis back: the site goes on without it, and live events catch up.

The first tests need no Redis at all: "down" is a port that refuses every connection
(tests/tcp_proxy.py). The last runs real processes against the Redis on 127.0.0.1:6379,
behind a proxy the test stops and starts (never the shared server itself); skipped where no
Redis answers.
"""

import asyncio
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from django.urls import reverse

from bench.common import (
    bench_env,
    free_port,
    open_stream,
    read_to,
    redis_answers,
    resume_stream,
    wait_for,
)
from bench.sse import ROOT, VIDEO, seed
from video_project.settings import redis_cache, redis_events
from video_share import throttle
from video_share.models import Comment

from .factories import PASSWORD, make_user
from .tcp_proxy import Refuser, TcpProxy


@pytest.fixture
def redis_down(settings):
    """The cache on a Redis that is down (every connection refused)."""
    refuser = Refuser()
    settings.CACHES = {"default": redis_cache(f"redis://127.0.0.1:{refuser.port}/0")}
    yield refuser
    refuser.close()


@pytest.fixture(autouse=True)
def _clear_cache():
    """Overrides conftest's: the cache of these tests is down."""


def test_pages_answer_while_redis_is_down(client, video, redis_down):
    pages = [
        reverse("home"),
        reverse("search") + "?q=video",
        video.get_absolute_url(),
        video.owner.get_absolute_url(),
    ]
    assert client.get(reverse("login")).status_code == 200
    for signed_in in (False, True):
        if signed_in:
            client.force_login(make_user("reader"))
        for page in pages:
            assert client.get(page).status_code == 200, page
    assert redis_down.attempts > 0  # the cache was asked, and failed


def test_log_in_works_while_redis_is_down(client, redis_down, db):
    make_user("alice")
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"].username == "alice"


def test_limits_let_everything_through_while_the_cache_is_down(redis_down, settings):
    settings.VIDEO_SHARE_COMMENTS_PER_MINUTE = 2
    assert all(throttle.comment_allowed(7) for _ in range(5))


@pytest.mark.django_db(transaction=True)  # the event is published once the comment commits
def test_a_comment_is_saved_and_its_author_told_while_redis_is_down(
    client, video, redis_down, monkeypatch
):
    import redis
    from django_eventstream import eventstream

    # Publishing to the same dead Redis, as a process with REDIS_URL set does.
    dead = redis.Redis(**redis_events(f"redis://127.0.0.1:{redis_down.port}/0"))
    monkeypatch.setattr(eventstream, "redis_client", dead)
    client.force_login(make_user("bob"))
    response = client.post(
        reverse("post_comment", args=[video.public_id]),
        {"body": "Still here", "client_token": secrets.token_hex(8)},
        follow=True,
    )
    assert response.status_code == 200
    assert Comment.objects.filter(video=video, body="Still here").count() == 1
    assert "others will only see it when they reload" in response.content.decode()


def test_publishing_to_a_redis_that_is_down_fails_at_once_without_retrying():
    """The worker's progress loop publishes as it encodes: each try at a dead Redis is one
    refused connection, not a series of retries with pauses."""
    import redis

    refuser = Refuser()
    try:
        client = redis.Redis(**redis_events(f"redis://127.0.0.1:{refuser.port}/0"))
        for _ in range(3):
            with pytest.raises(redis.ConnectionError):
                client.publish("events_channel", "{}")
        assert refuser.attempts == 3
    finally:
        refuser.close()


# The whole way: a uvicorn process holding a stream, another process publishing.

SEND = """
from video_share.events import send, video_stream_name
send(video_stream_name("{video}", "en"), "comment", "<p>{marker}</p>")
"""


def publish(env: dict, marker: str) -> None:
    """Publish an event on the video's stream from a process of its own."""
    subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c",
         SEND.format(video=VIDEO, marker=marker)],
        cwd=ROOT, env=env, check=True, capture_output=True, timeout=120,
    )  # fmt: skip


@pytest.fixture
def behind_proxy():
    if not redis_answers():
        pytest.skip("no Redis on 127.0.0.1:6379")
    proxy = TcpProxy(6379).start()
    work = Path(tempfile.mkdtemp(prefix="redis-faults-"))
    env = bench_env(work, REDIS_URL=f"redis://127.0.0.1:{proxy.port}/13")
    seed(env)
    port = free_port()
    log = (work / "serve.log").open("w")
    serve = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--no-worker", "--port", str(port)],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        wait_for(port, 120)
        yield proxy, env, port
    finally:
        serve.terminate()
        serve.wait(15)
        log.close()
        proxy.stop()
        shutil.rmtree(work, ignore_errors=True)


END_OF_RESPONSE = b"\r\n0\r\n\r\n"  # the last chunk


def test_streams_catch_up_once_redis_is_back(behind_proxy):
    """Redis goes away for longer than any retry, then comes back: the uvicorn process hears
    other processes again, and its readers get what was published meanwhile, once each."""
    proxy, env, port = behind_proxy
    path = f"/events/v/{VIDEO}"
    before, during, after = (f"{when}-{secrets.token_hex(4)}".encode() for when in "bda")

    async def run():
        reader, writer = await open_stream(port, path)
        text = bytearray()
        try:
            # The process's subscriber may still be connecting: publish until one arrives.
            for _ in range(20):
                await asyncio.to_thread(publish, env, before.decode())
                try:
                    await asyncio.wait_for(read_to(reader, before, text), 2)
                    break
                except TimeoutError:
                    continue
            proxy.stop()
            await asyncio.to_thread(publish, env, during.decode())  # stored; Redis is down
            await asyncio.sleep(8)
            proxy.start()
            # The process ends its streams once it hears Redis again ...
            await asyncio.wait_for(read_to(reader, END_OF_RESPONSE, text), 30)
            assert during not in text
        finally:
            writer.close()
        # ... and the browser resumes after the last event it had.
        reader, writer = await resume_stream(port, path, text)
        text = bytearray()
        try:
            try:
                await asyncio.wait_for(read_to(reader, during, text), 10)
            except TimeoutError:
                raise AssertionError(bytes(text)) from None
            await asyncio.to_thread(publish, env, after.decode())
            await asyncio.wait_for(read_to(reader, after, text), 10)
            assert before not in text
            assert text.count(during) == 1
        finally:
            writer.close()

    asyncio.run(run())
