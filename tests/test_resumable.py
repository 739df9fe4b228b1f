"""Resumable uploads by the tus 1.0 protocol (video_share.resumable): creation, offsets,
one writer at a time, termination, expiration, the quota, and finishing through the upload
form. A real tus client (tuspy) against a real server: e2e/test_tus_client.py."""

import base64
import fcntl
import hashlib
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from video_share import resumable
from video_share.models import PartialUpload, Video

from .factories import make_user
from .media_files import make_video

pytestmark = pytest.mark.django_db

TUS = {"HTTP_TUS_RESUMABLE": "1.0.0"}
BYTES = "application/offset+octet-stream"


@pytest.fixture(autouse=True)
def _data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"


@pytest.fixture
def alice(client):
    user = make_user("alice")
    client.force_login(user)
    return user


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    return make_video(tmp_path_factory.mktemp("clips") / "lecture_one.mp4").read_bytes()


def create(client, length: int, name="lecture_one.mp4", **extra):
    metadata = f"filename {base64.b64encode(name.encode()).decode()},filetype dmlkZW8vbXA0"
    return client.post(
        reverse("upload_files"), HTTP_UPLOAD_LENGTH=str(length), HTTP_UPLOAD_METADATA=metadata,
        **TUS, **extra,
    )  # fmt: skip


def patch(client, location: str, offset: int, data: bytes, content_type=BYTES):
    return client.generic(
        "PATCH", location, data, content_type=content_type, HTTP_UPLOAD_OFFSET=str(offset), **TUS
    )


def head(client, location: str):
    return client.head(location, **TUS)


def upload_all(client, data: bytes, parts=2) -> str:
    location = create(client, len(data))["Location"]
    step = -(-len(data) // parts)
    for start in range(0, len(data), step):
        assert patch(client, location, start, data[start : start + step]).status_code == 204
    return location


def upload_id(location: str) -> str:
    return location.rstrip("/").rsplit("/", 1)[-1]


def test_the_server_says_what_it_supports(client, alice, settings):
    settings.VIDEO_SHARE_MAX_UPLOAD_MB = 100
    response = client.options(reverse("upload_files"))
    assert response.status_code == 204
    assert response["Tus-Version"] == "1.0.0"
    assert set(response["Tus-Extension"].split(",")) == {
        "creation", "creation-with-upload", "termination", "expiration"
    }  # fmt: skip
    assert response["Tus-Max-Size"] == str(100 * 1000 * 1000)


def test_an_upload_is_created_and_sent_in_parts(client, alice):
    data = b"0123456789" * 1000
    response = create(client, len(data))
    assert response.status_code == 201
    assert response["Tus-Resumable"] == "1.0.0"
    location = response["Location"]
    assert location.startswith("http://testserver/upload/files/")
    found = head(client, location)
    assert found.status_code == 200
    assert (found["Upload-Offset"], found["Upload-Length"]) == ("0", str(len(data)))
    assert found["Cache-Control"] == "no-store"
    assert "GMT" in found["Upload-Expires"]
    first = patch(client, location, 0, data[:4000])
    assert (first.status_code, first["Upload-Offset"]) == (204, "4000")
    assert head(client, location)["Upload-Offset"] == "4000"
    last = patch(client, location, 4000, data[4000:])
    assert (last.status_code, last["Upload-Offset"]) == (204, str(len(data)))
    upload = PartialUpload.objects.get()
    assert upload.complete
    assert upload.filename == "lecture_one.mp4"
    assert upload.path.read_bytes() == data


def test_bytes_may_come_with_the_creation(client, alice):
    response = create(client, 10, data=b"01234", content_type=BYTES)
    assert response.status_code == 201
    assert response["Upload-Offset"] == "5"
    assert PartialUpload.objects.get().path.read_bytes() == b"01234"


def test_a_wrong_offset_is_refused_and_changes_nothing(client, alice):
    location = create(client, 10)["Location"]
    assert patch(client, location, 0, b"01234").status_code == 204
    for offset in (0, 3, 7):  # a repeat, a step back, a gap
        response = patch(client, location, offset, b"xx")
        assert response.status_code == 409
        assert response["Upload-Offset"] == "5"
    assert PartialUpload.objects.get().path.read_bytes() == b"01234"


def test_a_second_writer_at_the_same_time_is_refused(client, alice):
    location = create(client, 10)["Location"]
    upload = PartialUpload.objects.get()
    with open(upload.path, "r+b") as other:  # a PATCH under way holds this lock
        fcntl.flock(other, fcntl.LOCK_EX)
        assert patch(client, location, 0, b"01234").status_code == 409
    assert patch(client, location, 0, b"01234").status_code == 204


def test_bytes_past_the_durable_offset_are_dropped_not_kept(client, alice):
    """A PATCH cut short (its process killed) may leave bytes the row never counted: the
    next PATCH at the counted offset writes over them."""
    location = create(client, 10)["Location"]
    patch(client, location, 0, b"01234")
    upload = PartialUpload.objects.get()
    with open(upload.path, "ab") as file:
        file.write(b"junk")
    assert patch(client, location, 5, b"56789").status_code == 204
    assert upload.path.read_bytes() == b"0123456789"


def test_more_than_the_length_and_other_content_types_are_refused(client, alice):
    location = create(client, 4)["Location"]
    assert patch(client, location, 0, b"01234").status_code == 413
    assert patch(client, location, 0, b"0123", content_type="text/plain").status_code == 415
    assert PartialUpload.objects.get().offset == 0


def test_the_protocol_version_and_the_length_are_required(client, alice):
    response = client.post(reverse("upload_files"), HTTP_UPLOAD_LENGTH="10")
    assert response.status_code == 412
    assert response["Tus-Version"] == "1.0.0"
    assert client.post(reverse("upload_files"), **TUS).status_code == 400
    assert not PartialUpload.objects.exists()


def test_signed_out_nothing_is_created(client):
    response = create(client, 10)
    assert response.status_code == 403
    assert not PartialUpload.objects.exists()


def test_someone_elses_upload_is_unknown(client, alice):
    location = create(client, 10)["Location"]
    other = Client()
    other.force_login(make_user("mallory"))
    assert head(other, location).status_code == 404
    assert patch(other, location, 0, b"01234").status_code == 404
    assert other.delete(location, **TUS).status_code == 404
    assert PartialUpload.objects.get().offset == 0


def test_an_upload_can_be_ended(client, alice):
    location = create(client, 10)["Location"]
    path = PartialUpload.objects.get().path
    assert client.delete(location, **TUS).status_code == 204
    assert not path.exists()
    assert head(client, location).status_code == 404


def test_a_patch_needs_the_csrf_token(alice):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice)
    location = create(strict, 10)
    assert location.status_code == 403
    assert not PartialUpload.objects.exists()


def test_an_expired_upload_is_gone(client, alice):
    location = create(client, 10)["Location"]
    upload = PartialUpload.objects.get()
    PartialUpload.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert head(client, location).status_code == 410
    assert not PartialUpload.objects.exists()
    assert not upload.path.exists()


def test_progress_keeps_an_upload_alive(client, alice, settings):
    settings.VIDEO_SHARE_PARTIAL_UPLOAD_HOURS = 24
    location = create(client, 10)["Location"]
    PartialUpload.objects.update(expires_at=timezone.now() + timedelta(minutes=5))
    patch(client, location, 0, b"01")
    assert PartialUpload.objects.get().expires_at > timezone.now() + timedelta(hours=23)


def test_the_worker_removes_expired_uploads_and_bytes_of_none(client, alice):
    create(client, 10)
    kept = create(client, 10)
    PartialUpload.objects.exclude(pk=upload_id(kept["Location"])).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    stray = resumable.partial_uploads_dir() / "stray"
    stray.write_bytes(b"x")
    old = timezone.now().timestamp() - 7200
    import os

    os.utime(stray, (old, old))
    assert resumable.remove_expired() == 2
    assert [u.id for u in PartialUpload.objects.all()] == [upload_id(kept["Location"])]
    assert sorted(p.name for p in resumable.partial_uploads_dir().iterdir()) == [
        upload_id(kept["Location"])
    ]


def test_uploads_under_way_count_against_the_quota(client, alice, settings):
    settings.VIDEO_SHARE_USER_QUOTA_MB = 1
    assert create(client, 600_000).status_code == 201
    refused = create(client, 600_000)
    assert refused.status_code == 413
    assert "quota" in refused.content.decode()
    assert PartialUpload.objects.count() == 1


def form(**data):
    return {"title": "", "description": "", "tags_text": "", "visibility": "public"} | data


def test_a_finished_upload_is_named_in_the_upload_form(client, alice, clip):
    location = upload_all(client, clip, parts=3)
    upload = PartialUpload.objects.get()
    response = client.post(reverse("upload"), form(resumable=upload_id(location)))
    video = Video.objects.get()
    assert response.status_code == 302
    assert response["Location"] == video.get_absolute_url()
    assert video.title == "lecture one"
    assert hashlib.sha256(video.source.read()).digest() == hashlib.sha256(clip).digest()
    assert video.source_size == len(clip)
    # Moved into storage, and the upload is over.
    assert not upload.path.exists()
    assert not PartialUpload.objects.exists()


def test_an_unfinished_or_unknown_upload_cannot_be_named(client, alice, clip):
    location = create(client, len(clip))["Location"]
    patch(client, location, 0, clip[:100])
    for name in (upload_id(location), "nothing-here"):
        response = client.post(reverse("upload"), form(resumable=name))
        assert response.status_code == 200
        assert "no longer on the server" in response.content.decode()
    assert not Video.objects.exists()
    other = Client()
    other.force_login(make_user("mallory"))
    other_location = create(other, 5)["Location"]
    patch(other, other_location, 0, b"01234")
    response = client.post(reverse("upload"), form(resumable=upload_id(other_location)))
    assert "no longer on the server" in response.content.decode()
    assert not Video.objects.exists()


def test_a_finished_upload_that_is_no_video_is_refused_and_removed(client, alice):
    location = upload_all(client, b"not a video at all" * 100)
    path = PartialUpload.objects.get().path
    response = client.post(reverse("upload"), form(resumable=upload_id(location)))
    assert response.status_code == 200
    assert not Video.objects.exists()
    assert not PartialUpload.objects.exists()
    assert not path.exists()
