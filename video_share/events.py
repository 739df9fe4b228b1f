"""Live events: channels, who may read them, and publishing after commit.

Channels:
- ``user-<id>``: one user's private events (processing progress). That user only.
- ``notifications-<id>``: one user's unread count (not stored). That user only.
- ``video-<public id>``: public events of one video. Whoever may view the video.

Channels always come from our URL configuration, never from the query string. Events are
published only from ``do_*`` actions, and only once their transaction has committed.
"""

import contextlib
import contextvars
import logging

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django_eventstream import get_current_event_id, send_event
from django_eventstream.channelmanager import ChannelManagerBase

logger = logging.getLogger(__name__)


def user_channel(user_id: int) -> str:
    return f"user-{user_id}"


def bell_channel(user_id: int) -> str:
    """One user's unread count. Not stored: only the latest count matters, and a page asks
    for the current one whenever its stream (re)opens."""
    return f"notifications-{user_id}"


class ChannelManager(ChannelManagerBase):
    def get_channels_for_request(self, request, view_kwargs):
        return set(view_kwargs["channels"])

    def can_read_channel(self, user, channel):
        kind, _, ident = channel.partition("-")
        if kind in ("user", "notifications"):
            return user is not None and user.is_authenticated and str(user.pk) == ident
        if kind in ("video", "watching"):
            from . import media_access

            # video-<public id>~<language>: one copy of each broadcast per site language.
            # Who may see a video is cached briefly: a crowd arriving at once costs one query.
            public_id = ident.split("~", 1)[0]
            found, access = media_access.cached(public_id)
            if not found:
                access = media_access.load(public_id)
            return access is not None and access.video.can_view(user or _anonymous())
        return False

    def is_channel_reliable(self, channel):
        # Presence counts are not stored (only the latest matters); everything else is,
        # so that a reconnecting reader gets what it missed.
        return not channel.startswith(("watching-", "notifications-"))


def _anonymous():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


def live_event_id(user) -> str:
    """The id of the user's latest private event: render it into the page's `sse-connect` URL,
    read *before* the state the page shows, so the stream resumes exactly there."""
    if not user.is_authenticated:
        return ""
    return get_current_event_id([user_channel(user.pk)])


def render_fragment(template: str, context: dict, language: str) -> str:
    """HTML for an event, from the same partial the page renders, in the reader's language."""
    with translation.override(language):
        return render_to_string(template, context)


def publish_on_commit(channel: str, event_type: str, html: str) -> None:
    """Send an HTML event once the current transaction commits (never for a rollback)."""
    transaction.on_commit(lambda: send(channel, event_type, html))


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


def send(channel: str, event_type: str, html: str) -> None:
    """Send an HTML event now (after a commit)."""
    try:
        send_event(channel, event_type, html, json_encode=False)
    except Exception:
        # The write this event announces is committed (e.g. Redis is down): a lost live
        # update is recovered by the next page load. Never an error for the user.
        logger.exception("Could not publish %s on %s", event_type, channel)
        if (delivery := _delivery.get()) is not None:
            delivery.failed = True


def kick_from_video(video, keep_user_id: int) -> None:
    """Close the open streams of a video's channels, but its owner's: the video just became
    private. Their pages get stream-error and stop reconnecting."""
    from django_eventstream.views import get_listener_manager

    manager = get_listener_manager()
    for code, _name in settings.LANGUAGES:
        channel = f"{video.channel}~{code}"
        with manager.lock:
            user_ids = {
                listener.user_id for listener in manager.listeners_by_channel.get(channel, ())
            }
        for user_id in user_ids - {keep_user_id}:
            manager.kick(user_id, channel)
