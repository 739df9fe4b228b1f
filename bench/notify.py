"""Notification fan-out (run by hand): `uv run python bench/notify.py [SUBSCRIBERS [CONNECTED]]`.

A channel with 10,000 subscribers publishes a video (its owner makes it public through the
edit form, as a user does). Reports:
- in-process: time and queries for `fan_out_new_video` to notify all subscribers;
- through `manage.py serve` (uvicorn + its task worker, SQLite): how long the owner's request
  takes (the fan-out must not be part of it), and how soon the live unread count reaches
  CONNECTED subscribers (default 1,000, spread over the whole list, so the last of them are in
  the last batch) whose bells are open, and a page's p99 during the fan-out against idle.
"""

import asyncio
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    bench_env,
    free_port,
    machine,
    open_stream,
    percentile,
    post_form,
    read_until,
    wait_for,
)
from bench.pages import load  # noqa: E402

SUBSCRIBERS = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
CONNECTED = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000


def shell(env, code: str) -> str:
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip


SEED = """
from datetime import timedelta
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone
from video_share.models import Subscription, User, Video
host = User.objects.create_user(username="host", password="a long and fine password")
fans = User.objects.bulk_create(
    [User(username=f"fan{{i}}", username_key=f"fan{{i}}", password="!") for i in range({n})],
    batch_size=2000)
Subscription.objects.bulk_create([Subscription(subscriber=f, channel=host) for f in fans], batch_size=2000)
User.objects.filter(pk=host.pk).update(subscriber_count={n})
for public_id in ("bnotify0001", "bnotify0002"):
    Video.objects.create(owner=host, public_id=public_id, title="Premiere", status="ready",
                         visibility="private", duration=60)
def session_for(user):
    data = {{SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: user.get_session_auth_hash()}}
    return Session(session_key=secrets.token_hex(16), session_data=SessionStore().encode(data),
                   expire_date=timezone.now() + timedelta(days=1))
import secrets
step = max(1, {n} // {connected})
sessions = [session_for(host)] + [session_for(f) for f in fans[::step][:{connected}]]
Session.objects.bulk_create(sessions, batch_size=2000)
print(" ".join(s.session_key for s in sessions))
"""

IN_PROCESS = """
import time
from django.db import connection
from django.test.utils import CaptureQueriesContext
from video_share.actions import fan_out_new_video
from video_share.models import Notification, Video
video = Video.objects.get(public_id="bnotify0001")
video.visibility = "public"
with CaptureQueriesContext(connection) as queries:
    start = time.perf_counter()
    told = fan_out_new_video(video)
    elapsed = time.perf_counter() - start
print(told, elapsed, len(queries))
Notification.objects.all().delete()
"""


async def make_public(port: int, session: str) -> float:
    """The owner makes the second video public through its edit form; returns the request's
    duration in seconds."""
    form = "title=Premiere&description=&tags_text=&visibility=public"
    response, took = await post_form(port, "/v/bnotify0002/edit", session, form)
    assert response.startswith(b"HTTP/1.1 302"), response[:300]
    return took


async def live(port: int, sessions: list[str]) -> dict:
    host, fans = sessions[0], sessions[1:]
    semaphore = asyncio.Semaphore(256)

    async def connect(session):
        async with semaphore:
            return await open_stream(port, "/events/notifications", f"sessionid={session}")

    bells = await asyncio.gather(*(connect(s) for s in fans))
    idle = await load(port, "/", seconds=3)
    arrivals: list[float] = []

    async def wait(reader):
        # The first count after the stream opened (its current count, 0, came with the page).
        await read_until(reader, b"event: unread")
        arrivals.append(time.monotonic())

    waiting = [asyncio.create_task(wait(reader)) for reader, _writer in bells]
    await asyncio.sleep(0.5)
    started = time.monotonic()
    request = await make_public(port, host)
    busy_task = asyncio.create_task(load(port, "/", seconds=3))
    await asyncio.wait(waiting, timeout=120)
    busy = await busy_task
    for _reader, writer in bells:
        writer.close()
    latencies = [(t - started) * 1000 for t in arrivals]
    return {
        "request_ms": request * 1000,
        "delivered": len(latencies),
        "p50": percentile(latencies, 0.5),
        "p99": percentile(latencies, 0.99),
        "last": max(latencies),
        "idle_p99": idle[2],
        "busy_p99": busy[2],
    }


def main():
    work = Path(tempfile.mkdtemp(prefix="bench-notify-"))
    env = bench_env(work)
    try:
        run = {"cwd": ROOT, "env": env, "check": True}
        subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], **run)
        sessions = shell(env, SEED.format(n=SUBSCRIBERS, connected=CONNECTED)).split()
        print(machine() + ", SQLite")
        told, elapsed, queries = shell(env, IN_PROCESS).split()
        print(
            f"in-process fan-out to {int(told):,} subscribers: {float(elapsed) * 1000:.0f} ms, "
            f"{queries} queries ({int(told) / float(elapsed):,.0f} notifications/s)"
        )
        port = free_port()
        log = Path(tempfile.gettempdir()) / "bench-notify.log"
        process = subprocess.Popen(
            [sys.executable, "manage.py", "serve", "--port", str(port)],
            cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            wait_for(port)
            r = asyncio.run(live(port, sessions))
        finally:
            process.terminate()
            process.wait(15)
        print(f"through serve, {len(sessions) - 1:,} subscribers' bells open:")
        print(f"  owner's request making the video public: {r['request_ms']:.0f} ms")
        print(
            f"  unread count delivered to {r['delivered']:,}: p50 {r['p50']:.0f} ms, "
            f"p99 {r['p99']:.0f} ms, last {r['last']:.0f} ms after the request"
        )
        print(
            f"  home page p99: idle {r['idle_p99']:.1f} ms, during the fan-out {r['busy_p99']:.1f} ms"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
