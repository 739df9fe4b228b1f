import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import translation

from video_share import actions
from video_share.models import Rendition, Tag, Video, View, WatchProgress
from video_share.templatetags.video_share import compact_number, rich_text, views

from .factories import make_user, make_video

pytestmark = pytest.mark.django_db


def with_renditions(video, heights=(360, 720)):
    for height in heights:
        name = default_storage.save(f"{video.media_dir}/{height}p-x.mp4", ContentFile(b"x"))
        Rendition.objects.create(
            video=video,
            height=height,
            width=height * 16 // 9,
            frame_height=height,
            file=name,
            size=1,
        )
    return video


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
    assert actions.do_count_view(alice_video, "u1")
    assert not actions.do_count_view(alice_video, "u1")
    assert actions.do_count_view(alice_video, "u2")
    alice_video.refresh_from_db()
    assert alice_video.view_count == 2
    assert View.objects.count() == 2


def test_repeated_views_do_not_touch_the_database(alice_video, django_assert_num_queries):
    actions.do_count_view(alice_video, "u1")
    with django_assert_num_queries(0):
        actions.do_count_view(alice_video, "u1")


@pytest.fixture
def alice_video():
    return make_video(make_user("alice"), duration=120)


def test_the_view_beacon_counts_playable_videos(client, alice_video):
    url = reverse("video_view", args=[alice_video.public_id])
    assert client.post(url).status_code == 204
    assert client.get(url)["Content-Type"] == "image/gif"  # the <noscript> pixel
    alice_video.refresh_from_db()
    assert alice_video.view_count == 1


def test_the_view_beacon_of_a_private_video_is_404_for_others(client, alice_video):
    Video.objects.update(visibility="private")
    assert client.post(reverse("video_view", args=[alice_video.public_id])).status_code == 404


def test_the_view_beacon_gives_anonymous_viewers_a_cookie_not_a_session(client, alice_video):
    page = client.get(alice_video.get_absolute_url())
    assert "vs_viewer" not in page.cookies  # the page is the same for every visitor
    response = client.post(reverse("video_view", args=[alice_video.public_id]))
    assert "vs_viewer" in response.cookies
    assert "sessionid" not in response.cookies
    # The view just counted is the cookie's: counting again with it changes nothing.
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
    with_renditions(alice_video)
    html = client.get(alice_video.get_absolute_url()).content.decode()
    assert 'data-start="42"' in html
    assert "720p-x.mp4#t=42" in html


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
    with_renditions(alice_video)
    html = client.get(alice_video.get_absolute_url() + "?t=30").content.decode()
    assert "#t=30" in html


def test_chosen_quality_comes_first_without_javascript(client, alice_video):
    with_renditions(alice_video)
    html = client.get(alice_video.get_absolute_url()).content.decode()
    assert html.index("720p-x.mp4") < html.index("360p-x.mp4")
    html = client.get(alice_video.get_absolute_url() + "?quality=360p").content.decode()
    assert html.index("360p-x.mp4") < html.index("720p-x.mp4")


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


def test_private_and_unfinished_videos_do_not_embed(client, alice_video):
    url = reverse("embed", args=[alice_video.public_id])
    assert client.get(url).status_code == 200
    Video.objects.update(visibility="private")
    assert client.get(url).status_code == 404
    Video.objects.update(visibility="public", status="processing")
    assert client.get(url).status_code == 404


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


def test_watching_without_javascript_still_fills_history(client, alice_video):
    from video_share.models import User

    viewer = User.objects.create_user("plain", password="x")
    client.force_login(viewer)
    client.get(reverse("video_view", args=[alice_video.public_id]))  # the <noscript> pixel
    assert WatchProgress.objects.filter(user=viewer, video=alice_video).exists()


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
