"""Upload memory and speed (run by hand): `uv run python bench/upload.py [MiB]`.

One `manage.py serve` (uvicorn, as the default runs), SQLite. A signed-in user sends a file
of MiB mebibytes (default 1,024) of random bytes, in one run, side by side:
- by the resumable protocol (tus), in the upload page's requests of VIDEO_SHARE_UPLOAD_CHUNK_MB
  (50 MB), then the same file again in one request of it all;
- in the upload form, as a plain multipart POST (the page without JavaScript).
For each: the server's RSS before and at its peak while the file comes in (sampled every
0.1 s), and the rate. The bytes are no video, so the form refuses them once they are in (and
keeps nothing): the receiving is what is measured.
"""

import http.client
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import bench_env, free_port, machine, process_stats, wait_for  # noqa: E402

MB = 1000 * 1000
CHUNK = 50 * MB  # VIDEO_SHARE_UPLOAD_CHUNK_MB's default


def sign_in(env) -> str:
    code = """
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from video_share.models import User
user = User.objects.create_user(username="teacher", password="a long and fine password")
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
print(session.session_key)
"""
    run = {"cwd": ROOT, "env": env, "check": True}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], **run)
    output = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        capture_output=True, text=True, **run,
    ).stdout  # fmt: skip
    return output.split()[-1]


class Peak:
    """The largest RSS of a process while in the block, sampled every 0.1 s."""

    def __init__(self, pid: int):
        self.pid, self.peak, self.stopping = pid, 0.0, threading.Event()

    def __enter__(self):
        self.thread = threading.Thread(target=self.sample, daemon=True)
        self.thread.start()
        return self

    def sample(self):
        while not self.stopping.wait(0.1):
            self.peak = max(self.peak, process_stats(self.pid)[0])

    def __exit__(self, *exc):
        self.stopping.set()
        self.thread.join()


class Slice:
    """`length` bytes of a file from `offset`, read as they are sent."""

    def __init__(self, path: Path, offset: int, length: int):
        self.file = path.open("rb")
        self.file.seek(offset)
        self.left = length

    def read(self, size: int = 1024 * 1024) -> bytes:
        data = self.file.read(min(size, self.left))
        self.left -= len(data)
        return data


def request(port, method, path, headers, body=None, length=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    if length is not None:
        headers = headers | {"Content-Length": str(length)}
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def by_tus(port, headers, path: Path, chunk: int) -> None:
    size = path.stat().st_size
    tus = headers | {"Tus-Resumable": "1.0.0"}
    created = request(port, "POST", "/upload/files/", tus | {"Upload-Length": str(size)})
    assert created.status == 201, created.status
    location = created.getheader("Location").split("127.0.0.1", 1)[1].split("/", 1)[1]
    offset = 0
    while offset < size:
        length = min(chunk, size - offset)
        patch = tus | {
            "Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream",
        }  # fmt: skip
        answer = request(port, "PATCH", "/" + location, patch, Slice(path, offset, length), length)
        assert answer.status == 204, answer.status
        offset = int(answer.getheader("Upload-Offset"))


class Multipart:
    """The upload form's body, the file read as it is sent."""

    def __init__(self, path: Path, boundary: str):
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nBench\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="visibility"\r\n\r\npublic\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            'filename="lecture.mp4"\r\nContent-Type: video/mp4\r\n\r\n'
        ).encode()
        tail = f"\r\n--{boundary}--\r\n".encode()
        self.parts = [head, Slice(path, 0, path.stat().st_size), tail]
        self.length = len(head) + path.stat().st_size + len(tail)

    def read(self, size: int = 1024 * 1024) -> bytes:
        while self.parts:
            part = self.parts[0]
            data = part.read(size) if isinstance(part, Slice) else part
            if isinstance(part, Slice) and data:
                return data
            self.parts.pop(0)
            if data and not isinstance(part, Slice):
                return data
        return b""


def by_form(port, headers, path: Path) -> None:
    boundary = secrets.token_hex(12)
    body = Multipart(path, boundary)
    form = headers | {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    answer = request(port, "POST", "/upload/", form, body, body.length)
    assert answer.status == 200, answer.status  # refused once in: the bytes are no video


def main():
    mib = int(sys.argv[1]) if len(sys.argv) > 1 else 1024
    print(machine())
    work = Path(tempfile.mkdtemp(prefix="bench-upload-"))
    try:
        source = work / "random.bin"
        with source.open("wb") as file:
            for _ in range(mib):
                file.write(os.urandom(1024 * 1024))
        env = bench_env(work, VIDEO_SHARE_MAX_UPLOAD_MB=str(mib * 2))
        session = sign_in(env)
        token = secrets.token_hex(16)
        headers = {"Cookie": f"sessionid={session}; csrftoken={token}", "X-CSRFToken": token}
        port = free_port()
        log = (work / "serve.log").open("w")
        process = subprocess.Popen(
            [sys.executable, "manage.py", "serve", "--port", str(port)],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            wait_for(port, 120)
            print(f"{mib} MiB of random bytes to one `serve`, SQLite")
            print("  how                          RSS before MB  peak MB  growth MB  MB/s")
            runs = [
                (f"tus, {CHUNK // MB} MB requests", lambda: by_tus(port, headers, source, CHUNK)),
                ("tus, one request", lambda: by_tus(port, headers, source, source.stat().st_size)),
                ("form (multipart)", lambda: by_form(port, headers, source)),
            ]
            for name, send in runs:
                before = process_stats(process.pid)[0]
                started = time.monotonic()
                with Peak(process.pid) as peak:
                    send()
                rate = mib * 1024 * 1024 / MB / (time.monotonic() - started)
                print(
                    f"  {name:<28} {before:13.0f}  {peak.peak:7.0f}  "
                    f"{peak.peak - before:9.0f}  {rate:4.0f}"
                )
        finally:
            process.terminate()
            process.wait(15)
            log.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
