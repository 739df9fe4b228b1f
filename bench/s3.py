"""Media on S3, one 64 KiB Range read at a time (run by hand): `uv run python bench/s3.py`.

Starts moto's S3 server (`moto_server`, a process of its own) and `manage.py serve` with its
media there, stores one large rendition (default 128 MB) of a public and of a private video,
then makes random 64 KiB Range reads for a few seconds each way:
(a) the app's URL (/media/v/..., permission checked): a 302 to a presigned URL, then the GET
    there with the Range (and the 302 alone);
(b) a straight GET of a presigned URL made beforehand (the floor: what the object store costs);
(c) the private video's URL: streamed by the app with one ranged GET to the store;
and, once, (d) what a plain django-storages read costs: `open()`, `seek()`, `read(64 KiB)`.
Reports requests per second and latency. Keep it short: the machine is shared.
"""

import argparse
import asyncio
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import free_port, machine, percentile, wait_for  # noqa: E402

RANGE_BYTES = 64 * 1024
CLIENTS = 4
SECONDS = 6
BUCKET = "bench-media"
KEYS = {"VIDEO_SHARE_S3_ACCESS_KEY_ID": "bench", "VIDEO_SHARE_S3_SECRET_ACCESS_KEY": "bench"}


async def get(url: str, byte_range: tuple[int, int], cookie="") -> tuple[int, dict, int]:
    """One GET on a fresh connection: (status, headers, body bytes received)."""
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    request = (
        f"GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\nConnection: close\r\n"
        f"Range: bytes={byte_range[0]}-{byte_range[1]}\r\n"
        + (f"Cookie: {cookie}\r\n" if cookie else "")
        + "\r\n"
    )
    writer.write(request.encode())
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {k.strip().lower(): v.strip() for k, v in (x.split(":", 1) for x in lines[1:] if x)}
    length, received = int(headers.get("content-length", 0)), 0
    while received < length:
        chunk = await reader.read(1024 * 1024)
        if not chunk:
            break
        received += len(chunk)
    writer.close()
    return status, headers, received


async def read_once(url: str, size: int, rng: random.Random, cookie="", follow=True) -> None:
    first = rng.randrange(0, size - RANGE_BYTES)
    wanted = (first, first + RANGE_BYTES - 1)
    status, headers, received = await get(url, wanted, cookie)
    if status == 302 and not follow:
        return
    if status == 302:
        status, headers, received = await get(headers["location"], wanted)
    assert status == 206, (url, status)
    assert received == RANGE_BYTES, (url, received)


async def run(url: str, size: int, cookie="", follow=True) -> list[float]:
    latencies: list[float] = []
    deadline = time.monotonic() + SECONDS

    async def client(seed: int):
        rng = random.Random(seed)
        while time.monotonic() < deadline:
            start = time.monotonic()
            await read_once(url, size, rng, cookie, follow)
            latencies.append(time.monotonic() - start)

    await asyncio.gather(*(client(seed) for seed in range(CLIENTS)))
    return latencies


def report(label: str, latencies: list[float]) -> None:
    ms = [x * 1000 for x in latencies]
    print(
        f"  {label:44s} {len(ms) / SECONDS:7.0f} req/s   p50 {percentile(ms, 0.5):6.1f} ms"
        f"   p95 {percentile(ms, 0.95):6.1f} ms"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mb", type=int, default=128)
    size = parser.parse_args().size_mb * 1024 * 1024

    work = Path(tempfile.mkdtemp(prefix="bench-s3-"))
    moto_port, port = free_port(), free_port()
    endpoint = f"http://127.0.0.1:{moto_port}"
    env = (
        os.environ
        | KEYS
        | {
            "VIDEO_SHARE_DATA_DIR": str(work),
            "DJANGO_SETTINGS_MODULE": "video_project.settings",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": "bench-" + "x" * 60,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "VIDEO_SHARE_S3_BUCKET": BUCKET,
            "VIDEO_SHARE_S3_ENDPOINT_URL": endpoint,
            "VIDEO_SHARE_S3_REGION": "us-east-1",
        }
    )
    moto = subprocess.Popen(
        [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(moto_port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    server = None
    try:
        wait_for(moto_port)
        manage = [sys.executable, "manage.py"]
        subprocess.run([*manage, "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
        setup = subprocess.run(
            [*manage, "shell", "-c",
             "import io, os, time\n"
             "from django.core.files.storage import default_storage as s\n"
             "from video_share.models import User, Video, Rendition\n"
             "s.bucket.create()\n"
             "u = User.objects.create_user('bench', password='x')\n"
             f"data = os.urandom(1024 * 1024) * {size // (1024 * 1024)}\n"
             "for public_id, visibility in (('benchpublic1', 'public'), "
             "('benchprivate', 'private')):\n"
             "    v = Video.objects.create(owner=u, title='Bench', status='ready', "
             "public_id=public_id, visibility=visibility, duration=600)\n"
             "    name = s.save(f'videos/{public_id}/720p-bench.mp4', io.BytesIO(data))\n"
             "    Rendition.objects.create(video=v, height=720, width=1280, "
             "frame_height=720, file=name, size=len(data))\n"
             "from importlib import import_module\n"
             "from django.conf import settings\n"
             "from django.contrib import auth\n"
             "owner = import_module(settings.SESSION_ENGINE).SessionStore()\n"
             "owner[auth.SESSION_KEY] = str(u.pk)\n"
             "owner[auth.BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]\n"
             "owner[auth.HASH_SESSION_KEY] = u.get_session_auth_hash()\n"
             "owner.save()\n"
             "print(f'{settings.SESSION_COOKIE_NAME}={owner.session_key}')\n"
             "print(s.url('videos/benchpublic1/720p-bench.mp4'))\n"
             "start = time.monotonic()\n"
             "with s.open('videos/benchpublic1/720p-bench.mp4') as f:\n"
             f"    f.seek({size // 2}); f.read({RANGE_BYTES})\n"
             "print(time.monotonic() - start)\n"],
            cwd=ROOT, env=env, check=True, capture_output=True, text=True,
        )  # fmt: skip
        cookie, presigned, whole_read = setup.stdout.split()[-3:]
        server = subprocess.Popen(
            [*manage, "serve", "--port", str(port), "--no-worker"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for(port)
        site = f"http://127.0.0.1:{port}"
        app = f"{site}/media/v/benchpublic1/720p-bench.mp4"
        private = f"{site}/media/v/benchprivate/720p-bench.mp4"
        for url in (app, presigned):  # warm up
            asyncio.run(read_once(url, size, random.Random(0)))

        print(machine())
        print(
            f"object {size / 1e6:.0f} MB on moto's S3 server, random {RANGE_BYTES // 1024} KiB "
            f"ranges, {CLIENTS} concurrent clients, {SECONDS} s each, new connection per request"
        )
        report("(a) app URL: 302, then presigned GET", asyncio.run(run(app, size)))
        report("    the 302 alone", asyncio.run(run(app, size, follow=False)))
        report("(b) presigned GET only", asyncio.run(run(presigned, size)))
        report(
            "(c) private: streamed by the app (ranged GET)", asyncio.run(run(private, size, cookie))
        )
        print(f"  (d) django-storages open/seek/read, once:     {float(whole_read) * 1000:.0f} ms")
    finally:
        if server is not None:
            server.terminate()
            server.wait(10)
        moto.terminate()
        moto.wait(10)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
