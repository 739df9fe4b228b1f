import pytest
from django.urls import reverse
from django_eventstream import get_current_event_id, send_event

from video_share.events import ChannelManager, user_stream_name

from .factories import make_user, make_video
from .streams import HeldStream, body_of, read_stream, serve_stream, session_cookie, stream_scope

pytestmark = pytest.mark.django_db


def test_user_channels_are_readable_by_their_user_only():
    alice, bob = make_user("alice"), make_user("bob")
    manager = ChannelManager()
    assert manager.can_read_channel(alice, user_stream_name(alice.pk))
    assert not manager.can_read_channel(bob, user_stream_name(alice.pk))
    assert not manager.can_read_channel(None, user_stream_name(alice.pk))


def test_unknown_channels_are_readable_by_nobody():
    alice = make_user("alice")
    assert not ChannelManager().can_read_channel(alice, "anything")


def test_channels_never_come_from_the_query_string(rf):
    request = rf.get("/events/me?channel=user-1&channel=video-x")
    assert ChannelManager().get_channels_for_request(request, {"channels": ["user-2"]}) == {
        "user-2"
    }


def test_anonymous_user_stream_ends_with_a_stream_error():
    text = read_stream(reverse("user_stream"), until="stream-error")
    assert "event: stream-error" in text
    assert "forbidden" in text


def test_a_users_event_reaches_their_stream():
    alice = make_user("alice")
    channel = user_stream_name(alice.pk)

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
    channel = user_stream_name(alice.pk)
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


@pytest.fixture
def sole_writer():
    from video_share import event_storage

    event_storage.this_process_writes_every_event()
    yield event_storage.EventStorage()
    event_storage.this_process_writes_every_event(False)


def test_a_sole_writer_knows_current_ids_without_reading_them(
    sole_writer, django_assert_num_queries
):
    channel = user_stream_name(1)
    first = sole_writer.append_event(channel, "t", "one")
    with django_assert_num_queries(0):
        assert sole_writer.get_current_id(channel) == first.id
        assert sole_writer.get_events(channel, first.id) == []
    second = sole_writer.append_event(channel, "t", "two")
    # Behind: read from the database, exactly what was missed.
    assert [e.data for e in sole_writer.get_events(channel, first.id)] == ["two"]
    assert sole_writer.get_current_id(channel) == second.id


def test_a_channel_never_written_here_is_read_once(sole_writer, django_assert_num_queries):
    from django_eventstream.storage import DjangoModelStorage

    channel = user_stream_name(2)
    written = DjangoModelStorage().append_event(channel, "t", "elsewhere")
    assert sole_writer.get_current_id(channel) == written.id
    with django_assert_num_queries(0):
        assert sole_writer.get_current_id(channel) == written.id


def test_without_a_sole_writer_every_read_goes_to_the_database(django_assert_num_queries):
    from video_share.event_storage import EventStorage

    storage = EventStorage()
    event = storage.append_event(user_stream_name(3), "t", "x")
    with django_assert_num_queries(1):
        assert storage.get_current_id(user_stream_name(3)) == event.id


def test_a_stream_that_never_starts_leaves_no_listener_behind(video):
    from asgiref.sync import async_to_sync, sync_to_async
    from django.test import AsyncClient
    from django_eventstream.views import get_listener_manager

    channel = f"video-{video.public_id}~en"
    manager = get_listener_manager()

    async def run():
        response = await AsyncClient().get(reverse("video_stream", args=[video.public_id]))
        listening = channel in manager.listeners_by_channel
        # The reader left before a byte was sent: Django closes the response unread.
        await sync_to_async(response.close)()
        return listening

    assert async_to_sync(run)()
    assert channel not in manager.listeners_by_channel


def test_an_idle_stream_gets_keep_alives(monkeypatch):
    monkeypatch.setattr("video_share.sse.KEEP_ALIVE_SECONDS", 0.05)
    alice = make_user("alice")
    text = read_stream(reverse("user_stream"), user=alice, until="event: keep-alive")
    assert "event: keep-alive" in text


def test_the_server_gets_each_event_of_a_stream_as_it_comes(video):
    from django_eventstream.views import get_listener_manager

    channel = f"video-{video.public_id}~en"
    sent = serve_stream(
        reverse("video_stream", args=[video.public_id]),
        when_open=lambda: send_event(channel, "comment", "<p>Hello</p>", json_encode=False),
        until=b"Hello",
    )
    start = sent[0]
    assert start["type"] == "http.response.start"
    assert start["status"] == 200
    assert (b"Content-Type", b"text/event-stream") in start["headers"]
    bodies = [message["body"] for message in sent[1:]]
    assert any(b"event: comment\n" in body and b"<p>Hello</p>" in body for body in bodies)
    assert all(message["more_body"] for message in sent[1:])  # one message per event
    assert channel not in get_listener_manager().listeners_by_channel


def test_events_published_while_a_stream_catches_up_arrive_once(video):
    """The page's stream resumes from its render: what was stored since comes from
    storage, and what is published while that is read comes too, each exactly once."""
    channel = f"video-{video.public_id}~en"
    resume_from = get_current_event_id([channel])
    send_event(channel, "comment", "<p>first</p>", json_encode=False)
    send_event(channel, "comment", "<p>second</p>", json_encode=False)
    sent = serve_stream(
        reverse("video_stream", args=[video.public_id]),
        query=f"lastEventId={resume_from}",
        when_open=lambda: send_event(channel, "comment", "<p>third</p>", json_encode=False),
        until=b"third",
    )
    text = b"".join(message.get("body", b"") for message in sent[1:])
    assert text.count(b"<p>first</p>") == 1
    assert text.count(b"<p>second</p>") == 1
    assert text.count(b"<p>third</p>") == 1


def test_a_stream_request_with_a_body_is_refused_unread(video):
    import asyncio

    from asgiref.sync import async_to_sync

    from video_project.asgi import application

    sent, received = [], []

    async def receive():
        received.append(1)
        return {"type": "http.request", "body": b"x" * 16384, "more_body": True}

    async def send(message):
        sent.append(message)

    path = reverse("video_stream", args=[video.public_id])
    for header in [(b"transfer-encoding", b"chunked"), (b"content-length", b"16384")]:
        sent.clear(), received.clear()
        scope = stream_scope(path)
        scope["headers"].append(header)
        async_to_sync(asyncio.wait_for)(application(scope, receive, send), 5)
        assert sent[0]["status"] == 413
        assert received == []  # never read, let alone spooled to disk


def _private(video):
    from video_share import actions

    data = {"title": video.title, "description": "", "visibility": "private", "tags_text": []}
    actions.do_edit_video(video, data)


def test_a_reader_refused_while_their_stream_catches_up_is_cut_off_at_once(
    video, django_capture_on_commit_callbacks
):
    channel = f"video-{video.public_id}~en"

    def private_now():
        with django_capture_on_commit_callbacks(execute=True):
            _private(video)
        send_event(channel, "comment", "<p>after</p>", json_encode=False)

    sent = serve_stream(
        reverse("video_stream", args=[video.public_id]),
        when_open=private_now,
        until=b"stream-error",
    )
    text = body_of(sent)
    assert b"event: stream-error" in text
    assert b"forbidden" in text
    assert b"<p>after</p>" not in text


@pytest.mark.parametrize("stream", ["video_stream", "user_stream", "notification_stream"])
def test_banning_a_user_closes_every_stream_they_hold(
    stream, video, django_capture_on_commit_callbacks
):
    from video_share.actions import do_ban

    bob = make_user("bob")
    path = reverse(stream, args=[video.public_id] if stream == "video_stream" else [])

    def ban():
        with django_capture_on_commit_callbacks(execute=True):
            do_ban(bob)

    sent = serve_stream(path, cookie=session_cookie(bob), when_open=ban, until=b"stream-error")
    assert b"event: stream-error" in body_of(sent)


def test_a_ban_leaves_other_readers_streams_open(video, django_capture_on_commit_callbacks):
    from video_share.actions import do_ban

    alice, bob = make_user("alice"), make_user("bob")
    channel = f"video-{video.public_id}~en"

    def ban_bob():
        with django_capture_on_commit_callbacks(execute=True):
            do_ban(bob)
        send_event(channel, "comment", "<p>still here</p>", json_encode=False)

    sent = serve_stream(
        reverse("video_stream", args=[video.public_id]),
        cookie=session_cookie(alice),
        when_open=ban_bob,
        until=b"still here",
    )
    text = body_of(sent)
    assert b"stream-error" not in text
    assert b"control" not in text  # what made the stream look again is never sent on


def test_a_banned_users_session_opens_no_stream_of_theirs(video):
    from video_share.actions import do_ban

    bob = make_user("bob")
    cookie = session_cookie(bob)
    do_ban(bob)
    sent = serve_stream(
        reverse("user_stream"), cookie=cookie, when_open=lambda: None, until=b"stream-error"
    )
    assert b"event: stream-error" in body_of(sent)


def test_a_ban_tells_every_stream_once_committed(published, django_capture_on_commit_callbacks):
    from video_share.actions import do_ban

    bob = make_user("bob")
    with django_capture_on_commit_callbacks() as callbacks:
        do_ban(bob)
        assert ("control-users", "recheck", str(bob.pk)) not in published
    for callback in callbacks:
        callback()
    assert ("control-users", "recheck", str(bob.pk)) in published


def test_control_events_are_not_stored():
    from video_share.event_storage import EventStorage
    from video_share.events import recheck_streams_on_commit

    bob = make_user("bob")
    recheck_streams_on_commit(user=bob)
    assert EventStorage().get_current_id("control-users") == 0
    assert not ChannelManager().is_channel_reliable("control-users")


def _answer(path: str, query: str = "") -> tuple[int, str]:
    async def run():
        async with HeldStream(path, query) as stream:
            return stream.status, stream.body.decode()

    return _run(run)


@pytest.mark.parametrize(
    "query",
    [
        "es-meta=forged",
        "es-meta=eyJhbGciOiJIUzI1NiJ9.e30.c2ln",
        "recover=true",
        "lastEventId={channel}:abc",
        "lastEventId={channel}:-1",
        "lastEventId={channel}:99999999999999999999999",
    ],
)
def test_bad_stream_parameters_are_refused_with_400(video, query):
    status, text = _answer(
        reverse("video_stream", args=[video.public_id]),
        query.format(channel=f"video-{video.public_id}~en"),
    )
    assert status == 400
    assert "stream" in text.lower()


def test_a_last_event_id_in_another_format_is_refused_with_400(video):
    status, text = _answer(reverse("video_stream", args=[video.public_id]), "lastEventId=nonsense")
    assert status == 400


def _run(coroutine_function):
    from asgiref.sync import async_to_sync

    return async_to_sync(coroutine_function)()


def test_a_user_may_hold_only_so_many_streams_and_a_closed_one_frees_its_place(settings, video):
    settings.VIDEO_SHARE_STREAMS_PER_USER = 2
    alice = make_user("alice")
    cookie = session_cookie(alice)
    path = reverse("video_stream", args=[video.public_id])

    async def run():
        async with HeldStream(path, cookie=cookie) as first:
            async with HeldStream(reverse("user_stream"), cookie=cookie) as second:
                async with HeldStream(path, cookie=cookie) as third:
                    assert (first.status, second.status, third.status) == (200, 200, 429)
                    assert b"Too many open streams" in third.body
                # Someone else from the same address is not counted as alice.
                async with HeldStream(path) as anonymous:
                    assert anonymous.status == 200
            async with HeldStream(path, cookie=cookie) as again:
                assert again.status == 200

    _run(run)


def test_an_address_may_hold_only_so_many_streams_and_a_closed_one_frees_its_place(settings, video):
    settings.VIDEO_SHARE_STREAMS_PER_ADDRESS = 2
    path = reverse("video_stream", args=[video.public_id])

    async def run():
        async with HeldStream(path) as first, HeldStream(path) as second:
            async with HeldStream(path) as third:
                assert (first.status, second.status, third.status) == (200, 200, 429)
                assert b"Too many open streams" in third.body
            async with HeldStream(path, address="10.0.0.2") as elsewhere:
                assert elsewhere.status == 200
        async with HeldStream(path) as again:
            assert again.status == 200

    _run(run)


def test_a_refused_stream_frees_its_place(settings, video):
    settings.VIDEO_SHARE_STREAMS_PER_ADDRESS = 1
    private = make_video(video.owner, visibility="private")

    async def run():
        async with HeldStream(reverse("video_stream", args=[private.public_id])) as refused:
            assert b"stream-error" in refused.body
        async with HeldStream(reverse("video_stream", args=[video.public_id])) as allowed:
            assert allowed.status == 200
            assert b"stream-open" in allowed.body

    _run(run)


def test_what_sse_py_leans_on_in_django_eventstream_is_there():
    """video_share/sse.py, bus.py and presence.py extend django-eventstream's stream loop, listener
    and listener manager, which it does not document: pinned to 5.3 (pyproject.toml), and
    held here, so that an upgrade that changes them fails this test first."""
    from importlib.metadata import version

    from django_eventstream import views
    from django_eventstream.eventrequest import EventRequest
    from django_eventstream.eventstream import EventPermissionError, get_events
    from django_eventstream.utils import sse_encode_error, sse_encode_event

    assert version("django-eventstream").startswith("5.3.")
    listener = views.Listener()
    for name in ("loop", "aevent", "user_id", "channels", "channel_items", "overflow"):
        assert hasattr(listener, name)
    assert callable(listener.assign_loop)
    assert callable(listener.wake_threadsafe)
    manager = views.get_listener_manager()
    assert hasattr(manager, "lock")
    assert isinstance(manager.listeners_by_channel, dict)
    assert callable(manager.add_listener)
    assert callable(manager.remove_listener)
    # video_share.bus stands in for its Redis subscriber, which it starts with start().
    assert hasattr(manager, "redis_listener")
    assert callable(views.RedisListener.start)
    assert isinstance(views.MAX_PENDING, int)
    assert issubclass(EventRequest.ResumeNotAllowedError, EventRequest.Error)
    assert callable(get_events)
    assert issubclass(EventPermissionError, Exception)
    assert sse_encode_event("t", "d", event_id="c:1", json_encode=False).startswith("event: t\n")
    assert "stream-error" in sse_encode_error("forbidden", "no")
