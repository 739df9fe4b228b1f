"""Media serving benchmark (run by hand): `uv run python bench/media.py [--size-mb 500]`.

Serves one 500 MB file two ways from the same `manage.py serve` (uvicorn) process, in one run:
(a) our async, permission-checked media view (/media/v/...), and (b) whitenoise serving the very
same bytes as a static file. 20 concurrent clients do full reads, then random 2 MB ranged reads.
Reports throughput, server CPU seconds per GB, and (a)/(b) as a ratio. Goal: >= 0.8x.
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import free_port, machine, wait_for  # noqa: E402

CLIENTS = 20
RANGE_BYTES = 2 * 1024 * 1024
RANGES_PER_CLIENT = 40


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def fetch(port: int, path: str, byte_range: tuple[int, int] | None = None) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    headers = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
    if byte_range:
        headers += f"Range: bytes={byte_range[0]}-{byte_range[1]}\r\n"
    writer.write((headers + "\r\n").encode())
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = int(next(
        line.split(b":", 1)[1] for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    ))  # fmt: skip
    received = 0
    while received < length:
        chunk = await reader.read(1024 * 1024)
        if not chunk:
            break
        received += len(chunk)
    writer.close()
    assert status in (200, 206), (path, status)
    assert received == length, (path, received, length)
    return received


async def full_reads(port, path):
    return sum(await asyncio.gather(*(fetch(port, path) for _ in range(CLIENTS))))


async def ranged_reads(port, path, size):
    async def client(seed):
        rng = random.Random(seed)
        total = 0
        for _ in range(RANGES_PER_CLIENT):
            first = rng.randrange(0, size - RANGE_BYTES)
            total += await fetch(port, path, (first, first + RANGE_BYTES - 1))
        return total

    return sum(await asyncio.gather(*(client(seed) for seed in range(CLIENTS))))


def measure(pid, label, coroutine):
    cpu_before, start = cpu_seconds(pid), time.monotonic()
    total = asyncio.run(coroutine)
    elapsed, cpu = time.monotonic() - start, cpu_seconds(pid) - cpu_before
    gb = total / 1e9
    print(f"  {label:34s} {gb / elapsed * 8:6.2f} Gbit/s  {cpu / gb:5.2f} CPU s/GB  ({gb:.1f} GB)")
    return gb / elapsed, cpu / gb


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mb", type=int, default=500)
    size = parser.parse_args().size_mb * 1024 * 1024

    work = Path(tempfile.mkdtemp(prefix="bench-media-"))
    env = os.environ | {
        "VIDEO_SHARE_DATA_DIR": str(work),
        "DJANGO_SETTINGS_MODULE": "video_project.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "bench-" + "x" * 60,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
    }
    try:
        manage = [sys.executable, "manage.py"]
        subprocess.run([*manage, "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
        media = work / "media" / "videos" / "benchvideo1"
        media.mkdir(parents=True)
        big = media / "720p-bench.mp4"
        with big.open("wb") as out:
            block = os.urandom(1024 * 1024)
            for _ in range(size // len(block)):
                out.write(block)
        static = work / "static" / "bench"
        static.mkdir(parents=True)
        os.link(big, static / "big.mp4")  # the very same bytes, as a static file
        subprocess.run(
            [*manage, "shell", "-c",
             "from video_share.models import User, Video, Rendition\n"
             "u = User.objects.create_user('bench', password='x')\n"
             "v = Video.objects.create(owner=u, title='Bench', status='ready', "
             "public_id='benchvideo1', duration=600)\n"
             "Rendition.objects.create(video=v, height=720, width=1280, frame_height=720, "
             f"file='videos/benchvideo1/720p-bench.mp4', size={size})"],
            cwd=ROOT, env=env, check=True,
        )  # fmt: skip
        port = free_port()
        server = subprocess.Popen(
            [*manage, "serve", "--port", str(port), "--no-worker"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            wait_for(port)
            app, static_url = "/media/v/benchvideo1/720p-bench.mp4", "/static/bench/big.mp4"
            asyncio.run(fetch(port, app, (0, 1023)))
            asyncio.run(fetch(port, static_url, (0, 1023)))
            print(machine())
            print(f"file {size / 1e6:.0f} MB, {CLIENTS} concurrent clients, one uvicorn process")
            results = {}
            for label, path in (
                ("app (async media view)", app),
                ("whitenoise (static)", static_url),
            ):
                results[label, "full"] = measure(
                    server.pid, f"{label}, full", full_reads(port, path)
                )
                results[label, "range"] = measure(
                    server.pid, f"{label}, 2 MB ranges", ranged_reads(port, path, size)
                )
            for kind in ("full", "range"):
                app_rate = results["app (async media view)", kind][0]
                static_rate = results["whitenoise (static)", kind][0]
                print(f"  ratio app/whitenoise, {kind}: {app_rate / static_rate:.2f}x")
        finally:
            server.terminate()
            server.wait(10)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
