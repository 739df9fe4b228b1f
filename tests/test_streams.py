import pytest
from django.urls import reverse
from django_eventstream import get_current_event_id, send_event

from video_share.events import ChannelManager, user_channel

from .factories import make_user
from .streams import read_stream

pytestmark = pytest.mark.django_db


def test_user_channels_are_readable_by_their_user_only():
    alice, bob = make_user("alice"), make_user("bob")
    manager = ChannelManager()
    assert manager.can_read_channel(alice, user_channel(alice.pk))
    assert not manager.can_read_channel(bob, user_channel(alice.pk))
    assert not manager.can_read_channel(None, user_channel(alice.pk))


def test_unknown_channels_are_readable_by_nobody():
    alice = make_user("alice")
    assert not ChannelManager().can_read_channel(alice, "anything")


def test_channels_never_come_from_the_query_string(rf):
    request = rf.get("/events/me/?channel=user-1&channel=video-x")
    assert ChannelManager().get_channels_for_request(request, {"channels": ["user-2"]}) == {
        "user-2"
    }


def test_anonymous_user_stream_ends_with_a_stream_error():
    text = read_stream(reverse("user_stream"), until="stream-error")
    assert "event: stream-error" in text
    assert "forbidden" in text


def test_a_users_event_reaches_their_stream():
    alice = make_user("alice")
    channel = user_channel(alice.pk)

    def publish():
        send_event(channel, "hello", "<p>hi</p>", json_encode=False)

    # As pages do, the stream starts from the event id current when the page was rendered.
    path = f"{reverse('user_stream')}?lastEventId={get_current_event_id([channel])}"
    text = read_stream(path, user=alice, until="event: hello", publish=publish)
    assert "event: stream-open" in text
    assert "event: hello\nid: " in text
    assert "data: <p>hi</p>" in text


def test_last_event_id_replays_missed_events():
    alice = make_user("alice")
    channel = user_channel(alice.pk)
    send_event(channel, "first", "one", json_encode=False)
    after_first = get_current_event_id([channel])
    send_event(channel, "second", "two", json_encode=False)
    text = read_stream(
        reverse("user_stream"),
        user=alice,
        until="event: second",
        headers={"Last-Event-ID": after_first},
    )
    assert "event: first" not in text
    assert "data: two" in text
