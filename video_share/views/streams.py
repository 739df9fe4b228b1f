from django.views.decorators.http import require_GET

from ..events import user_channel
from ..htmx import HtmxHttpRequest
from ..sse import events


@require_GET
async def user_stream(request: HtmxHttpRequest):
    """The signed-in user's private event stream (a forbidden stream for anyone else).
    Which user that is is only known once the session is loaded, on a database thread."""
    return await events(request, lambda request: [user_channel(request.user.pk or 0)])
