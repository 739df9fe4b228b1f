"""RSS and Atom feeds: a channel's, and a person's subscriptions behind a private address."""

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from video_share import actions
from video_share.models import Video
from video_share.views.feeds import FEED_SIZE, feed_token

from .factories import make_renditions, make_user, make_video
from .test_serving import body

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def with_renditions(video: Video, heights=(360, 720, 1080)) -> Video:
    return make_renditions(video, heights, poster=True)


def xml_of(response) -> ET.Element:
    """The document the site answered: well-formed XML, or this raises."""
    assert response.status_code == 200
    return ET.fromstring(response.content)  # noqa: S314 - the site's own output, under test


def rss_items(response) -> list[ET.Element]:
    assert response["Content-Type"].startswith("application/rss+xml")
    return xml_of(response).findall("./channel/item")


def titles(items) -> list[str]:
    return [item.findtext("title") for item in items]


@pytest.fixture
def alice():
    return make_user("alice", display_name="Alice Birds", bio="Birds of the city.")


@pytest.fixture
def every_kind(alice):
    """One public video of alice's, and one of each kind that must stay out of feeds."""
    public = with_renditions(make_video(alice, title="Public"))
    make_video(alice, title="Unlisted", visibility="unlisted")
    make_video(alice, title="Private", visibility="private")
    make_video(alice, title="Processing", status="processing")
    make_video(alice, title="Failed", status="failed")
    return public


def channel_feed(client, username="alice"):
    return client.get(reverse("channel_feed", args=[username]))


def test_a_channel_feed_lists_only_its_public_ready_videos(client, every_kind):
    make_video(make_user("bob"), title="Bob's")
    items = rss_items(channel_feed(client))
    assert titles(items) == ["Public"]


def test_a_channel_feed_is_valid_rss_about_the_channel(client, every_kind):
    root = xml_of(channel_feed(client))
    assert root.tag == "rss"
    assert root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel.findtext("title") == "Alice Birds · Video Share"
    assert channel.findtext("link") == "http://testserver/@alice"
    assert channel.findtext("description") == "Birds of the city."
    item = channel.find("item")
    assert item.findtext("link") == f"http://testserver/v/{every_kind.public_id}"
    assert item.findtext("guid") == item.findtext("link")
    assert item.findtext("pubDate")


def test_each_item_encloses_its_mp4_of_at_most_720p_with_size_and_type(client, every_kind):
    (item,) = rss_items(channel_feed(client))
    enclosure = item.find("enclosure")
    rendition = every_kind.renditions.get(height=720)
    assert enclosure.get("url") == (
        f"http://testserver/media/v/{every_kind.public_id}/{rendition.file.name.split('/')[-1]}"
    )
    assert enclosure.get("length") == str(rendition.size)
    assert enclosure.get("type") == "video/mp4"
    # The poster, in the description.
    assert f"/media/v/{every_kind.public_id}/poster-1.jpg" in item.findtext("description")


def test_a_video_with_only_renditions_above_720p_encloses_the_smallest(alice):
    video = with_renditions(make_video(alice), heights=(1080, 1440))
    assert video.rendition_to_share().height == 1080
    assert make_video(alice).rendition_to_share() is None


def test_an_enclosure_plays_in_a_podcast_app_without_a_session(every_kind):
    (item,) = rss_items(channel_feed(Client()))
    url = item.find("enclosure").get("url").removeprefix("http://testserver")
    response = Client().get(url)
    assert response.status_code == 200
    assert body(response) == b"mp4" * 720


def test_a_video_made_private_leaves_the_feed_and_its_enclosure_stops_working(client, every_kind):
    (item,) = rss_items(channel_feed(client))
    url = item.find("enclosure").get("url").removeprefix("http://testserver")
    edits = {"title": "Public", "description": "", "tags_text": [], "visibility": "private"}
    actions.do_edit_video(every_kind, edits)
    assert rss_items(channel_feed(client)) == []
    assert Client().get(url).status_code == 404


def test_a_channel_feed_is_newest_first_and_limited(client, alice):
    now = timezone.now()
    for number in range(FEED_SIZE + 3):
        video = make_video(alice, title=f"Video {number}")
        Video.objects.filter(pk=video.pk).update(created_at=now - timedelta(hours=number))
    items = rss_items(channel_feed(client))
    assert len(items) == FEED_SIZE
    assert titles(items)[:3] == ["Video 0", "Video 1", "Video 2"]


def test_the_channels_atom_feed_has_the_same_entries_and_enclosures(client, every_kind):
    response = client.get(reverse("channel_atom_feed", args=["alice"]))
    assert response["Content-Type"].startswith("application/atom+xml")
    root = xml_of(response)
    assert root.tag == f"{ATOM}feed"
    assert root.findtext(f"{ATOM}subtitle") == "Birds of the city."
    (entry,) = root.findall(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == "Public"
    enclosure = entry.find(f"{ATOM}link[@rel='enclosure']")
    assert enclosure.get("type") == "video/mp4"
    assert enclosure.get("href").endswith("/720p-1.mp4")


def test_the_feed_of_an_unknown_or_banned_channel_is_404(client, alice):
    assert channel_feed(client, "nobody").status_code == 404
    actions.do_ban(alice)
    assert channel_feed(client).status_code == 404


def test_a_feed_shows_user_text_as_text(client, alice):
    make_video(alice, title="<script>x</script> & co", description="<b>bold</b>")
    (item,) = rss_items(channel_feed(client))
    assert item.findtext("title") == "<script>x</script> & co"
    assert "&lt;b&gt;bold&lt;/b&gt;" in item.findtext("description")


def test_a_feed_answers_head_and_refuses_post(client, every_kind):
    assert client.head(reverse("channel_feed", args=["alice"])).status_code == 200
    assert client.post(reverse("channel_feed", args=["alice"])).status_code == 405


# The subscription feed


@pytest.fixture
def follower(alice):
    follower = make_user("fan")
    actions.do_subscribe(follower, alice)
    return follower


def subscription_feed_url(person) -> str:
    return reverse("subscription_feed", args=[feed_token(person)])


def test_the_subscription_feed_lists_the_listed_videos_of_followed_channels(every_kind, follower):
    make_video(make_user("stranger"), title="Not followed")
    # Anyone holding the address reads it: a feed reader has no session.
    items = rss_items(Client().get(subscription_feed_url(follower)))
    assert titles(items) == ["Public"]
    assert items[0].find("enclosure").get("type") == "video/mp4"


def test_the_subscription_feed_never_shows_what_the_follower_may_not_see(alice, follower):
    # Not even videos the follower may open (unlisted) or owns: only listed ones.
    make_video(alice, title="Unlisted", visibility="unlisted")
    make_video(follower, title="Own private", visibility="private")
    make_video(follower, title="Own public")
    assert rss_items(Client().get(subscription_feed_url(follower))) == []


def test_a_wrong_or_made_up_token_is_404(follower):
    url = subscription_feed_url(follower)
    assert Client().get(url[:-1] + ("A" if url[-1] != "A" else "B")).status_code == 404
    assert Client().get(reverse("subscription_feed", args=["nothing"])).status_code == 404
    # Another salt's signature (the digest unsubscribe link's) opens nothing here.
    from video_share.digests import unsubscribe_url

    other = unsubscribe_url(follower).rsplit("/", 1)[-1]
    assert Client().get(reverse("subscription_feed", args=[other])).status_code == 404


def test_each_person_has_a_feed_address_of_their_own(follower):
    other = make_user("other")
    assert feed_token(other) != feed_token(follower)
    assert follower.feed_key != other.feed_key


def test_a_new_address_revokes_the_old_one(client, every_kind, follower):
    old = subscription_feed_url(follower)
    client.force_login(follower)
    response = client.post(reverse("reset_subscription_feed"))
    assert response.status_code == 302
    follower.refresh_from_db()
    new = subscription_feed_url(follower)
    assert new != old
    assert Client().get(old).status_code == 404
    assert titles(rss_items(Client().get(new))) == ["Public"]


def test_a_new_address_takes_a_post_from_the_person_signed_in(client, follower):
    key = follower.feed_key
    assert client.post(reverse("reset_subscription_feed")).status_code == 302  # to log in
    client.force_login(follower)
    assert client.get(reverse("reset_subscription_feed")).status_code == 405
    follower.refresh_from_db()
    assert follower.feed_key == key
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(follower)
    assert csrf_client.post(reverse("reset_subscription_feed")).status_code == 403


def test_a_banned_persons_feed_address_stops_working(every_kind, follower):
    url = subscription_feed_url(follower)
    actions.do_ban(follower)
    assert Client().get(url).status_code == 404


def test_the_subscriptions_page_shows_the_feed_address_to_copy_and_reset(client, follower):
    client.force_login(follower)
    html = client.get(reverse("subscriptions")).content.decode()
    assert f'value="http://testserver{subscription_feed_url(follower)}"' in html
    assert 'data-copy="feed-url"' in html
    assert f'action="{reverse("reset_subscription_feed")}" method="post"' in html


def test_the_channel_page_and_watch_page_announce_the_channel_feeds(client, every_kind):
    rss = '<link rel="alternate" type="application/rss+xml" href="http://testserver/@alice/feed"'
    atom = 'type="application/atom+xml" href="http://testserver/@alice/feed/atom"'
    for url in (reverse("channel", args=["alice"]), every_kind.get_absolute_url()):
        html = client.get(url).content.decode()
        assert rss in html, url
        assert atom in html, url
