"""The split deployment of README.md, for real: pages under gunicorn, event streams under
uvicorn (`serve --no-worker`), a separate `worker`, all on PostgreSQL and Redis. A comment
posted to a page worker reaches a stream held by the uvicorn process; a ban or a video made
private in another process closes the streams it concerns there.

Skipped where PostgreSQL or Redis does not answer (the default profile needs neither).
"""

import asyncio
import contextlib
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from bench.common import (
    bench_env,
    free_port,
    open_stream,
    post_form,
    postgres_database,
    read_to,
    read_until,
    redis_answers,
    resume_stream,
    split_deployment,
    wait_for,
)
from bench.sse import ROOT, VIDEO, seed

from .test_postgresql import postgres_answers

REDIS_URL = "redis://127.0.0.1:6379/14"


@pytest.fixture(scope="module")
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
            yield pages, streams, session, env
    finally:
        shutil.rmtree(work, ignore_errors=True)


def test_a_comment_posted_to_a_page_worker_reaches_a_stream_held_by_uvicorn(deployment):
    pages, streams, session, _env = deployment
    marker = f"split-{secrets.token_hex(4)}"

    async def run():
        reader, writer = await open_stream(streams, f"/events/v/{VIDEO}")
        try:
            form = f"body={marker}&client_token={secrets.token_hex(8)}"
            answer, _ = await post_form(pages, f"/v/{VIDEO}/comments/new", session, form)
            assert answer.startswith((b"HTTP/1.1 302", b"HTTP/1.1 200")), answer[:300]
            await asyncio.wait_for(read_until(reader, marker.encode()), 10)
        finally:
            writer.close()

    asyncio.run(run())


def shell(env: dict, code: str) -> str:
    """Run `code` in a process of its own (manage.py shell); its last printed word."""
    output = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return output.split()[-1] if output.split() else ""


SIGNED_IN = """
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from video_share.models import User
user = User.objects.create_user(username="{name}", password="a long and fine password")
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
print(session.session_key)
"""


def test_a_ban_in_another_process_closes_the_users_stream_held_by_uvicorn(deployment):
    _pages, streams, _session, env = deployment
    name = f"viewer{secrets.token_hex(3)}"
    session = shell(env, SIGNED_IN.format(name=name))

    async def run():
        reader, writer = await open_stream(streams, "/events/me", f"sessionid={session}")
        try:
            ban = (
                "from video_share.actions import do_ban; from video_share.models import User; "
                f"do_ban(User.objects.get(username='{name}'))"
            )
            await asyncio.to_thread(shell, env, ban)
            await asyncio.wait_for(read_until(reader, b"stream-error"), 10)
        finally:
            writer.close()

    asyncio.run(run())


def test_a_video_made_private_in_another_process_closes_its_viewers_streams(deployment):
    _pages, streams, _session, env = deployment
    public_id = f"priv{secrets.token_hex(4)}"
    shell(
        env,
        "from video_share.models import User, Video; "
        f"Video.objects.create(owner=User.objects.get(username='host'), public_id='{public_id}', "
        "title='Soon private', status='ready', duration=60)",
    )

    async def run():
        reader, writer = await open_stream(streams, f"/events/v/{public_id}")
        try:
            private = (
                "from video_share.actions import do_edit_video; "
                "from video_share.models import Video; "
                f"video = Video.objects.get(public_id='{public_id}'); "
                "do_edit_video(video, {'title': video.title, 'description': '', "
                "'visibility': 'private', 'tags_text': []})"
            )
            await asyncio.to_thread(shell, env, private)
            await asyncio.wait_for(read_until(reader, b"stream-error"), 10)
        finally:
            writer.close()

    asyncio.run(run())


def upload_form(title: str, filename: str, video: bytes) -> tuple[str, bytes]:
    """The upload form's multipart body: (boundary, body)."""
    boundary = secrets.token_hex(8)
    head = "".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in (("title", title), ("visibility", "public"))
    )
    head += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="{filename}"\r\nContent-Type: video/mp4\r\n\r\n'
    )
    return boundary, head.encode() + video + f"\r\n--{boundary}--\r\n".encode()


def test_a_slow_upload_to_uvicorn_outlasts_a_page_workers_timeout_and_is_processed(
    deployment, tmp_path
):
    """README's proxy sends uploads to uvicorn: a video sent slowly for longer than gunicorn
    lets a request last (30 s) is received, and a separate worker makes it watchable."""
    from .media_files import make_video

    _pages, streams, session, env = deployment
    video = make_video(tmp_path / "lecture.mp4", seconds=3).read_bytes()
    boundary, body = upload_form("Slow lecture", "lecture.mp4", video)
    token = secrets.token_hex(16)

    async def send_slowly() -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", streams)
        writer.write(
            (
                "POST /upload/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Cookie: sessionid={session}; csrftoken={token}\r\nX-CSRFToken: {token}\r\n"
                f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
            ).encode()
        )
        pieces = 35  # one a second: a school's Wi-Fi on a bad day
        size = -(-len(body) // pieces)
        for start in range(0, len(body), size):
            writer.write(body[start : start + size])
            await writer.drain()
            await asyncio.sleep(1)
        answer = await reader.read()
        writer.close()
        return answer

    answer = asyncio.run(send_slowly())
    assert answer.startswith(b"HTTP/1.1 302"), answer[:500]
    check = (
        "import time; from video_share.models import Video\n"
        "for _ in range(240):\n"
        "    video = Video.objects.get(title='Slow lecture')\n"
        "    if video.status in ('ready', 'failed'): break\n"
        "    time.sleep(0.5)\n"
        "print(video.status, video.renditions.count())"
    )
    status = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", check],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    ).stdout.split()  # fmt: skip
    assert status[0] == "ready", status


@contextlib.contextmanager
def another_uvicorn(env: dict, logs: Path):
    """One more `serve --no-worker` sharing the deployment's database and Redis; yields
    (port, process)."""
    port = free_port()
    with (logs / f"serve-{port}.log").open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "serve", "--no-worker", "--port", str(port)],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            wait_for(port, 120)
            yield port, process
        finally:
            if process.poll() is None:
                process.terminate()
                process.wait(15)


def test_a_video_made_private_through_gunicorn_cuts_off_its_readers_on_every_uvicorn(
    deployment, tmp_path
):
    pages, streams, session, env = deployment
    public_id = f"cut{secrets.token_hex(4)}"
    shell(
        env,
        "from video_share.models import User, Video; "
        f"Video.objects.create(owner=User.objects.get(username='host'), public_id='{public_id}', "
        "title='Soon private', status='ready', duration=60)",
    )

    async def run(other: int):
        readers = [await open_stream(port, f"/events/v/{public_id}") for port in (streams, other)]
        try:
            form = "title=Soon+private&description=&tags_text=&visibility=private"
            answer, _ = await post_form(pages, f"/v/{public_id}/edit", session, form)
            assert answer.startswith((b"HTTP/1.1 302", b"HTTP/1.1 200")), answer[:300]
            for reader, _writer in readers:
                await asyncio.wait_for(read_until(reader, b"stream-error"), 10)
        finally:
            for _reader, writer in readers:
                writer.close()

    with another_uvicorn(env, tmp_path) as (other, _process):
        asyncio.run(run(other))


def test_readers_of_a_killed_uvicorn_resume_on_another_and_miss_nothing(deployment, tmp_path):
    """uvicorn killed with SIGKILL: its readers reconnect to another process (as a proxy
    sends them) with the id of the last event they had, and get every comment once."""
    pages, streams, session, env = deployment
    first, meanwhile, after = (f"k{n}{secrets.token_hex(4)}".encode() for n in range(3))

    async def comment(marker: bytes):
        form = f"body={marker.decode()}&client_token={secrets.token_hex(8)}"
        answer, _ = await post_form(pages, f"/v/{VIDEO}/comments/new", session, form)
        assert answer.startswith((b"HTTP/1.1 302", b"HTTP/1.1 200")), answer[:300]

    async def run(doomed: int, process):
        reader, writer = await open_stream(doomed, f"/events/v/{VIDEO}")
        text = bytearray()
        await comment(first)
        await asyncio.wait_for(read_to(reader, first, text), 10)
        process.kill()
        process.wait(10)
        with contextlib.suppress(ConnectionResetError):  # the connection is gone
            assert await asyncio.wait_for(reader.read(), 10) == b""
        writer.close()
        await comment(meanwhile)
        reader, writer = await resume_stream(streams, f"/events/v/{VIDEO}", text)
        text = bytearray()
        try:
            await asyncio.wait_for(read_to(reader, meanwhile, text), 10)
            await comment(after)
            await asyncio.wait_for(read_to(reader, after, text), 10)
        finally:
            writer.close()
        assert first not in text
        assert text.count(meanwhile) == 1
        assert text.count(after) == 1

    with another_uvicorn(env, tmp_path) as (doomed, process):
        asyncio.run(run(doomed, process))


def test_watching_now_counts_people_on_every_uvicorn_once(deployment, tmp_path):
    """Two visitors, each on a uvicorn of their own: both are told two watch."""
    _pages, streams, _session, env = deployment

    async def watching(reader, count: bytes, text: bytearray):
        marker = b"event: watching\n"
        while True:
            while marker not in text:
                text += await asyncio.wait_for(reader.read(65536), 15)
            at = text.index(marker)
            end = text.find(b"\n\n", at)
            if end < 0:
                text += await asyncio.wait_for(reader.read(65536), 15)
                continue
            event, text[:] = bytes(text[at:end]), text[end:]
            if event.endswith(b"data: " + count):
                return

    async def run(other: int):
        path = f"/events/v/{VIDEO}"
        one = await open_stream(streams, path, f"vs_viewer=one{secrets.token_hex(4)}")
        two = await open_stream(other, path, f"vs_viewer=two{secrets.token_hex(4)}")
        try:
            for reader, _writer in (one, two):
                await watching(reader, b"2", bytearray())
        finally:
            two[1].close()
            one[1].close()

    with another_uvicorn(env, tmp_path) as (other, _process):
        asyncio.run(run(other))


NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


@contextlib.contextmanager
def deploy_nginx(pages: int, streams: int, work: Path):
    """nginx running deploy/nginx/video-share.conf as it is, but for its ports and a
    certificate of the test's own; yields its HTTPS port."""
    if not Path(NGINX).exists() or not shutil.which("openssl"):
        pytest.skip("nginx or openssl is not installed (.ci/run installs them)")
    folder = work / f"nginx-{secrets.token_hex(3)}"
    (folder / "logs").mkdir(parents=True)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-keyout", folder / "key.pem", "-out", folder / "cert.pem"],
        check=True, capture_output=True,
    )  # fmt: skip
    port, plain = free_port(), free_port()
    site = (ROOT / "deploy/nginx/video-share.conf").read_text()
    for old, new in (
        ("127.0.0.1:8001", f"127.0.0.1:{pages}"),
        ("127.0.0.1:8000", f"127.0.0.1:{streams}"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{port} ssl http2;"),
        ("listen [::]:443 ssl http2;", ""),
        ("listen 80;", f"listen 127.0.0.1:{plain};"),
        ("listen [::]:80;", ""),
        ("/etc/letsencrypt/live/video.example.org/fullchain.pem", str(folder / "cert.pem")),
        ("/etc/letsencrypt/live/video.example.org/privkey.pem", str(folder / "key.pem")),
    ):
        assert old in site, old
        site = site.replace(old, new)
    (folder / "site.conf").write_text(site)
    (folder / "nginx.conf").write_text(
        f"daemon off;\npid {folder}/nginx.pid;\nerror_log {folder}/logs/error.log;\n"
        f"events {{}}\nhttp {{\naccess_log off;\nclient_body_temp_path {folder}/body;\n"
        f"proxy_temp_path {folder}/proxy;\ninclude {folder}/site.conf;\n}}\n"
    )
    nginx = subprocess.Popen([NGINX, "-p", str(folder), "-c", str(folder / "nginx.conf")])
    try:
        wait_for(port, 30)
        yield port
    finally:
        nginx.terminate()
        nginx.wait(10)


async def tls_request(port: int, request: str, body: bytes = b""):
    """Open a TLS connection to 127.0.0.1:`port` and send `request` (a request head without
    its Host line) and `body`; (reader, writer)."""
    import ssl

    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=context)
    method_line, _, rest = request.partition("\r\n")
    writer.write(f"{method_line}\r\nHost: 127.0.0.1:{port}\r\n{rest}".encode() + body)
    await writer.drain()
    return reader, writer


def test_deploys_nginx_config_serves_the_split_layout(deployment, tmp_path):
    """deploy/nginx/video-share.conf in front of gunicorn and uvicorn: pages, a live stream
    that is not buffered, a comment posted through it, and an upload sent on to uvicorn."""
    from .media_files import make_video

    pages, streams, session, env = deployment

    async def run(port: int):
        reader, writer = await tls_request(port, "GET / HTTP/1.1\r\nConnection: close\r\n\r\n")
        assert (await reader.read()).startswith(b"HTTP/1.1 200")
        writer.close()

        stream, stream_writer = await tls_request(
            port, f"GET /events/v/{VIDEO} HTTP/1.1\r\nAccept: text/event-stream\r\n\r\n"
        )
        await asyncio.wait_for(read_until(stream, b"stream-open"), 10)
        marker = f"nginx-{secrets.token_hex(4)}"
        token = secrets.token_hex(16)
        cookies = f"Cookie: sessionid={session}; csrftoken={token}\r\nX-CSRFToken: {token}\r\n"
        # The site's origin as on port 443: nginx passes on the host without the test's port.
        origin = "Origin: https://127.0.0.1\r\n"
        form = f"body={marker}&client_token={secrets.token_hex(8)}".encode()
        reader, writer = await tls_request(
            port,
            f"POST /v/{VIDEO}/comments/new HTTP/1.1\r\n{cookies}{origin}"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(form)}\r\nConnection: close\r\n\r\n",
            form,
        )
        answer = await reader.read()
        assert answer.startswith((b"HTTP/1.1 302", b"HTTP/1.1 200")), answer[:300]
        writer.close()
        await asyncio.wait_for(read_until(stream, marker.encode()), 10)
        stream_writer.close()

        video = make_video(tmp_path / "clip.mp4", seconds=1).read_bytes()
        boundary, body = upload_form("Via nginx", "clip.mp4", video)
        reader, writer = await tls_request(
            port,
            f"POST /upload/ HTTP/1.1\r\n{cookies}{origin}"
            f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n",
            body,
        )
        answer = await reader.read()
        assert answer.startswith(b"HTTP/1.1 302"), answer[:500]
        writer.close()

    with deploy_nginx(pages, streams, tmp_path) as port:
        asyncio.run(run(port))
