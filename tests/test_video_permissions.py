import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from video_share import actions, media_access
from video_share.models import Rendition, Video

from .factories import make_user, make_video

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return make_user("owner")


def with_files(video: Video) -> Video:
    base = video.media_dir
    poster = default_storage.save(f"{base}/poster-1.jpg", ContentFile(b"jpeg"))
    frame = default_storage.save(f"{base}/frame-0-1.jpg", ContentFile(b"jpeg"))
    default_storage.save(f"{base}/source", ContentFile(b"the original upload"))
    movie = default_storage.save(f"{base}/360p-1.mp4", ContentFile(b"mp4" * 100))
    Rendition.objects.create(
        video=video, height=360, width=640, frame_height=360, file=movie, size=300
    )
    video.poster.name, video.frames, video.source.name = poster, [frame], f"{base}/source"
    video.save()
    return video


def urls(video):
    media = lambda name: reverse("video_media", args=[video.public_id, name])  # noqa: E731
    return {
        "page": video.get_absolute_url(),
        "rendition": media("360p-1.mp4"),
        "poster": media("poster-1.jpg"),
        "embed": reverse("embed", args=[video.public_id]),
    }


VIEWERS = ["owner", "other", "anonymous"]


def client_for(client, viewer, owner):
    if viewer == "owner":
        client.force_login(owner)
    elif viewer == "other":
        client.force_login(make_user("other"))
    return client


@pytest.mark.parametrize("visibility", ["public", "unlisted", "private"])
@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize("what", ["page", "rendition", "poster", "embed"])
def test_permission_matrix(client, owner, visibility, viewer, what):
    video = with_files(make_video(owner, visibility=visibility))
    client = client_for(client, viewer, owner)
    response = client.get(urls(video)[what])
    # Private videos are for their owner only, and never embed (not even for the owner).
    allowed = visibility != "private" or (viewer == "owner" and what != "embed")
    assert response.status_code == (200 if allowed else 404)


@pytest.mark.parametrize("status", ["uploaded", "processing", "failed"])
@pytest.mark.parametrize("viewer", VIEWERS)
def test_unfinished_videos_are_only_for_their_owner(client, owner, status, viewer):
    video = make_video(owner, status=status)
    response = client_for(client, viewer, owner).get(video.get_absolute_url())
    assert response.status_code == (200 if viewer == "owner" else 404)


@pytest.mark.parametrize("viewer", VIEWERS)
def test_candidate_frames_are_only_for_the_owner(client, owner, viewer):
    video = with_files(make_video(owner))
    response = client_for(client, viewer, owner).get(
        reverse("video_media", args=[video.public_id, "frame-0-1.jpg"])
    )
    assert response.status_code == (200 if viewer == "owner" else 404)


@pytest.mark.parametrize("name", ["source", "..%2Fsource", "other.mp4", "poster-2.jpg"])
def test_the_source_and_unknown_files_are_never_served(client, owner, name):
    video = with_files(make_video(owner))
    client.force_login(owner)
    assert client.get(f"/media/v/{video.public_id}/{name}").status_code == 404


def test_media_of_a_private_video_is_not_cached_publicly(client, owner):
    video = with_files(make_video(owner, visibility="private"))
    client.force_login(owner)
    response = client.get(urls(video)["rendition"])
    assert response["Cache-Control"].startswith("private")


@pytest.mark.parametrize("visibility", ["private", "unlisted"])
@pytest.mark.parametrize("what", ["rendition", "poster"])
def test_media_of_a_non_public_video_is_checked_again_on_every_use(client, owner, visibility, what):
    video = with_files(make_video(owner, visibility=visibility))
    client.force_login(owner)
    response = client.get(urls(video)[what])
    assert response["Cache-Control"] == "private, no-cache"
    again = client.get(urls(video)[what], headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 304
    assert again["Cache-Control"] == "private, no-cache"


def test_a_browser_revalidating_revoked_media_is_refused(client, owner):
    video = with_files(make_video(owner, visibility="unlisted"))
    response = client.get(urls(video)["rendition"])
    Video.objects.filter(pk=video.pk).update(visibility="private")
    media_access.forget(video.public_id)
    again = client.get(urls(video)["rendition"], headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 404


def test_media_of_a_public_video_may_be_kept_by_the_browser(client, owner):
    video = with_files(make_video(owner, visibility="public"))
    response = client.get(urls(video)["rendition"])
    assert response["Cache-Control"] == "private, max-age=86400"


def test_candidate_frames_are_checked_again_on_every_use(client, owner):
    video = with_files(make_video(owner))
    client.force_login(owner)
    response = client.get(reverse("video_media", args=[video.public_id, "frame-0-1.jpg"]))
    assert response["Cache-Control"] == "private, no-cache"


def test_a_lookup_that_read_before_a_change_does_not_cache_its_stale_answer(
    owner, monkeypatch, django_capture_on_commit_callbacks
):
    video = with_files(make_video(owner, visibility="public"))
    read = media_access._load

    def read_then_change(public_id):
        # The lookup has read "public"; the owner makes the video private and that commits
        # before the lookup stores its answer.
        stale = read(public_id)
        with django_capture_on_commit_callbacks(execute=True):
            actions.do_edit_video(
                video, {"title": "t", "description": "", "visibility": "private", "tags_text": []}
            )
        return stale

    monkeypatch.setattr(media_access, "_load", read_then_change)
    assert media_access.load(video.public_id).video.visibility == "public"
    assert media_access.cached(video.public_id) == (False, None)


@pytest.mark.parametrize(
    ("name", "method", "data"),
    [
        ("video_edit", "post", {"title": "Hacked", "visibility": "public", "tags_text": ""}),
        ("video_delete", "post", {}),
        ("video_retry", "post", {}),
        ("video_poster", "post", {"frame": "x"}),
        ("video_edit", "get", {}),
        ("video_delete", "get", {}),
    ],
)
def test_other_users_cannot_touch_a_video(client, owner, name, method, data):
    video = make_video(owner, title="Mine", status="failed")
    client.force_login(make_user("mallory"))
    response = getattr(client, method)(reverse(name, args=[video.public_id]), data)
    assert response.status_code == 404
    video.refresh_from_db()
    assert (video.title, video.status) == ("Mine", "failed")


def test_staff_may_edit_any_video(client, owner):
    video = make_video(owner, title="Mine")
    client.force_login(make_user("admin", is_staff=True))
    response = client.post(
        reverse("video_edit", args=[video.public_id]),
        {"title": "Moderated", "description": "", "visibility": "private", "tags_text": ""},
    )
    assert response.status_code == 302
    video.refresh_from_db()
    assert (video.title, video.visibility) == ("Moderated", "private")


def test_owner_edits_title_tags_and_visibility(client, owner):
    video = make_video(owner)
    client.force_login(owner)
    response = client.post(
        reverse("video_edit", args=[video.public_id]),
        {"title": "New", "description": "d", "visibility": "unlisted", "tags_text": "a1, b2"},
    )
    assert response.status_code == 302
    video.refresh_from_db()
    assert (video.title, video.visibility, video.tag_names()) == ("New", "unlisted", ["a1", "b2"])


def test_owner_chooses_another_frame_as_poster(client, owner, django_capture_on_commit_callbacks):
    video = with_files(make_video(owner))
    old = video.poster.name
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("video_poster", args=[video.public_id]), {"frame": video.frames[0]}
        )
    assert response.status_code == 302
    video.refresh_from_db()
    assert video.poster.name != old
    assert default_storage.open(video.poster.name).read() == b"jpeg"
    assert not default_storage.exists(old)


def test_a_forged_frame_name_is_refused(client, owner):
    video = with_files(make_video(owner))
    client.force_login(owner)
    response = client.post(
        reverse("video_poster", args=[video.public_id]), {"frame": "videos/other/source"}
    )
    assert response.status_code == 200
    video.refresh_from_db()
    assert video.poster.name.endswith("poster-1.jpg")


def test_watch_page_without_htmx_is_a_whole_page(client, owner):
    video = make_video(owner, status="processing", progress=42, progress_step=360)
    client.force_login(owner)
    html = client.get(video.get_absolute_url()).content.decode()
    assert "<html" in html
    assert 'sse-swap="video-' in html
    assert "42%" in html
    assert 'http-equiv="refresh"' in html  # without JavaScript, the page refreshes


def test_making_a_video_private_takes_effect_at_once_for_its_media(
    client, owner, django_capture_on_commit_callbacks
):
    video = with_files(make_video(owner))
    url = urls(video)["rendition"]
    assert client.get(url).status_code == 200  # now remembered for a moment
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("video_edit", args=[video.public_id]),
            {"title": "t", "description": "", "visibility": "private", "tags_text": ""},
        )
    client.logout()
    assert client.get(url).status_code == 404


def _make_private(video, on_commit):
    from video_share import actions

    data = {"title": video.title, "description": "", "visibility": "private", "tags_text": []}
    with on_commit(execute=True):
        actions.do_edit_video(video, data)


@pytest.mark.parametrize("viewer", ["other", "anonymous"])
def test_making_a_video_private_closes_its_viewers_streams(
    owner, viewer, django_capture_on_commit_callbacks
):
    from django_eventstream import send_event

    from .streams import body_of, serve_stream, session_cookie

    video = make_video(owner)
    cookie = session_cookie(make_user("other")) if viewer == "other" else ""

    def private_then_comment():
        _make_private(video, django_capture_on_commit_callbacks)
        send_event(
            f"video-{video.public_id}~en", "comment", "<p>for the owner</p>", json_encode=False
        )

    sent = serve_stream(
        reverse("video_stream", args=[video.public_id]),
        cookie=cookie,
        when_open=private_then_comment,
        until=b"stream-error",
    )
    text = body_of(sent)
    assert b"event: stream-error" in text
    assert b"for the owner" not in text


def test_the_owners_stream_stays_open_when_their_video_becomes_private(
    owner, django_capture_on_commit_callbacks
):
    from django_eventstream import send_event

    from .streams import body_of, serve_stream, session_cookie

    video = make_video(owner)

    def private_then_comment():
        _make_private(video, django_capture_on_commit_callbacks)
        send_event(
            f"video-{video.public_id}~en", "comment", "<p>for the owner</p>", json_encode=False
        )

    sent = serve_stream(
        reverse("video_stream", args=[video.public_id]),
        cookie=session_cookie(owner),
        when_open=private_then_comment,
        until=b"for the owner",
    )
    assert b"stream-error" not in body_of(sent)


def test_a_stale_permission_cached_in_this_process_does_not_keep_a_stream_open(
    owner, django_capture_on_commit_callbacks
):
    """Another process made the video private: here the answer cached for the video still
    says public, but the stream asks the database again when told to look."""
    from video_share import media_access
    from video_share.events import recheck_streams_on_commit

    from .streams import body_of, serve_stream

    video = make_video(owner)

    def private_elsewhere():
        media_access.load(video.public_id)  # cached here: public
        Video.objects.filter(pk=video.pk).update(visibility="private")
        with django_capture_on_commit_callbacks(execute=True):
            recheck_streams_on_commit(video=video)

    sent = serve_stream(
        reverse("video_stream", args=[video.public_id]),
        when_open=private_elsewhere,
        until=b"stream-error",
    )
    assert b"event: stream-error" in body_of(sent)
