"""Behind Pushpin (video_share.grip): stream requests Pushpin signed become GRIP holds,
cut-offs are published to Pushpin, and nothing changes without GRIP_URL. The whole path
through a real Pushpin is e2e/test_pushpin.py."""

import io
import time
from urllib.parse import urlsplit

import jwt
import pytest
from asgiref.sync import async_to_sync
from django.conf import settings as django_settings
from django.core.handlers.asgi import ASGIRequest

from video_share import events, grip
from video_share.async_handler import AsyncViewHandler
from video_share.events import presence_stream_name, video_stream_name

from .factories import make_user
from .streams import session_cookie, stream_scope
from .test_settings import manage

KEY = "a-long-key-that-pushpin-signs-its-requests-with"
GRIP_URL = f"http://127.0.0.1:5561/?iss=pushpin&key={KEY}"

pytestmark = pytest.mark.django_db


def test_without_grip_url_the_site_holds_its_streams_itself():
    assert not getattr(django_settings, "GRIP_URL", "")
    assert "django_grip.GripMiddleware" not in django_settings.MIDDLEWARE
    assert AsyncViewHandler().grip is None


def test_production_refuses_a_grip_url_without_pushpins_key(tmp_path):
    result = manage(
        "check",
        env={
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": "x" * 60,
            "DJANGO_ALLOWED_HOSTS": "video.example.com",
            "VIDEO_SHARE_DATA_DIR": str(tmp_path),
            "GRIP_URL": "http://127.0.0.1:5561/",
        },
    )
    assert result.returncode != 0
    assert "GRIP_URL must carry the key" in result.stderr


def hold(path, *, signed=True, cookie="", query=""):
    """The response of the async path to a stream request, as Pushpin would send it."""
    scope = stream_scope(path, query, cookie=cookie)
    if signed:
        sig = jwt.encode({"iss": "pushpin", "exp": int(time.time()) + 60}, KEY)
        scope["headers"].append((b"grip-sig", sig.encode()))
    request = ASGIRequest(scope, io.BytesIO())
    return async_to_sync(AsyncViewHandler().get_response)(request)


@pytest.fixture
def behind_pushpin(settings):
    settings.GRIP_URL = GRIP_URL


def channels_of(response) -> list[str]:
    return [part.split(";")[0].strip() for part in response["Grip-Channel"].split(",")]


def test_a_stream_request_pushpin_signed_is_answered_with_a_hold(behind_pushpin, video):
    response = hold(f"/events/v/{video.public_id}")
    assert response["Grip-Hold"] == "stream"
    assert "event: stream-open" in response.content.decode()
    assert response["Grip-Keep-Alive"].startswith("event: keep-alive")
    channels = channels_of(response)
    stream = video_stream_name(video.public_id, "en")
    assert f"events-{stream}" in channels
    assert f"events-{presence_stream_name(video.public_id)}" in channels
    # Ended by the video being made private.
    assert grip.cut_off_channel(events.video_control_stream_name(video.public_id)) in channels


def test_visitors_holds_share_every_channel(behind_pushpin, video):
    """Pushpin asks the next link of each hold of a channel new to it, ten a second: a
    channel of each reader's own would keep a crowd of visitors waiting (grip.hold)."""
    one = hold(f"/events/v/{video.public_id}", cookie="vs_viewer=one")
    other = hold(f"/events/v/{video.public_id}", cookie="vs_viewer=other")
    assert channels_of(one) == channels_of(other)


def test_an_unsigned_request_is_not_taken_for_pushpins(behind_pushpin, video):
    response = hold(f"/events/v/{video.public_id}", signed=False)
    assert "Grip-Hold" not in response
    assert response.streaming
    response.close()


def test_a_hold_replays_what_the_reader_missed(behind_pushpin, video):
    stream = video_stream_name(video.public_id, "en")
    events.send(stream, "comment-added", "<p>Missed it</p>")
    response = hold(f"/events/v/{video.public_id}", query=f"lastEventId={stream}:0")
    assert "<p>Missed it</p>" in response.content.decode()


def test_the_owner_is_not_cut_off_when_their_video_turns_private(behind_pushpin, video, owner):
    mine = channels_of(hold(f"/events/v/{video.public_id}", cookie=session_cookie(owner)))
    other = make_user("bob")
    theirs = channels_of(hold(f"/events/v/{video.public_id}", cookie=session_cookie(other)))
    cut_off = grip.cut_off_channel(events.video_control_stream_name(video.public_id))
    assert cut_off not in mine
    assert cut_off in theirs
    # A ban ends every hold of the user banned, and only theirs.
    assert grip.cut_off_channel(events.USERS_CONTROL_STREAM, other.pk) in theirs
    assert grip.cut_off_channel(events.USERS_CONTROL_STREAM, other.pk) not in mine


def test_a_hold_is_forbidden_to_whoever_may_not_read_it(behind_pushpin, owner):
    from .factories import make_video

    private = make_video(owner, visibility="private")
    response = hold(f"/events/v/{private.public_id}")
    assert "Grip-Hold" not in response
    assert "event: stream-error" in response.content.decode()


def test_the_next_link_renews_the_hold_with_the_same_channels(behind_pushpin, video, owner):
    first = hold(f"/events/v/{video.public_id}", cookie=session_cookie(owner))
    link = first["Grip-Link"].split(";")[0].strip("<>")
    assert f"timeout={grip.NEXT_LINK_SECONDS}" in first["Grip-Link"]
    # Pushpin asks the next link without the reader's cookies.
    url = urlsplit(link)
    again = hold(url.path, query=url.query)
    assert again["Grip-Hold"] == "stream"
    assert channels_of(again) == channels_of(first)


def test_a_video_made_private_is_cut_off_through_pushpin(behind_pushpin, video, monkeypatch):
    published = []
    monkeypatch.setattr("video_share.grip.publish", lambda *a, **kw: published.append((a, kw)))
    events._recheck(events.video_control_stream_name(video.public_id), "")
    channel = grip.cut_off_channel(events.video_control_stream_name(video.public_id))
    (error, first), (close, second) = [(a, kw) for a, kw in published]
    assert error[0] == close[0] == channel
    assert "event: stream-error" in error[1].content
    assert close[1].close
    assert second["prev_id"] == first["id"]  # Pushpin sends the close after the error


def test_without_grip_url_nothing_is_published_to_pushpin(video, monkeypatch):
    published = []
    monkeypatch.setattr("video_share.grip.publish", lambda *a, **kw: published.append(a))
    events._recheck(events.video_control_stream_name(video.public_id), "")
    assert published == []


def test_a_ban_has_the_holds_of_the_banned_users_share_renewed(behind_pushpin, monkeypatch):
    published = []
    monkeypatch.setattr("video_share.grip.publish", lambda *a, **kw: published.append(a))
    banned = make_user("mallory")
    events._recheck(events.USERS_CONTROL_STREAM, str(banned.pk))
    ((channel, hint),) = published
    assert channel == grip.cut_off_channel(events.USERS_CONTROL_STREAM, banned.pk)
    assert hint.action == "hint"


def test_signed_in_readers_holds_have_no_channel_of_their_own(behind_pushpin, video):
    """Pushpin asks the next link of a hold of a channel new to it, ten a second: a channel
    for each signed-in reader would hold a crowd of them back (grip.hold)."""
    alice = make_user("alice")
    bob = make_user("bob")
    while (bob.pk - alice.pk) % grip.USER_SHARES:
        bob = make_user(f"bob{bob.pk}")
    path = f"/events/v/{video.public_id}"
    of_alice = channels_of(hold(path, cookie=session_cookie(alice)))
    assert channels_of(hold(path, cookie=session_cookie(bob))) == of_alice
    assert f"user-{alice.pk}" not in of_alice


def test_a_next_link_past_its_expiry_ends_the_stream(behind_pushpin, video, owner, monkeypatch):
    """django-eventstream signs a next link for an hour; Pushpin asks it when it must
    recover (grip.NEXT_LINK_SECONDS). Past that hour the stream ends, no hold, no error: the
    browser opens it again with its own cookies and its last event id."""
    first = hold(f"/events/v/{video.public_id}", cookie=session_cookie(owner))
    link = urlsplit(first["Grip-Link"].split(";")[0].strip("<>"))
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 3601)
    late = hold(link.path, query=link.query)
    assert late.status_code == 200
    assert "Grip-Hold" not in late
    assert late.content == b""


def test_the_banned_users_hold_is_refused_when_renewed(behind_pushpin, video):
    from video_share.actions import do_ban

    mallory = make_user("mallory")
    path = f"/events/v/{video.public_id}"
    first = hold(path, cookie=session_cookie(mallory))
    link = urlsplit(first["Grip-Link"].split(";")[0].strip("<>"))
    do_ban(mallory)
    again = hold(link.path, query=link.query)
    assert "Grip-Hold" not in again
    assert "event: stream-error" in again.content.decode()
    assert "forbidden" in again.content.decode()


def test_pushpins_statistics_count_the_pages_holding_a_videos_stream(monkeypatch):
    from video_share import presence

    announced = []
    monkeypatch.setattr(presence, "send", lambda *args: announced.append(args))
    monkeypatch.setattr(presence, "_delay", lambda size: 0)
    counter = presence.PushpinCounter("tcp://127.0.0.1:1")
    channel = f"events-{presence_stream_name('abc')}"
    counter.noted({"mode": "stream", "channel": channel, "subscribers": 3, "ttl": 60})
    counter.noted({"mode": "stream", "channel": "events-video-abc~en", "subscribers": 9})
    assert counter.count("abc") == 3
    counter.announce_due()
    assert announced == [(presence_stream_name("abc"), "watching", "3")]
    # Refreshed unchanged: nothing to announce.
    counter.noted({"mode": "stream", "channel": channel, "subscribers": 3, "ttl": 60})
    counter.announce_due()
    assert len(announced) == 1
    counter.noted({"mode": "stream", "channel": channel, "unavailable": True})
    assert counter.count("abc") == 0
    counter.announce_due()
    assert announced[-1] == (presence_stream_name("abc"), "watching", "0")


def test_a_count_pushpin_stops_refreshing_is_taken_as_gone(monkeypatch):
    from video_share import presence

    announced = []
    monkeypatch.setattr(presence, "send", lambda *args: announced.append(args))
    counter = presence.PushpinCounter("tcp://127.0.0.1:1")
    channel = f"events-{presence_stream_name('abc')}"
    counter.noted({"mode": "stream", "channel": channel, "subscribers": 2, "ttl": 60})
    now = time.monotonic()
    monkeypatch.setattr(presence.time, "monotonic", lambda: now + 71)
    assert counter.count("abc") == 0
    counter.announce_due()
    assert announced[-1] == (presence_stream_name("abc"), "watching", "0")
