"""The resumable upload protocol with tuspy, the tus protocol's own Python client, against
the real server (`manage.py serve`): an upload interrupted mid-request and resumed by a new
client that knows only its URL, then named in the upload form, stores the file byte for
byte. The browser's side is in test_upload.py."""

import hashlib
import secrets
import socket
import time
import urllib.parse

import pytest
import requests
from tusclient import client as tus

from tests.media_files import make_video

from .helpers import unique_name


@pytest.fixture(scope="module")
def lecture(tmp_path_factory):
    return make_video(
        tmp_path_factory.mktemp("tus") / "lecture.mp4", size="1280x720", seconds=8,
        extra=("-b:v", "8M"),
    )  # fmt: skip


def signed_in(server) -> dict:
    """The headers of a new user's requests: their session, and a CSRF token."""
    name = unique_name("tus")
    key = server.shell(
        "from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY\n"
        "from django.contrib.sessions.backends.db import SessionStore\n"
        "from video_share.models import User\n"
        f"user = User.objects.create_user(username={name!r}, password='a long fine password')\n"
        "session = SessionStore()\n"
        "session[SESSION_KEY] = str(user.pk)\n"
        "session[BACKEND_SESSION_KEY] = 'django.contrib.auth.backends.ModelBackend'\n"
        "session[HASH_SESSION_KEY] = user.get_session_auth_hash()\n"
        "session.create()\n"
        "print(session.session_key)"
    ).split()[-1]
    token = secrets.token_hex(16)
    return {"Cookie": f"sessionid={key}; csrftoken={token}", "X-CSRFToken": token}


def cut_off_mid_patch(url: str, headers: dict, offset: int, body: bytes) -> None:
    """A PATCH that declares all of `body` but sends half of it, then the connection dies.
    (A body small enough to be held in memory, 2.5 MB, is read whole before any view runs:
    one cut short is not seen at all.)"""
    parts = urllib.parse.urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port)) as connection:
        lines = [
            f"PATCH {parts.path} HTTP/1.1", f"Host: {parts.netloc}", "Tus-Resumable: 1.0.0",
            "Content-Type: application/offset+octet-stream", f"Upload-Offset: {offset}",
            f"Content-Length: {len(body)}", *(f"{k}: {v}" for k, v in headers.items()),
        ]  # fmt: skip
        connection.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        connection.sendall(body[: len(body) // 2])


def test_tuspy_resumes_an_interrupted_upload(server, lecture):
    headers = signed_in(server)
    data = lecture.read_bytes()
    chunk = 256 * 1024
    first = tus.TusClient(f"{server.url}/upload/files/", headers=headers).uploader(
        file_path=str(lecture), chunk_size=chunk, metadata={"filename": "lecture.mp4"}
    )
    first.upload_chunk()
    first.upload_chunk()
    assert first.offset == 2 * chunk
    # The next request, for all the rest, dies half way: the server keeps what came.
    rest = data[first.offset :]
    assert len(rest) > 5_000_000
    cut_off_mid_patch(first.url, headers, first.offset, rest)

    # Once the server has seen the connection go (a moment later), another client, knowing
    # only the upload's URL, asks it where the upload stands.
    head = {**headers, "Tus-Resumable": "1.0.0"}
    for _ in range(50):
        if (
            int(requests.head(first.url, headers=head, timeout=10).headers["Upload-Offset"])
            > 2 * chunk
        ):
            break
        time.sleep(0.1)
    second = tus.TusClient(f"{server.url}/upload/files/", headers=headers).uploader(
        file_path=str(lecture), url=first.url, chunk_size=chunk
    )
    assert 2 * chunk < second.offset <= 2 * chunk + len(rest) // 2
    second.upload()
    assert second.offset == len(data)

    upload_id = first.url.rsplit("/", 1)[-1]
    form = {"resumable": upload_id, "title": "Sent by tuspy", "visibility": "public"}
    answer = requests.post(
        f"{server.url}/upload/", data=form, headers=headers, allow_redirects=False, timeout=30
    )
    assert answer.status_code == 302, answer.text[:500]
    digest = server.shell(
        "import hashlib; from video_share.models import Video; "
        "video = Video.objects.get(title='Sent by tuspy'); "
        "print(hashlib.sha256(video.source.read()).hexdigest())"
    )
    assert digest == hashlib.sha256(data).hexdigest()


def test_another_users_upload_is_not_there_for_tuspy(server, lecture):
    owner = tus.TusClient(f"{server.url}/upload/files/", headers=signed_in(server)).uploader(
        file_path=str(lecture), chunk_size=64 * 1024, metadata={"filename": "lecture.mp4"}
    )
    owner.upload_chunk()
    other = signed_in(server)
    answer = requests.head(owner.url, headers={**other, "Tus-Resumable": "1.0.0"}, timeout=10)
    assert answer.status_code == 404
