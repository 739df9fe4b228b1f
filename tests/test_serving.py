import pytest
from asgiref.sync import async_to_sync
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils.http import http_date

from video_share.models import Rendition

from .factories import make_user, make_video

pytestmark = pytest.mark.django_db

DATA = bytes(range(256)) * 40  # 10,240 bytes


@pytest.fixture
def url():
    video = make_video(make_user("owner"))
    name = default_storage.save(f"{video.media_dir}/360p-a.mp4", ContentFile(DATA))
    Rendition.objects.create(
        video=video, height=360, width=640, frame_height=360, file=name, size=len(DATA)
    )
    return reverse("video_media", args=[video.public_id, "360p-a.mp4"])


def body(response) -> bytes:
    if not response.streaming:
        return response.content
    if not hasattr(response.streaming_content, "__aiter__"):
        return b"".join(response.streaming_content)

    async def collect():
        return b"".join([chunk async for chunk in response.streaming_content])

    return async_to_sync(collect)()


def test_whole_file(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert body(response) == DATA
    assert response["Content-Length"] == str(len(DATA))
    assert response["Content-Type"] == "video/mp4"
    assert response["Accept-Ranges"] == "bytes"
    assert response["ETag"].startswith('"')
    assert response["Last-Modified"]


def test_a_download_is_sent_as_an_attachment_and_playback_is_not(client, url):
    assert "Content-Disposition" not in client.get(url)
    response = client.get(url + "?download")
    assert response["Content-Disposition"] == "attachment"
    assert body(response) == DATA


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [("bytes=0-99", 0, 99), ("bytes=10000-", 10000, 10239), ("bytes=-40", 10200, 10239)],
)
def test_ranges_get_206_with_exactly_those_bytes(client, url, header, first, last):
    response = client.get(url, headers={"Range": header})
    assert response.status_code == 206
    assert body(response) == DATA[first : last + 1]
    assert response["Content-Range"] == f"bytes {first}-{last}/{len(DATA)}"
    assert response["Content-Length"] == str(last - first + 1)


def test_several_seeks_in_a_row(client, url):
    for first in (5000, 100, 9000, 0):
        response = client.get(url, headers={"Range": f"bytes={first}-{first + 9}"})
        assert body(response) == DATA[first : first + 10]


def test_unsatisfiable_range_is_416(client, url):
    response = client.get(url, headers={"Range": "bytes=20000-"})
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(DATA)}"


def test_a_malformed_range_is_ignored(client, url):
    response = client.get(url, headers={"Range": "bytes=oops"})
    assert response.status_code == 200
    assert body(response) == DATA


def test_head_has_the_headers_but_no_body(client, url):
    response = client.head(url, headers={"Range": "bytes=0-9"})
    assert response.status_code == 206
    assert response["Content-Length"] == "10"
    assert body(response) == b""


def test_if_none_match_gives_304(client, url):
    etag = client.get(url)["ETag"]
    response = client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response["ETag"] == etag


def test_if_modified_since_gives_304(client, url):
    modified = client.get(url)["Last-Modified"]
    assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
    older = http_date(0)
    assert client.get(url, headers={"If-Modified-Since": older}).status_code == 200


def test_if_range_with_the_current_etag_honours_the_range(client, url):
    etag = client.get(url)["ETag"]
    response = client.get(url, headers={"Range": "bytes=0-9", "If-Range": etag})
    assert response.status_code == 206


@pytest.mark.parametrize("validator", ['"stale"', "Thu, 01 Jan 1970 00:00:00 GMT"])
def test_if_range_with_a_stale_validator_sends_the_whole_file(client, url, validator):
    response = client.get(url, headers={"Range": "bytes=0-9", "If-Range": validator})
    assert response.status_code == 200
    assert body(response) == DATA


def test_post_is_not_allowed(client, url):
    assert client.post(url).status_code == 405


def test_x_accel_redirect_hands_the_bytes_to_nginx(client, url, settings):
    settings.VIDEO_SHARE_MEDIA_ACCEL_REDIRECT = "/protected-media/"
    response = client.get(url)
    assert response.status_code == 200
    assert response["X-Accel-Redirect"].startswith("/protected-media/videos/")
    assert response["X-Accel-Redirect"].endswith("/360p-a.mp4")
    assert body(response) == b""


def test_x_accel_redirect_still_checks_permission(client, url, settings):
    from video_share.models import Video

    Video.objects.update(visibility="private")
    settings.VIDEO_SHARE_MEDIA_ACCEL_REDIRECT = "/protected-media/"
    response = client.get(url)
    assert response.status_code == 404
    assert "X-Accel-Redirect" not in response
