"""Media on S3-compatible object storage, against a real S3 API (moto's server)."""

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from video_share import actions, storage
from video_share.models import Rendition, Video

from .factories import make_user
from .factories import make_video as make_video_row
from .jobs import run_jobs
from .media_files import make_video
from .test_serving import body

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    return make_video(tmp_path_factory.mktemp("s3-clips") / "clip.mp4", size="320x180", seconds=1)


def fetch(url: str, **headers) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 — moto, on 127.0.0.1
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return response.status, response.read()


def settings_from(env: dict, tmp_path) -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'default': s.STORAGES['default'], 'img': s.SECURE_CSP['img-src'], "
        "'media': s.SECURE_CSP['media-src']}, default=str))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={
            "PATH": os.environ["PATH"],
            "DJANGO_SETTINGS_MODULE": "video_project.settings",
            "VIDEO_SHARE_DATA_DIR": str(tmp_path),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout)


def test_settings_keep_media_on_disk_without_a_bucket(tmp_path):
    built = settings_from({}, tmp_path)
    assert built["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert built["media"] == ["'self'", "blob:"]


def test_settings_build_s3_storage_and_its_csp_origin_from_the_environment(tmp_path):
    built = settings_from(
        {
            "VIDEO_SHARE_S3_BUCKET": "site-media",
            "VIDEO_SHARE_S3_ENDPOINT_URL": "https://s3.example.net:9000",
            "VIDEO_SHARE_S3_REGION": "eu-west-3",
            "VIDEO_SHARE_S3_ACCESS_KEY_ID": "key-id",
            "VIDEO_SHARE_S3_SECRET_ACCESS_KEY": "key-secret",
            "VIDEO_SHARE_S3_URL_SECONDS": "600",
        },
        tmp_path,
    )
    options = built["default"]["OPTIONS"]
    assert built["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert options["bucket_name"] == "site-media"
    assert options["endpoint_url"] == "https://s3.example.net:9000"
    assert options["region_name"] == "eu-west-3"
    assert (options["access_key"], options["secret_key"]) == ("key-id", "key-secret")
    assert options["querystring_auth"] is True
    assert options["querystring_expire"] == 600
    assert options["file_overwrite"] is False
    assert built["img"][-1] == built["media"][-1] == "https://s3.example.net:9000"


def test_settings_on_aws_and_on_a_custom_domain_allow_their_origin(tmp_path):
    aws = settings_from(
        {"VIDEO_SHARE_S3_BUCKET": "site-media", "VIDEO_SHARE_S3_REGION": "eu-west-3"}, tmp_path
    )
    assert aws["media"][-1] == "https://site-media.s3.eu-west-3.amazonaws.com"
    cdn = settings_from(
        {"VIDEO_SHARE_S3_BUCKET": "site-media", "VIDEO_SHARE_S3_CUSTOM_DOMAIN": "cdn.example.com"},
        tmp_path,
    )
    assert cdn["default"]["OPTIONS"]["custom_domain"] == "cdn.example.com"
    assert cdn["media"][-1] == cdn["img"][-1] == "https://cdn.example.com"


@pytest.mark.django_db(transaction=True)
def test_upload_is_stored_outside_transactions_and_processed_into_the_bucket(
    s3, client, clip, monkeypatch, settings
):
    owner = make_user("owner")
    client.force_login(owner)
    writes = []

    class Watched:
        """The storage, noting whether each file is written inside a transaction."""

        def save(self, name, content, **kwargs):
            writes.append((name, connection.in_atomic_block))
            return default_storage.save(name, content, **kwargs)

        def __getattr__(self, name):
            return getattr(default_storage, name)

    monkeypatch.setattr(storage, "default_storage", Watched())
    data = {"title": "On S3", "description": "", "tags_text": "", "visibility": "public"}
    upload = SimpleUploadedFile("clip.mp4", clip.read_bytes(), content_type="video/mp4")
    response = client.post(reverse("upload"), {"file": upload, **data})
    assert response.status_code == 302
    video = Video.objects.get()
    assert s3.keys() == [f"videos/{video.public_id}/source"]
    assert s3.read(video.source.name) == clip.read_bytes()

    run_jobs()
    video.refresh_from_db()
    assert video.status == Video.Status.READY
    rendition = video.renditions.get()
    keys = s3.keys(f"{video.media_dir}/")
    assert rendition.file.name in keys
    assert video.poster.name in keys
    assert set(video.frames) <= set(keys)
    assert rendition.size == len(s3.read(rendition.file.name))
    assert writes
    assert not any(in_transaction for _, in_transaction in writes)
    # The worker's scratch copies of the source are gone.
    assert os.listdir(settings.FILE_UPLOAD_TEMP_DIR) == []


def stored_video(s3, *, visibility="public", owner="owner", size=300_000):
    """A ready video with one rendition of random bytes on the bucket; its media URL."""
    video = make_video_row(make_user(owner), visibility=visibility)
    data = os.urandom(size)
    name = storage.default_storage.save(f"{video.media_dir}/360p-ab.mp4", ContentFile(data))
    Rendition.objects.create(
        video=video, height=360, width=640, frame_height=360, file=name, size=len(data)
    )
    return video, reverse("video_media", args=[video.public_id, "360p-ab.mp4"]), data


@pytest.mark.django_db
@pytest.mark.parametrize("visibility", ["public", "unlisted"])
def test_media_anyone_may_see_redirects_to_a_presigned_url_that_honours_range(
    s3, client, visibility
):
    _, url, data = stored_video(s3, visibility=visibility)
    response = client.get(url, headers={"range": "bytes=1000-66535"})
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(f"{s3.endpoint}/{s3.name}/videos/")
    assert "X-Amz-Signature=" in location
    assert "X-Amz-Expires=3600" in location
    assert response["Cache-Control"] == "private, max-age=300"
    status, got = fetch(location, Range="bytes=1000-66535")
    assert status == 206
    assert got == data[1000:66536]


@pytest.mark.django_db
def test_a_download_is_presigned_as_an_attachment(s3, client):
    _, url, data = stored_video(s3, visibility="public")
    location = client.get(url + "?download")["Location"]
    assert "response-content-disposition=attachment" in location
    assert "response-content-disposition" not in client.get(url)["Location"]
    request = urllib.request.Request(location)  # noqa: S310 — moto, on 127.0.0.1
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
        assert answer.headers["Content-Disposition"] == "attachment"
        assert answer.read() == data


@pytest.mark.django_db
def test_private_media_is_streamed_to_its_owner_with_a_ranged_read(s3, client, monkeypatch):
    video, url, data = stored_video(s3, visibility="private")
    asked = []
    original = storage.open_range
    monkeypatch.setattr(
        storage,
        "open_range",
        lambda name, first, last: asked.append((first, last)) or original(name, first, last),
    )
    client.force_login(video.owner)
    response = client.get(url, headers={"range": "bytes=5000-9999"})
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 5000-9999/{len(data)}"
    assert body(response) == data[5000:10000]
    assert asked == [(5000, 9999)]  # only what was asked, never the whole object
    assert response["Cache-Control"] == "private, no-cache"


@pytest.mark.django_db
def test_private_media_is_refused_to_others_and_to_visitors(s3, client):
    _, url, _ = stored_video(s3, visibility="private")
    assert client.get(url).status_code == 404
    client.force_login(make_user("someone"))
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_an_avatar_redirects_to_a_presigned_url(s3, client):
    name = storage.default_storage.save("avatars/abc.webp", ContentFile(b"RIFF-webp"))
    response = client.get(reverse("media", args=[name]))
    assert response.status_code == 302
    assert fetch(response["Location"]) == (200, b"RIFF-webp")


@pytest.mark.django_db(transaction=True)
def test_deleting_a_video_removes_its_objects(s3):
    video, _, _ = stored_video(s3)
    storage.default_storage.save(f"{video.media_dir}/source", ContentFile(b"source"))
    other, _, _ = stored_video(s3, owner="other")
    actions.do_delete_video(video)
    assert s3.keys(f"{video.media_dir}/") == []
    assert s3.keys(f"{other.media_dir}/") != []


@pytest.mark.django_db(transaction=True)
def test_an_avatar_is_stored_outside_transactions_and_the_old_one_deleted(s3, client, monkeypatch):
    from storages.backends.s3 import S3Storage

    from .test_accounts import image_file, profile_data

    writes = []
    original = S3Storage.save

    def save(self, name, content, **kwargs):
        writes.append(connection.in_atomic_block)
        return original(self, name, content, **kwargs)

    monkeypatch.setattr(S3Storage, "save", save)
    user = make_user("alice")
    client.force_login(user)
    client.post(reverse("profile_edit"), profile_data(user, avatar=image_file()))
    user.refresh_from_db()
    first = user.avatar.name
    client.post(reverse("profile_edit"), profile_data(user, avatar=image_file()))
    user.refresh_from_db()
    assert s3.keys("avatars/") == [user.avatar.name]
    assert user.avatar.name != first
    assert writes == [False, False]


@pytest.mark.django_db
def test_candidate_frames_are_streamed_to_the_owner_never_handed_out(s3, client):
    video, _, _ = stored_video(s3)
    frame = storage.default_storage.save(f"{video.media_dir}/frame-0-ab.jpg", ContentFile(b"jpg"))
    Video.objects.filter(pk=video.pk).update(frames=[frame])
    url = reverse("video_media", args=[video.public_id, "frame-0-ab.jpg"])
    assert client.get(url).status_code == 404
    client.force_login(video.owner)
    response = client.get(url)
    assert response.status_code == 200
    assert body(response) == b"jpg"
