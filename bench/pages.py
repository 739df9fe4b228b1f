"""Page benchmark (run by hand): `uv run python bench/pages.py`.

Seeds 10,000 videos from 1,000 users (tags, views, 50,000 comments, search index), then, side
by side on the same machine, loads each page with 32 concurrent keep-alive clients, as visitors
who are not signed in and as a signed-in user (shared pages: for the user, with their personal
parts rendered):
(a) the pages under uvicorn, as `serve` runs them, and a small template page;
(b) Django's ASGI ceiling: a hello view with no middleware, same server;
(c) the same pages under gunicorn (sync worker) from wsgi.py, one process;
(d) the signed-in pages under gunicorn with two worker processes (the split deployment's
page servers);
(a0), (d0) the signed-in pages on (a) and (d) with every page rendered, no shared pages.
Reports requests/s and p50/p95 latency, and server time per page measured in-process.

`uv run python bench/pages.py --before DIR [--rounds N]`: instead, (a) and (a0) from this
checkout and from DIR (another checkout of the project, with its own .venv: e.g. a git
worktree of an earlier commit), on the same data, alternating, N rounds (default 2); and
from this checkout, the signed-in pages with shared pages for visitors only.
"""

import asyncio
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import bench_env, free_port, machine, wait_for  # noqa: E402

CONCURRENCY = 32
DURATION = 5.0
USERS, VIDEOS, COMMENTS = 1_000, 10_000, 50_000
# The watch page benchmarked has a conversation: top-level comments, some with replies.
WATCHED, WATCHED_COMMENTS = 42, 60


def seed(env):
    code = f"""
import random
from datetime import timedelta
from django.utils import timezone
from video_share.models import Tag, User, Video, View, VideoSearch
from video_share.text import fold
random.seed(1)
words = "river mountain lecture cooking garden music physics history travel sunset city ocean".split()
users = User.objects.bulk_create([User(username=f"user{{i}}", username_key=f"user{{i}}",
    display_name=f"Channel {{i}}") for i in range({USERS})])
tags = [Tag.objects.create(name=w, key=w) for w in words]
now = timezone.now()
videos = Video.objects.bulk_create([Video(owner=users[i % {USERS}], public_id=f"b{{i:010d}}",
    title=" ".join(random.sample(words, 3)) + f" {{i}}", description=" ".join(random.choices(words, k=30)),
    status="ready", duration=random.randint(20, 3000), view_count=random.randint(0, 100000))
    for i in range({VIDEOS})], batch_size=1000)
Video.objects.bulk_update([Video(pk=v.pk, created_at=now - timedelta(minutes=i)) for i, v in enumerate(videos)],
    ["created_at"], batch_size=1000)
Through = Video.tags.through
Through.objects.bulk_create([Through(video_id=v.pk, tag_id=random.choice(tags).pk) for v in videos], batch_size=2000)
View.objects.bulk_create([View(video=random.choice(videos), address=f"c{{i}}", hour=now) for i in range(20000)],
    batch_size=2000)
# Comments: most spread over the catalogue, some on the watched video (a third of them replies).
from video_share.models import Comment
comments = Comment.objects.bulk_create([Comment(video=random.choice(videos), author=random.choice(users),
    body=" ".join(random.choices(words, k=12))) for i in range({COMMENTS} - {WATCHED_COMMENTS})], batch_size=2000)
watched = videos[{WATCHED}]
tops = Comment.objects.bulk_create([Comment(video=watched, author=random.choice(users),
    body=" ".join(random.choices(words, k=12)), like_count=random.randint(0, 50))
    for i in range({WATCHED_COMMENTS} * 2 // 3)])
replies = Comment.objects.bulk_create([Comment(video=watched, author=random.choice(users), parent=random.choice(tops[:10]),
    body=" ".join(random.choices(words, k=8))) for i in range({WATCHED_COMMENTS} // 3)])
for top in tops[:10]:
    Comment.objects.filter(pk=top.pk).update(reply_count=Comment.objects.filter(parent=top).count())
VideoSearch.objects.bulk_create([VideoSearch(video=v, title=fold(v.title), tags="", channel=fold(f"user{{v.owner_id}}"),
    body=fold(v.description)) for v in videos], batch_size=1000)
# What the worker's watchdog does hourly on a running site (these servers run without it).
from video_share.worker import refresh_planner_statistics
refresh_planner_statistics()
print(Video.objects.count(), "videos", Comment.objects.count(), "comments")
"""
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, check=True
    )


PAGES = {
    "home": "/",
    "search": "/search?q=river+moun",
    "channel": "/@user7",
    "watch": f"/v/b{WATCHED:010d}",
}


async def load(
    port: int, path: str, seconds: float = DURATION, cookie: str | None = None
) -> tuple[float, float, float]:
    """requests/s, p50 ms, p95 ms with CONCURRENCY keep-alive connections for `seconds`."""
    latencies: list[float] = []
    deadline = time.monotonic() + seconds
    cookie_line = f"Cookie: {cookie}\r\n" if cookie else ""
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{cookie_line}\r\n".encode()

    async def client():
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while time.monotonic() < deadline:
            start = time.monotonic()
            if writer.is_closing() or reader.at_eof():
                # Servers without keep-alive (gunicorn's sync worker) close after each
                # response: connecting again is part of their cost.
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            chunked = False
            for line in head.split(b"\r\n"):
                lower = line.lower()
                if lower.startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
                elif lower.startswith(b"transfer-encoding:") and b"chunked" in lower:
                    chunked = True
            if chunked:
                while True:
                    size = int((await reader.readuntil(b"\r\n")).strip(), 16)
                    await reader.readexactly(size + 2)
                    if size == 0:
                        break
            else:
                await reader.readexactly(length)
            status = int(head.split(b" ", 2)[1])
            assert status == 200, (path, status)
            latencies.append(time.monotonic() - start)
            if b"connection: close" in head.lower():
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.close()

    started = time.monotonic()
    await asyncio.gather(*(client() for _ in range(CONCURRENCY)))
    elapsed = time.monotonic() - started
    latencies.sort()
    p50 = statistics.median(latencies) * 1000
    p95 = latencies[int(len(latencies) * 0.95)] * 1000
    return len(latencies) / elapsed, p50, p95


def start(command, env, log: Path, tree: Path = ROOT) -> subprocess.Popen:
    return subprocess.Popen(
        command, cwd=tree, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT
    )


def render_times(env, cookie: str, shared_seconds: int) -> dict[tuple[str, str], float]:
    """Mean server time per page, in-process (Django test client, no network), for a visitor
    and for a signed-in user: with shared pages (served from the page kept, the signed-in
    user's personal parts rendered) or, for 0 seconds, every request rendered."""
    code = (
        "import time\nfrom django.test import Client\n"
        f"visitors = {{'visitor': Client(), 'signed in': Client(HTTP_COOKIE={cookie!r})}}\n"
        f"pages = {PAGES!r}\n"
        "for who, c in visitors.items():\n"
        "  for name, path in pages.items():\n"
        "    c.get(path)\n"
        "    start = time.perf_counter()\n"
        "    for _ in range(50): assert c.get(path).status_code == 200\n"
        "    print(who.replace(' ', '_'), name, (time.perf_counter() - start) / 50 * 1000)\n"
    )
    output = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT, env=env | {"VIDEO_SHARE_SHARED_PAGE_SECONDS": str(shared_seconds)}, check=True,
        capture_output=True, text=True,
    ).stdout  # fmt: skip
    return {
        (line.split()[0].replace("_", " "), line.split()[1]): float(line.split()[2])
        for line in output.splitlines()
        if line.strip()
    }


def sign_in(env) -> str:
    """The Cookie header of a signed-in user who follows a few channels: their session, and
    the CSRF cookie that every browser has once it has seen a page with a form."""
    code = (
        "from django.test import Client\n"
        "from video_share.models import Subscription, User\n"
        "user = User.objects.create_user('viewer', 'viewer@example.com', 'bench-password')\n"
        "Subscription.objects.bulk_create([Subscription(subscriber=user, channel_id=pk)"
        " for pk in User.objects.exclude(pk=user.pk).values_list('pk', flat=True)[:20]])\n"
        "c = Client()\nc.force_login(user)\n"
        "from django.middleware.csrf import _get_new_csrf_string\n"
        "print(f'sessionid={c.cookies[\"sessionid\"].value}; csrftoken={_get_new_csrf_string()}')\n"
    )
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    ).stdout.strip().splitlines()[-1]  # fmt: skip


UVICORN = [sys.executable, "manage.py", "serve", "--no-worker"]
GUNICORN = [sys.executable, "-m", "gunicorn", "video_project.wsgi:application",
            "--log-level", "warning"]  # fmt: skip
HELLO_CEILING = [
    sys.executable, "-m", "uvicorn", "django.core.asgi:get_asgi_application", "--factory",
    "--log-level", "warning", "--no-access-log",
]  # fmt: skip


def serve(
    command, env, key: str, runs: list[tuple[str, str, str | None]], tree: Path = ROOT
) -> dict:
    """Start one server (from the checkout `tree`) and load each (label, path, cookie) in
    turn."""
    if tree != ROOT:
        command = [str(tree / ".venv/bin/python"), *command[1:]]
        env = env | {"PYTHONPATH": str(tree)}
    port = free_port()
    if command[0:3] == GUNICORN[0:3]:
        command = [*command, "--bind", f"127.0.0.1:{port}"]
    else:
        command = [*command, "--port", str(port)]
    log = Path(tempfile.gettempdir()) / f"bench-pages-{key}.log"
    process = start(command, env, log, tree)
    results = {}
    try:
        wait_for(port)
        for label, path, cookie in runs:
            asyncio.run(load(port, path, seconds=1, cookie=cookie))  # warm up
            results[label] = rate, p50, p95 = asyncio.run(load(port, path, cookie=cookie))
            print(f"  ({key}) {label:22s} {rate:6.0f} req/s  p50 {p50:6.1f} ms  p95 {p95:6.1f} ms")
    finally:
        process.terminate()
        process.wait(10)
    return results


def prepare() -> tuple[Path, dict, str]:
    """A data folder with the seeded site and its static files: (folder, environment, the
    signed-in user's cookie)."""
    work = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    env = bench_env(work)
    seed(env)
    cookie = sign_in(env)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT, env=env, check=True,
    )  # fmt: skip
    return work, env, cookie


def compare(before: Path, rounds: int) -> None:
    """(a) and (a0) from `before` and from this checkout, alternating, on the same data."""
    work, env, cookie = prepare()
    try:
        print(f"{machine()}, SQLite; before: {before}")
        print(f"{VIDEOS} videos, {USERS} users; {CONCURRENCY} clients, {DURATION:.0f} s per page")
        site = env | {"DJANGO_SETTINGS_MODULE": "bench.app_hello_settings"}
        every_rendered = site | {"VIDEO_SHARE_SHARED_PAGE_SECONDS": "0"}
        runs = [("small page", "/bench/small", None)] + [
            (f"{name} {who}", path, c)
            for who, c in (("visitor", None), ("signed in", cookie))
            for name, path in PAGES.items()
        ]
        signed_in = [(f"{name} signed in", path, cookie) for name, path in PAGES.items()]
        # Shared pages for visitors only, signed-in pages rendered (with fragment caching).
        visitors_only = site | {"VIDEO_SHARE_SHARED_PAGES": "visitors"}
        results = {"before": [], "after": []}
        for round_ in range(rounds):
            for name, tree in (("before", before), ("after", ROOT)):
                key = f"{name}{round_}"
                a = serve(UVICORN, site, f"a {key}", runs, tree)
                a0 = serve(UVICORN, every_rendered, f"a0 {key}", signed_in, tree)
                result = a | {f"{label} (a0)": r for label, r in a0.items()}
                if name == "after":
                    av = serve(UVICORN, visitors_only, f"av {key}", signed_in, tree)
                    result |= {f"{label} (visitors only)": r for label, r in av.items()}
                results[name].append(result)
        print(f"\nmean of {rounds} rounds: req/s, p95 ms")
        print(f"{'page':32s} | {'before':>14s} | {'after':>14s} | after/before")
        for label in results["after"][0]:
            cells = []
            for name in ("before", "after"):
                if label not in results[name][0]:
                    cells.append((float("nan"), float("nan")))
                    continue
                rates = [r[label][0] for r in results[name]]
                p95s = [r[label][2] for r in results[name]]
                cells.append((statistics.mean(rates), statistics.mean(p95s)))
            ratio = cells[1][0] / cells[0][0]
            print(
                f"{label:32s} | {cells[0][0]:6.0f} {cells[0][1]:6.1f} | "
                f"{cells[1][0]:6.0f} {cells[1][1]:6.1f} | {ratio:5.2f}x"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    if "--before" in sys.argv:
        before = Path(sys.argv[sys.argv.index("--before") + 1]).resolve()
        rounds = int(sys.argv[sys.argv.index("--rounds") + 1]) if "--rounds" in sys.argv else 2
        return compare(before, rounds)
    work, env, cookie = prepare()
    try:
        print(f"{machine()}, SQLite")
        print(f"{VIDEOS} videos, {USERS} users; {CONCURRENCY} clients, {DURATION:.0f} s per page")
        rendered, served = render_times(env, cookie, 0), render_times(env, cookie, 600)
        for (who, name), ms in rendered.items():
            print(f"  {who:9s} {name:8s} rendered {ms:6.1f} ms, shared {served[who, name]:6.1f} ms")
        site = env | {"DJANGO_SETTINGS_MODULE": "bench.app_hello_settings"}
        every_rendered = site | {"VIDEO_SHARE_SHARED_PAGE_SECONDS": "0"}
        every = [(f"{name} {who}", path, c) for who, c in (("visitor", None), ("signed in", cookie))
                 for name, path in PAGES.items()]  # fmt: skip
        small = [("small page", "/bench/small", None)]
        signed_in = [(f"{name} signed in", path, cookie) for name, path in PAGES.items()]
        ceiling = serve(HELLO_CEILING, env | {"DJANGO_SETTINGS_MODULE": "bench.hello_settings"},
                        "b", [("hello", "/", None)])  # fmt: skip
        a = serve(UVICORN, site, "a", small + every)
        a0 = serve(UVICORN, every_rendered, "a0", signed_in)
        c = serve([*GUNICORN, "--workers", "1"], site, "c", small + every)
        d = serve([*GUNICORN, "--workers", "2"], site, "d", small + signed_in)
        d0 = serve([*GUNICORN, "--workers", "2"], every_rendered, "d0", signed_in)
        hello = ceiling["hello"][0]
        print(f"(b) hello, no middleware, uvicorn: {hello:.0f} req/s")
        print("(a0), (d0): the same servers, every page rendered (no shared pages)")
        print("page                   | (a) uvicorn  p95 | (a0)   p95 | (c) gunicorn ×1  p95 |"
              " (d) gunicorn ×2  p95 | (d0)   p95 | (a)/(b) | (d)/(d0)")  # fmt: skip

        def cell(results, label, width):
            if label not in results:
                return " " * (width + 7)
            return f"{results[label][0]:{width}.0f} {results[label][2]:6.1f}"

        for label, _path, _cookie in small + every:
            row = [cell(a, label, 9), cell(a0, label, 4), cell(c, label, 13), cell(d, label, 13),
                   cell(d0, label, 4), f"{a[label][0] / hello:6.2f}x"]  # fmt: skip
            if label in d0:
                row.append(f"{d[label][0] / d0[label][0]:7.1f}x")
            print(f"{label:22s} | " + " | ".join(row))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
