"""Live events: the event streams, who may read them, and publishing after commit.

Each stream has a name (what django-eventstream calls a channel: in this project a channel
is a user's channel of videos, and only django-eventstream's own names say otherwise):
- ``user-<id>``: one user's private events (processing progress). That user only.
- ``notifications-<id>``: one user's unread count (not stored). That user only.
- ``reports~<language>``: how many reported things wait for a moderator (not stored). Staff
  only; heard on the staff's notification stream, beside their unread count.
- ``video-<public id>~<language>``: public events of one video. Whoever may view the video.
- ``watching-<public id>``: how many people watch it (not stored). The same readers.

Streams always come from our URL configuration, never from the query string. Events are
published only from ``do_*`` actions, and only once their transaction has committed.

Control streams tell open streams, in every process, that who may read them has changed
(``control-video-<public id>``: the video became private; ``control-users``: a user was
banned). Their events are never stored, and never sent on to a browser: each stream that
hears one asks again whether its reader may still read it (see video_share.sse).
"""

import contextlib
import contextvars
import logging
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django_eventstream import get_current_event_id, send_event
from django_eventstream.channelmanager import ChannelManagerBase

from . import grip

logger = logging.getLogger(__name__)


def video_stream_name(public_id: str, language: str) -> str:
    """One video's public events, in one site language: a broadcast carries interface words
    ("Reply", "edited") as well as the comment."""
    return f"video-{public_id}~{language}"


def video_streams(public_id: str) -> list[tuple[str, str]]:
    """(stream name, language) of each language's stream of one video."""
    return [(video_stream_name(public_id, code), code) for code, _name in settings.LANGUAGES]


def user_stream_name(user_id: int) -> str:
    return f"user-{user_id}"


def bell_stream_name(user_id: int) -> str:
    """One user's unread count. Not stored: only the latest count matters, and a page asks
    for the current one whenever its stream (re)opens."""
    return f"notifications-{user_id}"


def reports_stream_name(language: str) -> str:
    """The count of open reports on the staff badge, in one site language. Not stored: only
    the latest count matters, and a page asks for the current one whenever its stream
    (re)opens."""
    return f"reports~{language}"


def reports_streams() -> list[tuple[str, str]]:
    """(stream name, language) of each language's stream of the open reports' count."""
    return [(reports_stream_name(code), code) for code, _name in settings.LANGUAGES]


def presence_stream_name(public_id: str) -> str:
    """How many people watch a video (video_share.presence). Not stored: only the latest
    count matters."""
    return f"watching-{public_id}"


# Every stream of a signed-in reader listens here: a ban names the user in the event's data.
# One stream for all users, because a stream learns who its reader is only after it has
# started listening (listening first, so that no ban falls in between); bans are rare.
USERS_CONTROL_STREAM = "control-users"


def video_control_stream_name(public_id: str) -> str:
    return f"control-video-{public_id}"


def _video_of(stream: str) -> str | None:
    """The public id of the video a stream belongs to, if it does."""
    kind, _, ident = stream.partition("-")
    return ident.split("~", 1)[0] if kind in ("video", "watching") else None


class ChannelManager(ChannelManagerBase):
    def get_channels_for_request(self, request, view_kwargs):
        return set(view_kwargs["channels"])

    def can_read_channel(self, user, stream, *, fresh=False):
        """Whether `user` may read `stream`; `fresh` asks the database rather than the
        brief cache of who may see a video (which another process may have made stale). A
        user banned (inactive) may read nothing: Pushpin renewing their hold names them."""
        if user is not None and user.is_authenticated and not user.is_active:
            return False
        if stream.startswith("reports~"):
            return user is not None and user.is_authenticated and user.is_staff
        kind, _, ident = stream.partition("-")
        if kind in ("user", "notifications"):
            return user is not None and user.is_authenticated and str(user.pk) == ident
        if (public_id := _video_of(stream)) is not None:
            from . import media_access

            # video-<public id>~<language>: one copy of each broadcast per site language.
            # Who may see a video is cached briefly: a crowd arriving at once costs one query.
            found, access = (False, None) if fresh else media_access.cached(public_id)
            if not found:
                access = media_access.load(public_id)
            return access is not None and access.video.can_view(user or _anonymous())
        return False

    def is_channel_reliable(self, stream):
        # Presence counts are not stored (only the latest matters), nor is what streams are
        # told about permissions; everything else is, so that a reconnecting reader gets
        # what it missed.
        return not stream.startswith(("watching-", "notifications-", "control-", "reports~"))

    def control_streams(self, streams, *, signed_in: bool) -> set[str]:
        """Where a stream on `streams` hears that its reader may have lost them."""
        found = {video_control_stream_name(v) for c in streams if (v := _video_of(c)) is not None}
        return (found | {USERS_CONTROL_STREAM}) if signed_in else found

    def cut_off_by(self, user, streams) -> list[tuple[str, int | None]]:
        """(control stream, user id or None) of the control events that would refuse `user`
        (None: nobody signed in) `streams`, for a stream held by Pushpin, which cannot ask
        again (video_share.grip). A video made private refuses everyone who may not edit it
        (Video.can_view): an editor's stream is not cut off by it. A ban refuses every
        stream of the user banned, and only theirs."""
        from . import media_access

        found = []
        for public_id in sorted({v for c in streams if (v := _video_of(c)) is not None}):
            access = media_access.load(public_id)
            if access is None or user is None or not access.video.can_edit(user):
                found.append((video_control_stream_name(public_id), None))
        return [*found, (USERS_CONTROL_STREAM, user.pk)] if user is not None else found

    def concerns(self, stream: str, data: str, user_id) -> bool:
        """Whether a control event (on `stream`, with `data`) is about a stream of `user_id`
        (a user's pk, or "anonymous"): a ban is about that user's streams only."""
        return stream != USERS_CONTROL_STREAM or data == str(user_id)

    def refused_now(self, request, reader, streams) -> list[str]:
        """Of `streams`, those the reader of an open stream may no longer read, asked of the
        database. `reader` is who opened it (None: nobody signed in); their session is
        looked at again as a new request's would be: a deactivated (banned) user's session
        signs nobody in any more, and then every stream is refused."""
        from django.contrib.auth import get_user

        user = get_user(request)
        if reader is not None and user.pk != reader.pk:
            return sorted(streams)
        return sorted(c for c in streams if not self.can_read_channel(user, c, fresh=True))


def _anonymous():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


def live_event_id(user) -> str:
    """The id of the user's latest private event: render it into the page's `sse-connect` URL,
    read *before* the state the page shows, so the stream resumes exactly there."""
    if not user.is_authenticated:
        return ""
    return get_current_event_id([user_stream_name(user.pk)])


def render_fragment(template: str, context: dict, language: str) -> str:
    """HTML for an event, from the same partial the page renders, in the reader's language."""
    with translation.override(language):
        return render_to_string(template, context)


def publish_on_commit(
    streams: list[tuple[str, str]],
    event_type: str,
    template: str,
    context: dict | Callable[[], dict],
) -> None:
    """Once the current transaction commits (never for a rollback), render an HTML event
    from `template` for each (stream, language) of `streams` (see render_fragment), then send
    them. `context` may be a function that reads it then: the events show what was
    committed, even when another change committed in between. All are rendered before any
    is sent: once one is, the event loop is busy writing it to every reader."""

    def render_and_send():
        try:
            values = context() if callable(context) else context
            rendered = [
                (stream, render_fragment(template, values, language))
                for stream, language in streams
            ]
        except Exception:
            logger.exception("Could not render %s for %s", event_type, streams)
            _note_failure()
            return
        for stream, html in rendered:
            send(stream, event_type, html)

    transaction.on_commit(render_and_send)


class Delivery:
    failed = False


_delivery: contextvars.ContextVar[Delivery | None] = contextvars.ContextVar(
    "delivery", default=None
)


@contextlib.contextmanager
def track_delivery():
    """Notes whether a live event failed to go out inside the block, so that a view can tell
    the user their change is saved but not yet seen by others."""
    delivery = Delivery()
    token = _delivery.set(delivery)
    try:
        yield delivery
    finally:
        _delivery.reset(token)


def send(stream: str, event_type: str, html: str) -> None:
    """Send an HTML event now (after a commit)."""
    try:
        send_event(stream, event_type, html, json_encode=False)
    except Exception:
        # The write this event announces is committed (e.g. Redis is down): a lost live
        # update is recovered by the next page load. Never an error for the user.
        logger.exception("Could not publish %s on %s", event_type, stream)
        _note_failure()


def _note_failure() -> None:
    if (delivery := _delivery.get()) is not None:
        delivery.failed = True


def recheck_streams_on_commit(*, video=None, user=None) -> None:
    """Once the current transaction commits, have the open streams of `video`'s streams, or
    of `user`, ask again whether their reader may read them (in every process): those refused
    end with stream-error, and their pages stop reconnecting. For a video made private, or
    a user banned."""
    if video is not None:
        stream, data = video_control_stream_name(video.public_id), ""
    else:
        stream, data = USERS_CONTROL_STREAM, str(user.pk)
    transaction.on_commit(lambda: _recheck(stream, data))


def _recheck(stream: str, data: str) -> None:
    send(stream, "recheck", data)
    if grip.enabled():
        # Streams held by Pushpin cannot ask again: those this concerns are ended there.
        try:
            grip.cut_off(stream, data if stream == USERS_CONTROL_STREAM else None)
        except Exception:
            logger.exception("Could not cut off the streams of %s through Pushpin", stream)
