from django_eventstream.views import events

from ..events import user_channel
from ..htmx import HtmxHttpRequest


def user_stream(request: HtmxHttpRequest):
    """The signed-in user's private event stream (a forbidden stream for anyone else)."""
    return events(request, channels=[user_channel(request.user.pk or 0)])
