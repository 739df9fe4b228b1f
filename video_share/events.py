"""Live event channels and who may read them.

Channels:
- ``user-<id>``: one user's private events; only that user may read it.

Channels always come from our URL configuration, never from the query string.
"""

from django_eventstream.channelmanager import ChannelManagerBase


def user_channel(user_id: int) -> str:
    return f"user-{user_id}"


class ChannelManager(ChannelManagerBase):
    def get_channels_for_request(self, request, view_kwargs):
        return set(view_kwargs["channels"])

    def can_read_channel(self, user, channel):
        kind, _, ident = channel.partition("-")
        if kind == "user":
            return user is not None and user.is_authenticated and str(user.pk) == ident
        return False

    def is_channel_reliable(self, channel):
        return True
