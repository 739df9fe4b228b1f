"""Event streams held by Pushpin (GRIP), for audiences of many thousands (README, "Pushpin").

With GRIP_URL set, a stream request that Pushpin signed (Grip-Sig, checked by django-grip's
GripMiddleware against the key in GRIP_URL) is not held by the site: it is answered at once
with what the reader missed and a GRIP hold (Grip-Hold: stream, the Grip-Channel to
subscribe, Grip-Keep-Alive), by django-eventstream's own GRIP response. Pushpin keeps the
connection open; every event sent (video_share.events.send, in any process: web, page
worker or task worker) is also published to Pushpin, which passes it to its subscribers.

What the site does for the streams it holds itself, it does here through Pushpin:
- cut-offs: a hold also subscribes to the GRIP channels that end it (a video made private,
  its reader banned); `cut_off` publishes the stream-error there, then a GRIP close;
- presence: Pushpin, not the site, knows who is connected (see video_share.presence).
"""

import secrets
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.core import signing
from django.http import QueryDict
from django_eventstream.utils import get_channelmanager, sse_encode_error
from django_grip import publish
from gripcontrol import Channel, HttpStreamFormat


def enabled() -> bool:
    return bool(getattr(settings, "GRIP_URL", ""))


def proxied(request) -> bool:
    """Whether Pushpin sent this request (GripMiddleware verified its signature)."""
    grip = getattr(request, "grip", None)
    return grip is not None and grip.proxied


def carried_channels(request) -> list[str] | None:
    """The channels of `hold` that a request for a hold's next link carries (signed), if
    it is one: Pushpin sends it without the reader's headers, cookies included."""
    if request.GET.get("link") != "next":
        return None
    try:
        return [str(name) for name in signing.loads(request.GET.get(CARRIED, ""), salt=_SALT)]
    except signing.BadSignature:
        return None


def cut_off_channel(control_stream: str, user_id=None) -> str:
    """The GRIP channel that ends the holds a control event on `control_stream` concerns,
    or with `user_id`, the holds of that user only (events.ChannelManager.concerns)."""
    channel = f"cut-off-{quote(control_stream)}"
    return channel if user_id is None else f"{channel}-{user_id}"


# How often Pushpin asks a hold's next link again, to renew it (django-eventstream's next
# link has its own signed expiry, an hour): Pushpin's default, 120 s, would be 80 requests a
# second to the site for 10,000 readers.
NEXT_LINK_SECONDS = 600
CARRIED = "hold-channels"  # parameter of the next link
_SALT = "video_share.grip.hold-channels"


def hold(request, event_response, user, channels=()) -> None:
    """Turn django-eventstream's GRIP response into one that also ends on a cut-off, and
    also subscribes to `channels`, which its next link carries (see carried_channels)."""
    instruct = request.grip.instruct
    for name in channels:
        instruct.add_channel(Channel(name))
    link = urlsplit(instruct.next_link)
    params = QueryDict(link.query, mutable=True)
    params[CARRIED] = signing.dumps(list(channels), salt=_SALT, compress=True)
    instruct.set_next_link(f"{link.path}?{params.urlencode()}", timeout=NEXT_LINK_SECONDS)
    for control_stream, user_id in get_channelmanager().cut_off_by(
        user, event_response.channel_items.keys()
    ):
        instruct.add_channel(Channel(cut_off_channel(control_stream, user_id)))


def cut_off(control_stream: str, user_id=None) -> None:
    """End the holds a control event concerns (see hold): their readers get the
    stream-error that a stream held by the site would end with, and their pages stop
    reconnecting. The close follows the error (its prev_id), as Pushpin orders them."""
    channel = cut_off_channel(control_stream, user_id)
    text = f"Permission denied to channels: {control_stream}"
    error = sse_encode_error("forbidden", text, extra={"channels": [control_stream]})
    first, second = f"{channel}-{secrets.token_hex(8)}", f"{channel}-{secrets.token_hex(8)}"
    publish(channel, HttpStreamFormat(error), id=first)
    publish(channel, HttpStreamFormat(close=True), id=second, prev_id=first)
