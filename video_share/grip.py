"""Event streams held by Pushpin (GRIP), for audiences of many thousands (README, "Pushpin").

With GRIP_URL set, a stream request that Pushpin signed (Grip-Sig, checked by django-grip's
GripMiddleware against the key in GRIP_URL) is not held by the site: it is answered at once
with what the reader missed and a GRIP hold (Grip-Hold: stream, the Grip-Channel to
subscribe, Grip-Keep-Alive), by django-eventstream's own GRIP response. Pushpin keeps the
connection open; every event sent (video_share.events.send, in any process: web, page
worker or task worker) is also published to Pushpin, which passes it to its subscribers.

What the site does for the streams it holds itself, it does here through Pushpin:
- cut-offs: a hold also subscribes to the GRIP channels that end it (a video made private,
  its reader banned); `cut_off` publishes the stream-error there, then a GRIP close, or
  for a ban, has the holds it may concern renewed, which refuses the banned user's;
- presence: Pushpin, not the site, knows how many are connected (see video_share.presence).
"""

import secrets
from urllib.parse import quote

from django.conf import settings
from django_eventstream.utils import get_channelmanager, sse_encode_error
from django_grip import publish
from gripcontrol import Channel, HttpStreamFormat


def enabled() -> bool:
    return bool(getattr(settings, "GRIP_URL", ""))


def proxied(request) -> bool:
    """Whether Pushpin sent this request (GripMiddleware verified its signature)."""
    grip = getattr(request, "grip", None)
    return grip is not None and grip.proxied


# Signed-in readers share USER_SHARES channels for their bans, rather than one each (see
# hold): a ban has the holds of the banned user's share ask their next link again at once.
USER_SHARES = 64


def cut_off_channel(control_stream: str, user_id=None) -> str:
    """The GRIP channel that ends the holds a control event on `control_stream` concerns,
    or with `user_id`, the holds of that user's share (events.ChannelManager.concerns)."""
    channel = f"cut-off-{quote(control_stream)}"
    return channel if user_id is None else f"{channel}-{int(user_id) % USER_SHARES}"


# How often Pushpin asks a hold's next link again on its own, to renew it: in effect never.
# Pushpin renews every hold of a path at once, ten links a second (up to 100 holds that have
# the same link in one request; a signed-in reader's is their own), and holds back a hold's
# events until its turn: 10,000 signed-in readers would wait up to 17 minutes. A hold needs
# its next link only to recover after a gap (Pushpin asks it then); past django-eventstream's
# expiry in the link (an hour), the stream ends there and the browser opens it again.
NEXT_LINK_SECONDS = 7 * 24 * 3600  # the most Pushpin's timer takes is 24 days


def hold(request, event_response, user) -> None:
    """Make django-eventstream's GRIP response (in `request.grip.instruct`) also end on a
    cut-off, and have Pushpin renew its hold only when it must (NEXT_LINK_SECONDS).

    Every channel of a hold is shared by all the readers of its streams: Pushpin asks the
    next link of every hold of a channel it begins to carry (a second after), ten holds a
    second, and meanwhile holds the events of those: a channel of each reader's own would
    keep a crowd arriving waiting for minutes."""
    instruct = request.grip.instruct
    instruct.set_next_link(instruct.next_link, timeout=NEXT_LINK_SECONDS)
    # django-eventstream's channel of the reader's own, for its channel_permission_changed,
    # which the site does not use (a ban goes by cut_off).
    own = f"user-{user.pk if user else 'anonymous'}"
    instruct.channels = [channel for channel in instruct.channels if channel.name != own]
    for control_stream, user_id in get_channelmanager().cut_off_by(
        user, event_response.channel_items.keys()
    ):
        instruct.add_channel(Channel(cut_off_channel(control_stream, user_id)))


def cut_off(control_stream: str, user_id=None) -> None:
    """End the holds a control event concerns (see hold): their readers get the
    stream-error that a stream held by the site would end with, and their pages stop
    reconnecting. The close follows the error (its prev_id), as Pushpin orders them.

    A ban (`user_id`) ends the holds of one user, whom no channel names: the holds of their
    share ask their next link again at once (a GRIP hint), and the site answers the banned
    user's with that stream-error (their account is inactive), the others' with their hold
    renewed."""
    channel = cut_off_channel(control_stream, user_id)
    if user_id is not None:
        publish(channel, HttpStreamFormat(action="hint"))
        return
    text = f"Permission denied to channels: {control_stream}"
    error = sse_encode_error("forbidden", text, extra={"channels": [control_stream]})
    first, second = f"{channel}-{secrets.token_hex(8)}", f"{channel}-{secrets.token_hex(8)}"
    publish(channel, HttpStreamFormat(error), id=first)
    publish(channel, HttpStreamFormat(close=True), id=second, prev_id=first)
