"""The event streams (all under urls.STREAMS_PREFIX): each reads streams chosen here, never
by the query string, and is forbidden (stream-error) to whoever may not read them."""

from django.views.decorators.http import require_GET

from ..events import (
    bell_stream_name,
    presence_stream_name,
    reports_stream_name,
    user_stream_name,
    video_stream_name,
)
from ..htmx import HtmxHttpRequest
from ..presence import count_changed
from ..sse import events
from ..viewers import give_viewer_cookie, viewer_cookie


@require_GET
async def video_stream(request: HtmxHttpRequest, public_id: str):
    """The video's public event stream, in the reader's language. Forbidden for anyone who
    may not view the video, or when there is no such video."""
    # Whether the video exists is the question of events.ChannelManager.
    streams = [video_stream_name(public_id, request.LANGUAGE_CODE), presence_stream_name(public_id)]
    # Who is watching counts browsers, not tabs: the viewer cookie tells them apart (a
    # stream, unlike the page, may set it: the page stays the same for every visitor).
    visitor, new = viewer_cookie(request)
    response = await events(
        request, streams, on_change=lambda: count_changed(public_id), visitor=visitor
    )
    if new:
        give_viewer_cookie(response, request, visitor)
    return response


@require_GET
async def user_stream(request: HtmxHttpRequest):
    """The signed-in user's private event stream. Which user that is is only known once the
    session is loaded, on a database thread."""
    return await events(request, lambda request: [user_stream_name(request.user.pk or 0)])


@require_GET
async def notification_stream(request: HtmxHttpRequest):
    """The signed-in user's unread count, live; for staff, the count of open reports too."""

    def streams(request):
        found = [bell_stream_name(request.user.pk or 0)]
        if request.user.is_staff:
            found.append(reports_stream_name(request.LANGUAGE_CODE))
        return found

    return await events(request, streams)
