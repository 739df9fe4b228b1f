"""Each rendition is also packaged as HLS (fMP4/CMAF segments, keyframe-aligned), with a
master playlist per video; every playlist, init segment and segment is checked like the
video's other media, and no playlist names anything but relative names of the video's own
files (a private video's HLS was a published PeerTube leak)."""

from pathlib import Path

import m3u8
import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from video_share import media, media_access
from video_share.models import Video

from .factories import make_user
from .jobs import run_jobs
from .media_files import make_video
from .test_serving import body
from .test_videos import post_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(client):
    user = make_user("alice")
    client.force_login(user)
    return user


@pytest.fixture
def video(client, alice, tmp_path, django_capture_on_commit_callbacks):
    """A 13 s 720p upload, processed: 360p and 720p, each also as HLS."""
    post_upload(client, make_video(tmp_path / "hd.mp4", size="1280x720", seconds=13))
    with django_capture_on_commit_callbacks(execute=True):
        run_jobs()
    return Video.objects.get()


def fetch(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    return body(response)


def test_each_rendition_is_hls_with_aligned_segments(client, video):
    master = m3u8.loads(fetch(client, reverse("video_hls", args=[video.public_id])).decode())
    assert master.is_variant
    variants = [(p.stream_info.resolution, p.stream_info.bandwidth) for p in master.playlists]
    assert [resolution for resolution, _ in variants] == [(640, 360), (1280, 720)]
    assert variants[0][1] < variants[1][1]
    assert all(p.stream_info.codecs == "avc1.640028,mp4a.40.2" for p in master.playlists)
    durations = []
    for variant in master.playlists:
        assert variant.uri.startswith(f"/media/v/{video.public_id}/")
        playlist = m3u8.loads(fetch(client, variant.uri).decode())
        assert playlist.playlist_type == "vod"
        assert playlist.is_endlist
        # Named relatively: each file is asked of the site, and checked, in turn.
        names = [playlist.segment_map[0].uri, *(s.uri for s in playlist.segments)]
        assert all("/" not in name and ":" not in name for name in names)
        base = variant.uri.rsplit("/", 1)[0]
        assert fetch(client, f"{base}/{names[0]}")[4:8] == b"ftyp"  # the init segment
        assert fetch(client, f"{base}/{names[1]}")[4:8] in (b"styp", b"moof")
        durations.append([round(s.duration, 1) for s in playlist.segments])
    # Keyframes at the same moments in both: segments of the same lengths, about 4 s.
    assert durations[0] == durations[1] == [4.0, 4.0, 4.0, 1.0]


def test_a_private_videos_hls_is_refused_to_others(client, video):
    master = m3u8.loads(fetch(client, reverse("video_hls", args=[video.public_id])).decode())
    uri = master.playlists[0].uri
    playlist = m3u8.loads(fetch(client, uri).decode())
    base = uri.rsplit("/", 1)[0]
    files = [
        reverse("video_hls", args=[video.public_id]),
        uri,
        f"{base}/{playlist.segment_map[0].uri}",
        f"{base}/{playlist.segments[0].uri}",
    ]
    Video.objects.filter(pk=video.pk).update(visibility=Video.Visibility.PRIVATE)
    media_access.forget(video.public_id)
    stranger = Client()
    stranger.force_login(make_user("mallory"))
    for anyone in (stranger, Client()):
        assert [anyone.get(url).status_code for url in files] == [404, 404, 404, 404]
    # The owner still has it all.
    assert [client.get(url).status_code for url in files] == [200, 200, 200, 200]


def test_a_playlist_is_never_handed_to_the_object_store(video):
    """On object storage a public video's files are a redirect to a presigned URL; a
    playlist's relative names would then point into the bucket, unsigned. Playlists are
    served by the site, their segments redirected one by one."""
    access = media_access.load(video.public_id)
    rendition = video.renditions.get(height=360)
    assert not access.may_leave_site(rendition.hls)
    segment = next(
        f"videos/{video.public_id}/{name}"
        for name in default_storage.listdir(video.media_dir)[1]
        if name.endswith(".m4s")
    )
    assert access.may_leave_site(segment)
    from django.contrib.auth.models import AnonymousUser

    assert access.allows(AnonymousUser(), segment)


def test_the_watch_page_offers_hls_first_and_mp4_after(client, video):
    page = client.get(video.get_absolute_url()).content.decode()
    hls_at = page.index('type="application/vnd.apple.mpegurl"')
    assert hls_at < page.index('type="video/mp4"')
    assert 'value="auto" selected' in page
    # A quality chosen without JavaScript: that MP4 first, no HLS.
    chosen = client.get(video.get_absolute_url() + "?quality=360p").content.decode()
    assert "application/vnd.apple.mpegurl" not in chosen
    assert 'value="360p" selected' in chosen


def test_retrying_a_video_removes_its_hls(client, video, django_capture_on_commit_callbacks):
    from video_share.actions import do_retry_video

    names = default_storage.listdir(video.media_dir)[1]
    assert any(name.endswith(".m4s") for name in names)
    Video.objects.filter(pk=video.pk).update(status=Video.Status.FAILED)
    video.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        do_retry_video(video)
    left = default_storage.listdir(video.media_dir)[1]
    assert not any(name.endswith((".m4s", ".m3u8")) or "-hls-init" in name for name in left)


def test_packaging_is_a_remux_of_the_rendition(tmp_path):
    clip = make_video(tmp_path / "clip.mp4", size="640x360", seconds=5)
    files = media.package_hls(clip, tmp_path, "360p-test-hls", 5.0)
    assert files[0] == Path(tmp_path / "360p-test-hls.m3u8")
    assert {p.suffix for p in files[1:]} == {".mp4", ".m4s"}
