"""Event stream capacity (run by hand): `uv run python bench/sse.py [N ...]`.

One `manage.py serve` process (uvicorn and its task worker, as the default runs) per database
engine (SQLite, and PostgreSQL when 127.0.0.1:5432 answers). For each N (default 1,000, 5,000 and 10,000), N asyncio clients open
the live stream of one public video, as its watch page does; then a comment is posted through
the site and every client waits for it. Reports, side by side in the same run:
- new streams/s while opening them, against requests/s of a hello view behind the same
  middleware, each on a new connection as a stream is;
- p50/p99 delivery latency of the comment to the N streams;
- server RSS, threads and database connections held while the N streams are open;
- a page's p99 with the N streams open, against its p99 with none.

`uv run python bench/sse.py --before DIR [N ...]`: the same from this checkout and from DIR
(another checkout of the project with its own .venv, e.g. a git worktree of an earlier
commit), on the same data, alternating, two rounds, side by side.

`--signed-in` (with any of the above): the N streams are opened by N different signed-in
readers rather than by visitors.

`uv run python bench/sse.py --pushpin [N ...]`: the same N streams on one `serve` alone, then
through Pushpin (Debian's pushpin with deploy/pushpin/, README "Pushpin") in front of one
`serve`, side by side: delivery p50/p99, the site's connections (Pushpin's to it, or one per
stream), its RSS and Pushpin's. For 20,000 streams, raise the open files limit first
(`ulimit -n 65536`): the clients and Pushpin each hold one descriptor per stream.
"""

import asyncio
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    Pushpin,
    bench_env,
    connections_to,
    free_port,
    machine,
    open_stream,
    percentile,
    post_form,
    postgres_connections,
    postgres_database,
    process_stats,
    read_until,
    request_rate,
    sqlite_connections,
    wait_for,
)
from bench.pages import load  # noqa: E402

COUNTS = [1_000, 5_000, 10_000]  # or as given on the command line
CONNECTING = 256  # streams being opened at once
# Through Pushpin: its proxy queues at most 100 requests to zurl (the site), and answers 502
# beyond, to new streams and to the holds it renews alike.
CONNECTING_THROUGH_PUSHPIN = 64
VIDEO = "bsse0000001"
WATCHING = re.compile(rb"event: watching\n(?:id: [^\n]*\n)?data: (\d+)\n")


def seed(env) -> str:
    """A channel with one public video; returns its owner's session cookie."""
    code = f"""
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from video_share.models import User, Video
owner = User.objects.create_user(username="host", password="a long and fine password")
Video.objects.create(owner=owner, public_id="{VIDEO}", title="Live", status="ready", duration=60)
session = SessionStore()
session[SESSION_KEY] = str(owner.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = owner.get_session_auth_hash()
session.create()
print(session.session_key)
"""
    run = {"cwd": ROOT, "env": env, "check": True}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], **run)
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], **run)
    output = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        capture_output=True, text=True, **run,
    ).stdout  # fmt: skip
    return output.split()[-1]


def sign_in_readers(env, n: int) -> list[str]:
    """`n` readers signed in, each with a session of their own; their session cookies."""
    code = f"""
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import transaction
from video_share.models import User
from video_share.models.accounts import handle_key
with transaction.atomic():
    first = User.objects.count()
    names = [f"reader{{first + i}}" for i in range({n})]
    User.objects.bulk_create(
        User(username=name, username_key=handle_key(name), password="!") for name in names
    )
    for user in User.objects.filter(username__startswith="reader").order_by("-pk")[:{n}]:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        print(session.session_key)
"""
    output = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return [f"sessionid={key}" for key in output.split()[-n:]]


async def post_comment(port: int, session: str, body: str) -> None:
    form = f"body={body}&client_token={secrets.token_hex(8)}"
    response, _ = await post_form(port, f"/v/{VIDEO}/comments/new", session, form)
    assert response.startswith((b"HTTP/1.1 302", b"HTTP/1.1 200")), response[:300]


def stream_path(env, tree: Path) -> str:
    """Where the checkout `tree` serves the video's stream."""
    code = f"from django.urls import reverse; print(reverse('video_stream', args=['{VIDEO}']))"
    return subprocess.run(
        [str(tree / ".venv/bin/python"), "manage.py", "shell", "--no-imports", "-c", code],
        cwd=tree, env=env | {"PYTHONPATH": str(tree)}, check=True, capture_output=True, text=True,
    ).stdout.split()[-1]  # fmt: skip


async def last_count(reader, n: int, seconds: float) -> int | None:
    """Read "watching" counts from a stream until one says `n`, or for `seconds`; the last."""
    seen, counted = b"", None
    deadline = time.monotonic() + seconds
    while counted != n and (left := deadline - time.monotonic()) > 0:
        try:
            chunk = await asyncio.wait_for(reader.read(65536), left)
        except TimeoutError:
            break
        if not chunk:
            raise ConnectionError("stream closed while waiting for the count")
        seen = seen[-200:] + chunk
        if found := WATCHING.findall(seen):
            counted = int(found[-1])
    return counted


async def run_count(
    port: int, session: str, n: int, stats, path: str, stream_port: int | None = None,
    cookies: list[str] | None = None,
) -> dict:  # fmt: skip
    """`stream_port`: where the streams are opened (Pushpin's), if not at `port`; `cookies`:
    the session cookie of each stream's reader, if they are signed in."""
    semaphore = asyncio.Semaphore(CONNECTING_THROUGH_PUSHPIN if stream_port else CONNECTING)
    retried = 0

    async def connect(cookie=""):
        nonlocal retried
        async with semaphore:
            # Pushpin 1.36 answers 502 when more new requests to the site wait than its
            # queue to zurl holds (100): a browser's EventSource tries again, so do we.
            for attempt in range(5):
                try:
                    return await open_stream(stream_port or port, path, cookie)
                except ConnectionError:
                    if stream_port is None or attempt == 4:
                        raise
                    retried += 1
                    await asyncio.sleep(0.5 * (attempt + 1))

    started = time.monotonic()
    streams = await asyncio.gather(*(connect(cookie) for cookie in (cookies or [""] * n)))
    connect_rate = n / (time.monotonic() - started)
    # The last "N watching now" announcement (debounced up to 10 s for a big audience) goes
    # to all N streams as a comment does: wait for it, so that the comment is timed alone.
    counted = await last_count(streams[0][0], n, 30)
    if counted != n:
        print(f"  (N={n}: the last count of who is watching was {counted})")
    await asyncio.sleep(1)
    held = stats()
    page = await load(port, "/", seconds=4)

    marker = f"bench-{n}".encode()
    arrivals: list[float] = []

    async def wait(reader):
        await read_until(reader, marker)
        arrivals.append(time.monotonic())

    waiting = [asyncio.create_task(wait(reader)) for reader, _writer in streams]
    await asyncio.sleep(0.5)
    sent = time.monotonic()
    await post_comment(port, session, f"bench-{n}")
    answered = time.monotonic()
    await asyncio.wait(waiting, timeout=30)
    latencies = [(t - sent) * 1000 for t in arrivals]
    for task in waiting:
        task.cancel()
    for _reader, writer in streams:
        writer.close()
    await asyncio.sleep(3)  # the server notices the closed streams
    return {
        "n": n,
        "connect_rate": connect_rate,
        "delivered": len(latencies),
        "p50": percentile(latencies, 0.5) if latencies else float("nan"),
        "p99": percentile(latencies, 0.99) if latencies else float("nan"),
        "rss": held[0],
        "threads": held[1],
        "db": held[2],
        "connections": held[3],
        "retried": retried,
        "pushpin_rss": held[4],
        "page_p99": page[2],
        "post": (answered - sent) * 1000,
    }


def bench(
    engine: str,
    database_url: str | None,
    before: Path | None = None,
    rounds: int = 2,
    pushpin: bool = False,
    signed_in: bool = False,
):
    work = Path(tempfile.mkdtemp(prefix="bench-sse-"))
    extra = {"DJANGO_SETTINGS_MODULE": "bench.app_hello_settings"}
    if database_url:
        extra["DATABASE_URL"] = database_url
    env = bench_env(work, **extra)
    try:
        session = seed(env)
        readers = sign_in_readers(env, max(stream_counts())) if signed_in else None
        if pushpin:
            alone = serve_and_measure(engine, env, work, session, ROOT, "", readers=readers)
            behind = serve_and_measure(
                engine, env, work, session, ROOT, " behind Pushpin", True, readers
            )
            print(f"\n{engine}: one serve alone → the same behind Pushpin")
            for old, new in zip(alone["counts"], behind["counts"], strict=True):
                print(
                    f"  N={old['n']}: delivered {old['delivered']} → {new['delivered']};"
                    f" p50 {old['p50']:.0f} → {new['p50']:.0f} ms;"
                    f" p99 {old['p99']:.0f} → {new['p99']:.0f} ms;"
                    f" site connections {old['connections']} → {new['connections']};"
                    f" site RSS {old['rss']:.0f} → {new['rss']:.0f} MB"
                    f" (+ Pushpin {new['pushpin_rss']:.0f} MB)"
                )
            return
        trees = [("before", before), ("after", ROOT)] if before else [("", ROOT)]
        results = {name: [] for name, _tree in trees}
        for _round in range(rounds if before else 1):
            for name, tree in trees:
                results[name].append(
                    serve_and_measure(engine, env, work, session, tree, name, readers=readers)
                )
        if before:
            print(f"\n{engine}, mean of {rounds} rounds: before → after (after/before)")
            for index, counted in enumerate(results["after"][0]["counts"]):
                n = counted["n"]
                row = []
                for key in ("connect_rate", "p50", "p99", "rss", "threads", "db", "page_p99"):
                    old = sum(r["counts"][index][key] for r in results["before"]) / rounds
                    new = sum(r["counts"][index][key] for r in results["after"]) / rounds
                    row.append(f"{key} {old:.0f} → {new:.0f} ({new / old:.2f}x)")
                print(f"  N={n}: " + "; ".join(row))
            for key in ("hello",):
                old = sum(r[key] for r in results["before"]) / rounds
                new = sum(r[key] for r in results["after"]) / rounds
                print(f"  {key} req/s {old:.0f} → {new:.0f} ({new / old:.2f}x)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def stream_counts() -> list[int]:
    return [int(n) for n in sys.argv[1:] if n.isdigit()] or COUNTS


def serve_and_measure(
    engine, env, work: Path, session: str, tree: Path, name: str, pushpin: bool = False,
    readers: list[str] | None = None,
) -> dict:  # fmt: skip
    """One server from the checkout `tree`, measured at each N; with `pushpin`, its streams
    opened through Pushpin; with `readers` (session cookies), by those signed-in readers."""
    path = stream_path(env, tree)
    port = free_port()
    log = Path(tempfile.gettempdir()) / f"bench-sse-{engine}{name.replace(' ', '-')}.log"
    proxy = None
    if pushpin:
        key = secrets.token_urlsafe(32)
        proxy = Pushpin(Path(tempfile.mkdtemp(prefix="bench-pushpin-")), [port, port], key)
        grip_url = f"http://127.0.0.1:{proxy.publish_port}/?iss=pushpin&key={key}"
        env = env | {"GRIP_URL": grip_url, "VIDEO_SHARE_PUSHPIN_STATS": proxy.stats_address}
    process = subprocess.Popen(
        [str(tree / ".venv/bin/python"), "manage.py", "serve", "--port", str(port)],
        cwd=tree, env=env | {"PYTHONPATH": str(tree)}, stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    database_url = env.get("DATABASE_URL")
    try:
        wait_for(port)
        if proxy:
            proxy.start()

        def stats():
            rss, threads = process_stats(process.pid)
            if database_url:
                connections = postgres_connections(database_url.rsplit("/", 1)[1])
            else:
                connections = sqlite_connections(process.pid, work / "db.sqlite3")
            held = connections_to(port)
            return rss, threads, connections, held, proxy.memory() if proxy else 0.0

        asyncio.run(load(port, "/", seconds=1))  # warm up
        idle = stats()
        hello = asyncio.run(request_rate(port, "/bench/hello", 3000, 64))
        page = asyncio.run(load(port, "/", seconds=4))
        print(
            f"\n{engine} {name}: idle server {idle[0]:.0f} MB, {idle[1]} threads, "
            f"{idle[2]} DB conns"
        )
        print(f"  hello view through the middleware: {hello:.0f} req/s (new connection each)")
        print(f"  home page with no streams open: p99 {page[2]:.1f} ms")
        print(
            "  N       streams/s  (÷hello)  delivered  post ms  p50 ms  p99 ms  RSS MB  threads"
            "  DB  page p99 ms  conns  Pushpin MB"
        )
        counts = []
        for n in stream_counts():
            stream_port = proxy.port if proxy else None
            cookies = readers[:n] if readers else None
            r = asyncio.run(run_count(port, session, n, stats, path, stream_port, cookies))
            counts.append(r)
            print(
                f"  {n:<7} {r['connect_rate']:9.0f}  {r['connect_rate'] / hello:7.2f}x"
                f"  {r['delivered']:9}  {r['post']:7.0f}  {r['p50']:6.0f}  {r['p99']:6.0f}"
                f"  {r['rss']:6.0f}"
                f"  {r['threads']:7}  {r['db']:2}  {r['page_p99']:6.1f} ({r['page_p99'] / page[2]:.1f}x)"
                f"  {r['connections']:5}  {r['pushpin_rss']:10.0f}"
                + (f"  ({r['retried']} opened again after a 502)" if r["retried"] else "")
            )
        return {"hello": hello, "page_p99": page[2], "counts": counts}
    finally:
        process.terminate()
        process.wait(15)
        if proxy:
            proxy.stop()
            shutil.rmtree(proxy.folder, ignore_errors=True)


def main():
    before = None
    pushpin, signed_in = "--pushpin" in sys.argv, "--signed-in" in sys.argv
    sys.argv = [arg for arg in sys.argv if arg not in ("--pushpin", "--signed-in")]
    if "--before" in sys.argv:
        before = Path(sys.argv.pop(sys.argv.index("--before") + 1)).resolve()
        sys.argv.remove("--before")
    print(machine())
    print(f"streams opened {CONNECTING} at a time; client and server share the machine")
    if signed_in:
        print("each stream opened by a different signed-in reader")
    bench("SQLite", None, before, pushpin=pushpin, signed_in=signed_in)
    if url := postgres_database("bench_sse"):
        bench("PostgreSQL", url, before, pushpin=pushpin, signed_in=signed_in)
    else:
        print("\nPostgreSQL: nothing answers on 127.0.0.1:5432, skipped")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
