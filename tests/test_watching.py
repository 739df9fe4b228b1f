import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from video_share import actions
from video_share.models import Tag, Video, View, WatchProgress
from video_share.templatetags.video_share import compact_number, rich_text, views

from .factories import make_renditions, make_user, make_video

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("value", "english"),
    [(0, "0"), (999, "999"), (1000, "1K"), (1234, "1.2K"), (1999, "1.9K"), (15_300, "15K"),
     (1_250_000, "1.2M"), (3_000_000_000, "3B")],
)  # fmt: skip
def test_compact_numbers(value, english):
    with translation.override("en"):
        assert compact_number(value) == english


def test_view_counts_are_pluralised_and_localised():
    with translation.override("en"):
        assert views(1) == "1 view"
        assert views(1234) == "1.2K views"
    with translation.override("ar"):
        assert "view" not in views(1234)


def test_rich_text_escapes_and_links():
    html = rich_text('<script>alert(1)</script> see https://example.com/a?b=1&c=2. At 1:05:09, "x"')
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert 'href="https://example.com/a?b=1&amp;c=2"' in html
    assert 'rel="nofollow ugc noopener"' in html
    assert "</a>." in html  # the full stop is not part of the link
    assert 'data-seek="3909"' in html
    assert 'href="?t=3909"' in html


def test_rich_text_does_not_link_javascript_or_odd_timestamps():
    html = rich_text("javascript:alert(1) 99:99 12:345 ratio 1:2")
    assert "<a" not in html


def test_rich_text_paragraphs():
    assert rich_text("one\ntwo\n\nthree") == "<p>one<br>two</p><p>three</p>"


def test_a_view_counts_once_per_viewer_per_hour(alice_video):
    bob, carol = make_user("bob"), make_user("carol")
    assert actions.do_count_view(alice_video, address="198.51.100.1", user=bob)
    assert not actions.do_count_view(alice_video, address="198.51.100.1", user=bob)
    assert actions.do_count_view(alice_video, address="198.51.100.2", user=carol)
    alice_video.refresh_from_db()
    assert alice_video.view_count == 2
    assert View.objects.count() == 2


def test_repeated_views_do_not_touch_the_database(alice_video, django_assert_num_queries):
    actions.do_count_view(alice_video, address="198.51.100.1", cookie="c1")
    with django_assert_num_queries(0):
        actions.do_count_view(alice_video, address="198.51.100.1", cookie="c1")
    with django_assert_num_queries(0):
        actions.do_count_view(alice_video, address="198.51.100.9", cookie="c1")


@pytest.mark.parametrize("cache_forgets", [False, True])
def test_a_viewer_counts_once_whichever_of_address_cookie_and_account_it_presents(
    alice_video, monkeypatch, cache_forgets
):
    if cache_forgets:  # the database alone holds the rule
        monkeypatch.setattr(cache, "get_many", lambda keys: {})
    bob = make_user("bob")
    assert actions.do_count_view(alice_video, address="198.51.100.1", cookie="c1")
    # The same browser from elsewhere, then signed in: the cookie gives it away.
    assert not actions.do_count_view(alice_video, address="198.51.100.2", cookie="c1")
    assert not actions.do_count_view(alice_video, address="198.51.100.3", cookie="c1", user=bob)
    # Bob, from another browser and address: his account gives him away.
    assert not actions.do_count_view(alice_video, address="198.51.100.4", cookie="c2", user=bob)
    # A fresh cookie (or none) from an address already counted changes nothing.
    assert not actions.do_count_view(alice_video, address="198.51.100.1", cookie="c3")
    assert not actions.do_count_view(alice_video, address="198.51.100.1")
    alice_video.refresh_from_db()
    assert alice_video.view_count == 1


def test_a_class_of_signed_in_students_behind_one_address_counts_every_student(alice_video):
    school = "203.0.113.7"
    for number in range(5):
        student = make_user(f"student{number}")
        assert actions.do_count_view(alice_video, address=school, cookie=f"s{number}", user=student)
    # Visitors who are not signed in are known by the address: one a school, however many.
    assert actions.do_count_view(alice_video, address=school, cookie="v1")
    assert not actions.do_count_view(alice_video, address=school, cookie="v2")
    alice_video.refresh_from_db()
    assert alice_video.view_count == 6


def test_a_viewer_counts_again_the_next_hour(alice_video, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    assert actions.do_count_view(alice_video, address="198.51.100.1", cookie="c1")
    later = timezone.now() + timedelta(hours=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert actions.do_count_view(alice_video, address="198.51.100.1", cookie="c1")


def test_an_ipv6_viewer_counts_once_per_network_not_per_address(alice_video):
    # A single household or phone is given a whole /64 to pick addresses from.
    assert actions.do_count_view(alice_video, address="2001:db8:1:2::1")
    assert not actions.do_count_view(alice_video, address="2001:db8:1:2:aaaa::7")
    assert actions.do_count_view(alice_video, address="2001:db8:1:3::1")


def test_addresses_are_not_stored_as_they_are(alice_video):
    actions.do_count_view(alice_video, address="198.51.100.1")
    assert "198.51.100.1" not in View.objects.get().address


def test_owners_watching_their_own_videos_do_not_count(alice_video):
    assert not actions.do_count_view(alice_video, address="198.51.100.1", user=alice_video.owner)
    alice_video.refresh_from_db()
    assert alice_video.view_count == 0
    assert not View.objects.exists()


@pytest.fixture
def alice_video():
    return make_video(make_user("alice"), duration=120)


def test_the_view_beacon_counts_playable_videos(client, alice_video):
    url = reverse("video_view", args=[alice_video.public_id])
    assert client.post(url).status_code == 204
    alice_video.refresh_from_db()
    assert alice_video.view_count == 1


def test_cookieless_repeats_from_one_address_count_once(alice_video):
    from django.test import Client

    url = reverse("video_view", args=[alice_video.public_id])
    for _ in range(20):
        assert Client().post(url).status_code == 204  # a new client: no cookie at all
    alice_video.refresh_from_db()
    assert alice_video.view_count == 1


def test_views_from_different_addresses_count_apart(alice_video):
    from django.test import Client

    url = reverse("video_view", args=[alice_video.public_id])
    for last in (1, 2, 3):
        Client(REMOTE_ADDR=f"198.51.100.{last}").post(url)
    alice_video.refresh_from_db()
    assert alice_video.view_count == 3


def test_a_get_neither_counts_a_view_nor_fills_history(client, alice_video):
    """A link or an image on another site must not count views or fill someone's History."""
    client.force_login(make_user("bob"))
    response = client.get(reverse("video_view", args=[alice_video.public_id]))
    assert response.status_code == 405
    alice_video.refresh_from_db()
    assert alice_video.view_count == 0
    assert not WatchProgress.objects.exists()


def test_opening_the_watch_page_neither_counts_a_view_nor_fills_history(client, alice_video):
    make_renditions(alice_video)
    client.force_login(make_user("bob"))
    view_url = reverse("video_view", args=[alice_video.public_id])
    for headers in ({}, {"HX-Request": "true", "HX-Boosted": "true"}):
        html = client.get(alice_video.get_absolute_url(), headers=headers).text
        assert f'src="{view_url}"' not in html  # no pixel for a swap to load either
        assert f'data-view-url="{view_url}"' in html  # the player counts, after playback
    alice_video.refresh_from_db()
    assert alice_video.view_count == 0
    assert not WatchProgress.objects.exists()


def test_the_owner_s_player_does_not_report_views(client, alice_video):
    make_renditions(alice_video)
    client.force_login(alice_video.owner)
    assert "data-view-url" not in client.get(alice_video.get_absolute_url()).text


def test_the_view_beacon_of_a_private_video_is_404_for_others(client, alice_video):
    Video.objects.update(visibility="private")
    assert client.post(reverse("video_view", args=[alice_video.public_id])).status_code == 404


def test_the_view_beacon_gives_viewers_a_cookie_not_a_session(client, alice_video):
    page = client.get(alice_video.get_absolute_url())
    assert "vs_viewer" not in page.cookies  # the page is the same for every visitor
    response = client.post(reverse("video_view", args=[alice_video.public_id]))
    assert "vs_viewer" in response.cookies
    assert "sessionid" not in response.cookies
    # The view just counted is the cookie's: counting again with it, from elsewhere, changes
    # nothing.
    client.defaults["REMOTE_ADDR"] = "198.51.100.7"
    client.post(reverse("video_view", args=[alice_video.public_id]))
    alice_video.refresh_from_db()
    assert alice_video.view_count == 1


def test_progress_is_saved_and_resumed(client, alice_video):
    bob = make_user("bob")
    client.force_login(bob)
    url = reverse("video_progress", args=[alice_video.public_id])
    assert client.post(url, {"position": "42.5", "duration": "120"}).status_code == 204
    progress = WatchProgress.objects.get(user=bob)
    assert progress.position == 42.5
    make_renditions(alice_video)
    html = client.get(alice_video.get_absolute_url()).content.decode()
    assert 'data-start="42"' in html
    assert "720p-1.mp4#t=42" in html


@pytest.mark.parametrize("position", ["nan", "inf", "abc", ""])
def test_bad_progress_is_refused(client, alice_video, position):
    client.force_login(make_user("bob"))
    url = reverse("video_progress", args=[alice_video.public_id])
    assert client.post(url, {"position": position, "duration": "120"}).status_code == 400
    assert not WatchProgress.objects.exists()


def test_progress_is_clamped_to_the_video(client, alice_video):
    client.force_login(make_user("bob"))
    url = reverse("video_progress", args=[alice_video.public_id])
    client.post(url, {"position": "99999", "duration": "99999"})
    assert WatchProgress.objects.get().position <= 121


def test_a_finished_video_starts_from_the_beginning(alice_video):
    progress = WatchProgress(video=alice_video, position=118, duration=120)
    assert progress.resume_at == 0


def test_a_shared_time_wins_over_resume(client, alice_video):
    make_renditions(alice_video)
    html = client.get(alice_video.get_absolute_url() + "?t=30").content.decode()
    assert "#t=30" in html


def test_chosen_quality_comes_first_without_javascript(client, alice_video):
    make_renditions(alice_video)

    def player(url):  # the <video> and on (the page's head names a rendition for previews)
        html = client.get(url).content.decode()
        return html[html.index('id="video-player"') :]

    html = player(alice_video.get_absolute_url())
    assert html.index("720p-1.mp4") < html.index("360p-1.mp4")
    html = player(alice_video.get_absolute_url() + "?quality=360p")
    assert html.index("360p-1.mp4") < html.index("720p-1.mp4")


def test_history_lists_remove_and_clear(client, alice_video):
    bob = make_user("bob")
    other = make_video(alice_video.owner, title="Other")
    for video in (alice_video, other):
        WatchProgress.objects.create(user=bob, video=video, position=10, duration=100)
    client.force_login(bob)
    html = client.get(reverse("history")).content.decode()
    assert "Other" in html
    response = client.post(
        reverse("history_remove", args=[other.pk]), headers={"HX-Request": "true"}
    )
    assert response.content == b""
    assert WatchProgress.objects.count() == 1
    client.post(reverse("history_clear"))
    assert not WatchProgress.objects.exists()


def test_history_hides_videos_that_became_private(client, alice_video):
    bob = make_user("bob")
    WatchProgress.objects.create(user=bob, video=alice_video, position=10, duration=100)
    Video.objects.update(visibility="private", title="Secret")
    client.force_login(bob)
    assert "Secret" not in client.get(reverse("history")).content.decode()


def test_related_videos_share_the_channel_or_tags(alice_video):
    travel = Tag.for_names(["travel"])
    alice_video.tags.set(travel)
    make_video(alice_video.owner, title="same channel")
    shared_tag = make_video(make_user("carol"), title="shared tag")
    shared_tag.tags.set(travel)
    make_video(make_user("dave"), title="unrelated")
    make_video(alice_video.owner, title="private", visibility="private")
    titles = [v.title for v in Video.objects.related_to(alice_video)]
    assert titles == ["shared tag", "same channel"]


def test_related_videos_beside_the_player_drop_a_video_made_private_at_once(client, alice_video):
    travel = Tag.for_names(["travel"])
    alice_video.tags.set(travel)
    shared_tag = make_video(make_user("carol"), title="shared tag")
    shared_tag.tags.set(travel)
    make_video(alice_video.owner, title="same channel")
    page = client.get(alice_video.get_absolute_url())
    assert [v.title for v in page.context["related"]] == ["shared tag", "same channel"]
    Video.objects.filter(pk=shared_tag.pk).update(visibility="private")
    page = client.get(alice_video.get_absolute_url())
    assert [v.title for v in page.context["related"]] == ["same channel"]


def test_tag_pages_match_any_written_form(client, alice_video):
    alice_video.tags.set(Tag.for_names(["Café"]))
    assert client.get(reverse("tag", args=["café"])).status_code == 200
    assert client.get(reverse("tag", args=["nothing"])).status_code == 404


def test_a_tag_with_slashes_links_to_its_own_page(client, alice_video):
    alice_video.tags.set(Tag.for_names(["AC/DC", "24/7 news"]))
    html = client.get(alice_video.get_absolute_url()).text
    assert 'href="/tags/ac/dc"' in html
    assert 'href="/tags/24/7%20news"' in html
    page = client.get("/tags/ac/dc")
    assert page.status_code == 200
    assert alice_video.title in page.text


def test_tags_browsers_would_rewrite_still_leave_the_watch_page_up(client, alice_video):
    # Refused by the forms, but maybe stored before they were.
    alice_video.tags.set(Tag.for_names(["..", "a/../b"]))
    assert client.get(alice_video.get_absolute_url()).status_code == 200


def test_private_and_unfinished_videos_do_not_embed(client, alice_video):
    url = reverse("embed", args=[alice_video.public_id])
    assert client.get(url).status_code == 200
    Video.objects.update(visibility="private")
    assert client.get(url).status_code == 404
    Video.objects.update(visibility="public", status="processing")
    assert client.get(url).status_code == 404


def test_embedded_players_count_no_views(client, alice_video):
    """An embed lives on another site, where our cookies (and so the CSRF token a count
    needs) are not given to it: it does not report views rather than report them by GET."""
    make_renditions(alice_video)
    html = client.get(reverse("embed", args=[alice_video.public_id])).text
    assert 'id="video-player"' in html
    assert "data-view-url" not in html


def test_oembed(client, alice_video):
    url = "http://testserver" + alice_video.get_absolute_url()
    data = client.get(reverse("oembed"), {"url": url, "format": "json"}).json()
    assert data["title"] == alice_video.title
    assert "<iframe" in data["html"]
    Video.objects.update(visibility="private")
    assert client.get(reverse("oembed"), {"url": url}).status_code == 404
    assert client.get(reverse("oembed"), {"url": "http://testserver/nope"}).status_code == 404
    assert client.get(reverse("oembed"), {"url": url, "format": "xml"}).status_code == 501


def test_rich_text_links_mentions_to_channels():
    html = rich_text("thanks @layla.films and @سارة! mail me: a@b.com")
    assert '<a href="/@layla.films" dir="auto">@layla.films</a>' in html
    assert "/@%D8%B3%D8%A7%D8%B1%D8%A9" in html
    assert "a@b.com" in html
    assert 'href="/@b.com"' not in html


def test_the_watch_page_offers_to_subscribe_to_the_channel(client, alice_video):
    subscribe = reverse("subscribe", args=["alice"])
    html = client.get(alice_video.get_absolute_url()).text
    assert f"{reverse('login')}?next={alice_video.get_absolute_url()}" in html  # then back here
    assert 'id="subscriber-count"' in html
    client.force_login(make_user("bob"))
    assert f'hx-post="{subscribe}"' in client.get(alice_video.get_absolute_url()).text
    answer = client.post(
        subscribe, {"next": alice_video.get_absolute_url()}, headers={"HX-Request": "true"}
    )
    assert "Unsubscribe" in answer.text
    assert 'id="subscriber-count" hx-swap-oob="true"' in answer.text
    assert "Unsubscribe" in client.get(alice_video.get_absolute_url()).text


def test_no_one_is_offered_to_subscribe_to_themselves(client, alice_video):
    client.force_login(alice_video.owner)
    assert 'id="subscribe-button"' not in client.get(alice_video.get_absolute_url()).text


@pytest.mark.parametrize(
    "size",
    [
        {"maxwidth": "abc"},
        {"maxwidth": "-500"},
        {"maxwidth": "0"},
        {"maxwidth": "1e9"},
        {"maxwidth": "99999999999999999999"},
        {"maxheight": "abc"},
        {"maxheight": "-500"},
        {"maxheight": "99999999999999999999"},
    ],
)
def test_oembed_refuses_sizes_that_are_not_sensible_numbers(client, alice_video, size):
    url = "http://testserver" + alice_video.get_absolute_url()
    response = client.get(reverse("oembed"), {"url": url, **size})
    assert response.status_code == 400
    assert "max" in response.content.decode()


def test_oembed_refusals_are_translated(client, alice_video):
    url = "http://testserver" + alice_video.get_absolute_url()
    response = client.get(
        reverse("oembed"), {"url": url, "maxwidth": "abc"}, headers={"Accept-Language": "ar"}
    )
    assert response.status_code == 400
    assert "أدخل رقما صحيحا" in response.content.decode()


def test_oembed_keeps_within_the_size_asked_for(client, alice_video):
    url = "http://testserver" + alice_video.get_absolute_url()
    data = client.get(reverse("oembed"), {"url": url, "maxwidth": "320"}).json()
    assert (data["width"], data["height"]) == (320, 180)
    data = client.get(reverse("oembed"), {"url": url, "maxheight": "90"}).json()
    assert (data["width"], data["height"]) == (160, 90)
    data = client.get(reverse("oembed"), {"url": url, "maxwidth": "5000"}).json()
    assert data["width"] <= 1920


def _watching_while_open(video, cookies: list[str]) -> tuple[int, list]:
    """How many are counted watching `video` while one stream per Cookie header in `cookies`
    is open (through the real application), and the streams themselves."""
    from asgiref.sync import async_to_sync

    from video_share.presence import watching

    from .streams import HeldStream

    path = reverse("video_stream", args=[video.public_id])

    async def run():
        streams = [HeldStream(path, cookie=cookie) for cookie in cookies]
        for stream in streams:
            await stream.__aenter__()
        try:
            assert all(b"stream-open" in stream.body for stream in streams)
            return watching(video.public_id), streams
        finally:
            for stream in streams:
                await stream.__aexit__(None, None, None)

    return async_to_sync(run)()


def test_a_signed_in_viewer_counts_once_however_many_streams_they_hold(alice_video):
    from .streams import session_cookie

    bob, carol = make_user("bob"), make_user("carol")
    # Two tabs of one browser, and a third from another browser where bob is signed in too.
    bobs = [session_cookie(bob)] * 2 + [session_cookie(bob)]
    assert _watching_while_open(alice_video, bobs)[0] == 1
    assert _watching_while_open(alice_video, [*bobs, session_cookie(carol)])[0] == 2


def test_a_visitor_counts_once_per_browser(alice_video):
    one, other = "vs_viewer=browser-one", "vs_viewer=browser-two"
    assert _watching_while_open(alice_video, [one, one])[0] == 1
    assert _watching_while_open(alice_video, [one, one, other])[0] == 2
    # Browsers without the cookie yet are told apart until they have it.
    assert _watching_while_open(alice_video, ["", ""])[0] == 2


def test_a_visitors_stream_gives_their_browser_the_viewer_cookie(alice_video):
    def set_cookies(stream) -> list[bytes]:
        return [value for name, value in stream.sent[0]["headers"] if name.lower() == b"set-cookie"]

    _, (new, known) = _watching_while_open(alice_video, ["", "vs_viewer=known"])
    assert [cookie.startswith(b"vs_viewer=") for cookie in set_cookies(new)] == [True]
    assert b"HttpOnly" in set_cookies(new)[0]
    assert not set_cookies(known)
