"""Processing benchmark (run by hand): `uv run python bench/processing.py`.

1. Generates a 60 s 1080p30 clip and runs the real pipeline on it (probe, poster frames,
   the lowest rendition, its HLS and scrub previews, then the rest of the ladder in one pass
   over one decode), reporting each time as a ratio of the clip's duration. Goals: first
   playable <= 0.25x, whole ladder <= 0.7x realtime. In the same run, side by side: the bare
   ffmpeg command of that one pass (goal: ours <= 1.1x of it), and the rest of the ladder as
   it was made before, a pass (and a decode) per rendition.
2. Starts `manage.py serve`, streams a 1 GiB upload into it and reports the server's peak
   RSS growth meanwhile. Goal: < 150 MB.
"""

import http.client
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "video_project.settings")
os.environ.setdefault("VIDEO_SHARE_DATA_DIR", tempfile.mkdtemp(prefix="bench-"))

import django  # noqa: E402

django.setup()

from bench.common import machine  # noqa: E402
from video_share import media  # noqa: E402

DURATION = 60


def pipeline(work: Path) -> None:
    clip = work / "clip.mp4"
    subprocess.run(
        [
            media.FFMPEG, "-hide_banner", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30",
            "-f", "lavfi", "-i", "sine=frequency=440",
            "-t", str(DURATION), "-c:v", "libx264", "-preset", "veryfast", "-b:v", "8M",
            "-pix_fmt", "yuv420p", "-c:a", "aac", str(clip),
        ],
        check=True,
    )  # fmt: skip
    start = time.monotonic()
    source = media.probe(clip)
    for index, at in enumerate(media.frame_times(source.duration, 4)):
        (work / f"frame-{index}.jpg").write_bytes(media.jpeg(media.grab_frame(clip, source, at)))
    heights = media.ladder(source)
    first_out = work / f"{heights[0]}p.mp4"
    media.transcode(clip, source, heights[0], first_out)
    first = time.monotonic() - start
    hls = work / "hls"
    hls.mkdir()
    media.package_hls(first_out, hls, "first", source.duration)
    width, height = media.rendition_size(source, heights[0])
    boards = work / "storyboard"
    boards.mkdir()
    media.make_storyboard(first_out, width, height, source.duration, boards)
    extras = time.monotonic() - start - first
    rest = heights[1:]
    outs = [work / f"{h}p.mp4" for h in rest]
    started = time.monotonic()
    media.transcode_ladder(clip, source, rest, outs)
    ladder = time.monotonic() - started
    full = time.monotonic() - start

    bare_outs = [work / f"bare-{h}p.mp4" for h in rest]
    started = time.monotonic()
    subprocess.run(
        media.ladder_command(clip, source, rest, bare_outs), check=True, capture_output=True
    )
    bare = time.monotonic() - started
    started = time.monotonic()
    for h in rest:
        media.transcode(clip, source, h, work / f"apart-{h}p.mp4")
    apart = time.monotonic() - started

    print(f"clip: {DURATION} s 1080p30, ladder {heights}")
    print(
        f"first playable ({heights[0]}p, with poster frames): "
        f"{first:.1f} s = {first / DURATION:.2f}x"
    )
    print(f"  then its HLS and scrub previews: {extras:.1f} s")
    print(f"whole ladder: {full:.1f} s = {full / DURATION:.2f}x")
    print(
        f"the rest ({', '.join(f'{h}p' for h in rest)}) in one pass: {ladder:.1f} s; "
        f"the bare ffmpeg command: {bare:.1f} s (ours {ladder / bare:.2f}x); "
        f"a pass per rendition, as before: {apart:.1f} s ({apart / ladder:.2f}x the one pass)"
    )
    for h in heights:
        size = (work / f"{h}p.mp4").stat().st_size / 1e6
        print(f"  {h}p: {size:.1f} MB")


def rss_kb(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1))


def upload_memory(work: Path) -> None:
    data_dir = work / "site"
    env = os.environ | {"VIDEO_SHARE_DATA_DIR": str(data_dir), "DJANGO_DEBUG": "true"}
    port = 8765
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c",
         "from video_share.models import User; "
         "User.objects.create_user('bench', password='bench-password-1')"],
        cwd=ROOT, env=env, check=True,
    )  # fmt: skip
    server = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/")
                break
            except OSError:
                time.sleep(0.2)
        cookie, csrf = log_in(port)
        baseline = rss_kb(server.pid)
        peak = baseline
        done = threading.Event()

        def sample():
            nonlocal peak
            while not done.is_set():
                peak = max(peak, rss_kb(server.pid))
                time.sleep(0.02)

        sampler = threading.Thread(target=sample)
        sampler.start()
        size = 1024**3
        boundary = "benchboundary"
        head = (
            f"--{boundary}\r\nContent-Disposition: form-data; "
            f'name="csrfmiddlewaretoken"\r\n\r\n{csrf}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="visibility"\r\n\r\npublic\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.mp4"\r\n'
            "Content-Type: video/mp4\r\n\r\n"
        ).encode()
        tail = f"\r\n--{boundary}--\r\n".encode()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        connection.putrequest("POST", "/upload/")
        connection.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
        connection.putheader("Content-Length", str(len(head) + size + len(tail)))
        connection.putheader("Cookie", cookie)
        connection.putheader("X-CSRFToken", csrf)
        connection.putheader("Referer", f"http://127.0.0.1:{port}/upload/")
        connection.endheaders()
        started = time.monotonic()
        connection.send(head)
        chunk = os.urandom(1024 * 1024)
        for _ in range(size // len(chunk)):
            connection.send(chunk)
        connection.send(tail)
        response = connection.getresponse()
        response.read()
        elapsed = time.monotonic() - started
        done.set()
        sampler.join()
        where = response.getheader("Location") or ""
        print(
            f"1 GiB upload: HTTP {response.status} {where} in {elapsed:.1f} s; "
            f"server RSS {baseline / 1024:.0f} MB "
            f"-> peak {peak / 1024:.0f} MB (growth {(peak - baseline) / 1024:.0f} MB)"
        )
    finally:
        server.terminate()
        server.wait(10)


def log_in(port: int) -> tuple[str, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port)
    connection.request("GET", "/login/")
    response = connection.getresponse()
    page = response.read().decode()
    csrf_cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie")).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = f"csrfmiddlewaretoken={token}&username=bench&password=bench-password-1"
    connection.request(
        "POST", "/login/", body,
        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={csrf_cookie}",
         "Referer": f"http://127.0.0.1:{port}/login/"},
    )  # fmt: skip
    response = connection.getresponse()
    response.read()
    if response.status != 302:
        raise RuntimeError(f"log-in failed: HTTP {response.status}")
    cookies = "; ".join(
        value.split(";", 1)[0]
        for key, value in response.getheaders()
        if key.lower() == "set-cookie"
    )
    match = re.search(r"csrftoken=([^;]+)", cookies)
    csrf = match.group(1) if match else csrf_cookie
    cookies = f"{cookies}; csrftoken={csrf}" if not match else cookies
    return cookies, csrf


if __name__ == "__main__":
    print(machine())
    work = Path(tempfile.mkdtemp(prefix="bench-processing-"))
    try:
        if "--upload-only" not in sys.argv:
            pipeline(work)
        upload_memory(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
