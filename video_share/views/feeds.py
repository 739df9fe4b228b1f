"""RSS and Atom feeds of videos (django.contrib.syndication): a channel's, and the videos of
the channels a person subscribes to, behind a private address.

A feed lists only listed videos (public and ready), newest first. Each item carries the video's
MP4 as its enclosure, for podcast apps: a public video's media URL, which works without a
session. Each kind of feed (a channel's, a playlist's, one's subscriptions) is a VideoFeed that
says what it is of (`get_object`, `title`, `link`, `description`), which videos it lists
(`videos`) and in which order (`ordering`).
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.syndication.views import Feed
from django.core import signing
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.feedgenerator import Atom1Feed, Enclosure
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from .. import actions
from ..htmx import HtmxHttpRequest, navigate
from ..models import Playlist, User, Video, handle_key
from ..templatetags.video_share import media_url

FEED_SIZE = 50
FEED_SALT = "video_share.feeds.subscriptions"


@dataclass(frozen=True)
class Listing:
    """What a feed is of (a channel, a subscriber), and the request it is read with: item
    URLs are absolute, on the host the feed was asked of."""

    of: User | Playlist
    request: HttpRequest


@dataclass(frozen=True)
class Entry:
    """One video of a feed, with the absolute URLs of its files."""

    video: Video
    author_url: str
    poster_url: str
    enclosures: list[Enclosure]

    def get_absolute_url(self) -> str:
        return self.video.get_absolute_url()


def entry(request: HttpRequest, video: Video) -> Entry:
    rendition = video.rendition_to_share()
    enclosures = []
    if rendition is not None:
        url = request.build_absolute_uri(media_url(video, rendition.file.name))
        enclosures.append(Enclosure(url, str(rendition.size), "video/mp4"))
    poster = media_url(video, video.poster.name)
    return Entry(
        video,
        author_url=request.build_absolute_uri(video.owner.get_absolute_url()),
        poster_url=request.build_absolute_uri(poster) if poster else "",
        enclosures=enclosures,
    )


class VideoFeed(Feed):
    description_template = "feeds/video_description.html"
    ordering = ("-created_at", "-pk")  # the newest first

    def title(self, listing: Listing) -> str:
        return _("%(name)s · Video Share") % {"name": listing.of.name}

    def link(self, listing: Listing) -> str:
        return listing.of.get_absolute_url()

    def videos(self, of) -> QuerySet[Video]:
        """The videos the feed is of; only the listed ones are shown."""
        raise NotImplementedError

    def items(self, listing: Listing) -> list[Entry]:
        videos = (
            self.videos(listing.of)
            .listed()
            .select_related("owner")
            .prefetch_related("renditions")
            .order_by(*self.ordering)[:FEED_SIZE]
        )
        return [entry(listing.request, video) for video in videos]

    def item_title(self, item: Entry) -> str:
        return item.video.title

    def item_pubdate(self, item: Entry):
        return item.video.created_at

    def item_updateddate(self, item: Entry):
        return item.video.updated_at

    def item_author_name(self, item: Entry) -> str:
        return item.video.owner.name

    def item_author_link(self, item: Entry) -> str:
        return item.author_url

    def item_enclosures(self, item: Entry) -> list[Enclosure]:
        return item.enclosures

    def item_categories(self, item: Entry) -> list[str]:
        return item.video.tag_names()


class ChannelFeed(VideoFeed):
    def get_object(self, request, username: str) -> Listing:
        channel = get_object_or_404(User, username_key=handle_key(username), is_active=True)
        return Listing(channel, request)

    def description(self, listing: Listing) -> str:
        return listing.of.bio or _("Videos from %(name)s on Video Share.") % {
            "name": listing.of.name
        }

    def videos(self, channel: User):
        return Video.objects.filter(owner=channel)


class ChannelAtomFeed(ChannelFeed):
    feed_type = Atom1Feed
    subtitle = ChannelFeed.description


class PlaylistFeed(VideoFeed):
    """A public or unlisted playlist's listed videos, in the playlist's order (a course's
    lessons, first to last)."""

    ordering = ("playlist_items__position", "pk")

    def get_object(self, request, public_id: str) -> Listing:
        playlist = get_object_or_404(
            Playlist.objects.select_related("owner"), public_id=public_id, owner__is_active=True
        )
        if playlist.visibility == Playlist.Visibility.PRIVATE:
            raise Http404
        return Listing(playlist, request)

    def description(self, listing: Listing) -> str:
        return listing.of.description or _("A playlist of %(name)s on Video Share.") % {
            "name": listing.of.owner.name
        }

    def videos(self, playlist: Playlist):
        return Video.objects.filter(playlist_items__playlist=playlist)


class PlaylistAtomFeed(PlaylistFeed):
    feed_type = Atom1Feed
    subtitle = PlaylistFeed.description


def feed_token(user: User) -> str:
    """The secret part of `user`'s subscription feed address: signed, so that nobody can make
    one up, and holding their feed key, so that a new key revokes the old address."""
    return signing.dumps([user.pk, user.feed_key], salt=FEED_SALT)


def subscriber_of(token: str) -> User:
    """The person whose subscription feed `token` opens; 404 for any other token."""
    try:
        user_id, key = signing.loads(token, salt=FEED_SALT)
    except (signing.BadSignature, TypeError, ValueError):
        raise Http404 from None
    person = User.objects.filter(pk=user_id, is_active=True).first()
    if person is None or not constant_time_compare(person.feed_key, str(key)):
        raise Http404
    return person


class SubscriptionFeed(VideoFeed):
    def get_object(self, request, token: str) -> Listing:
        return Listing(subscriber_of(token), request)

    def title(self, listing: Listing) -> str:
        return _("Your subscriptions · Video Share")

    def link(self, listing: Listing) -> str:
        return reverse("home") + "?tab=subscriptions"

    def description(self, listing: Listing) -> str:
        return _("New videos from the channels you subscribe to.")

    def videos(self, subscriber: User):
        return Video.objects.from_subscriptions(subscriber)


channel_feed = require_safe(ChannelFeed())
channel_atom_feed = require_safe(ChannelAtomFeed())
subscription_feed = require_safe(SubscriptionFeed())
playlist_feed = require_safe(PlaylistFeed())
playlist_atom_feed = require_safe(PlaylistAtomFeed())


@login_required
@require_POST
def reset_subscription_feed(request: HtmxHttpRequest):
    """A new address for the person's subscription feed; the old one stops working."""
    actions.do_reset_feed_key(request.user)
    messages.success(
        request, _("Your feed has a new address. The old one no longer works: update your reader.")
    )
    return navigate(request, "subscriptions")
