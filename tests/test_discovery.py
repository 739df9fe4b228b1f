from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from video_share import actions
from video_share.models import Subscription, Video, View

from .factories import make_user, make_video

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice():
    return make_user("alice")


@pytest.fixture
def bob():
    return make_user("bob")


def test_subscribing_twice_makes_one_row_and_counts_once(alice, bob):
    assert actions.do_subscribe(alice, bob)
    assert not actions.do_subscribe(alice, bob)
    bob.refresh_from_db()
    assert bob.subscriber_count == 1
    assert Subscription.objects.count() == 1


def test_unsubscribing_twice_never_goes_negative(alice, bob):
    actions.do_subscribe(alice, bob)
    assert actions.do_unsubscribe(alice, bob)
    assert not actions.do_unsubscribe(alice, bob)
    bob.refresh_from_db()
    assert bob.subscriber_count == 0


def test_nobody_subscribes_to_themselves(client, alice):
    client.force_login(alice)
    client.post(reverse("subscribe", args=["alice"]))
    alice.refresh_from_db()
    assert alice.subscriber_count == 0
    assert not Subscription.objects.exists()


def test_subscribe_with_htmx_returns_only_the_button(client, alice, bob):
    client.force_login(alice)
    response = client.post(reverse("subscribe", args=["bob"]), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="subscribe-button"' in html
    assert "Unsubscribe" in html
    response = client.post(reverse("unsubscribe", args=["bob"]), headers={"HX-Request": "true"})
    assert ">Subscribe<" in response.content.decode()


def test_subscribe_without_javascript_comes_back_to_the_page(client, alice, bob):
    client.force_login(alice)
    response = client.post(reverse("subscribe", args=["bob"]), {"next": "/@bob?sort=oldest"})
    assert response["Location"] == "/@bob?sort=oldest"


def test_subscribe_never_redirects_elsewhere(client, alice, bob):
    client.force_login(alice)
    response = client.post(reverse("subscribe", args=["bob"]), {"next": "https://evil.example/"})
    assert response["Location"] == "/@bob"


def test_signed_out_subscribe_goes_to_log_in_and_back(client, bob):
    html = client.get("/@bob").content.decode()
    assert (
        f"{reverse('login')}?next=/%40bob" in html or f"{reverse('login')}?next=%2F%40bob" in html
    )
    response = client.post(reverse("subscribe", args=["bob"]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not Subscription.objects.exists()


def test_channel_shows_counts_and_the_right_videos(client, alice, bob):
    make_video(bob, title="Public one")
    make_video(bob, title="Unlisted one", visibility="unlisted")
    make_video(bob, title="Private one", visibility="private")
    make_video(bob, title="Still processing", status="processing")
    actions.do_subscribe(alice, bob)
    html = client.get("/@bob").content.decode()
    assert "1 subscriber" in html
    assert "1 video" in html
    assert "Public one" in html
    for hidden in ("Unlisted one", "Private one", "Still processing"):
        assert hidden not in html
    client.force_login(bob)
    html = client.get("/@bob").content.decode()
    for shown in ("Unlisted one", "Private one", "Still processing"):
        assert shown in html
    assert "4 videos" in html


def test_channel_sorts(client, bob):
    old = make_video(bob, title="Old", view_count=5)
    Video.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=3))
    make_video(bob, title="New", view_count=1)
    make_video(bob, title="Popular", view_count=100)

    def titles(sort):
        page = client.get("/@bob", {"sort": sort}).context["page"]
        return [v.title for v in page]

    assert titles("latest") == ["Popular", "New", "Old"]
    assert titles("popular") == ["Popular", "Old", "New"]
    assert titles("oldest") == ["Old", "New", "Popular"]


def test_channel_about_tab(client, bob):
    bob.bio = "Films https://example.com daily"
    bob.save()
    html = client.get(reverse("channel_about", args=["bob"])).content.decode()
    assert 'rel="nofollow ugc noopener"' in html
    assert "Joined" in html


def many_videos(owner, count):
    return Video.objects.bulk_create(
        [
            Video(owner=owner, title=f"Video {i}", status="ready", public_id=f"v{i:010d}")
            for i in range(count)
        ]
    )


def test_home_pages_have_real_links_and_infinite_scroll(client, bob):
    many_videos(bob, 30)
    html = client.get(reverse("home")).content.decode()
    assert 'hx-trigger="revealed"' in html
    assert 'href="?page=2"' in html
    fragment = client.get(reverse("home"), {"page": 2}, headers={"HX-Request": "true"})
    text = fragment.content.decode()
    assert "<html" not in text
    assert text.count('class="video-card"') == 6
    assert "revealed" not in text  # the last page


def test_list_pages_run_a_fixed_number_of_queries(client, alice, django_assert_max_num_queries):
    for index in range(3):
        owner = make_user(f"owner{index}")
        many_videos_for = [
            Video(owner=owner, title=f"V{index}-{i}", status="ready", public_id=f"q{index}{i:09d}")
            for i in range(20)
        ]
        Video.objects.bulk_create(many_videos_for)
        actions.do_subscribe(alice, owner)
    client.force_login(alice)
    for url in ("/", "/?tab=trending", "/?tab=subscriptions", "/@owner0", "/@owner1?sort=popular"):
        with django_assert_max_num_queries(8):
            assert client.get(url).status_code == 200


def test_trending_counts_the_last_seven_days_only(bob):
    hot, old_hit, quiet = (make_video(bob, title=t) for t in ("hot", "old hit", "quiet"))
    now = timezone.now()
    for i in range(3):
        View.objects.create(video=hot, address=f"h{i}", hour=now)
    for i in range(10):
        view = View.objects.create(video=old_hit, address=f"o{i}", hour=now)
        View.objects.filter(pk=view.pk).update(created_at=now - timedelta(days=8))
    titles = [v.title for v in Video.objects.listed().trending()]
    assert titles[0] == "hot"
    assert titles.index("quiet") < titles.index("old hit")  # ties by recency: newer first


def test_subscriptions_tab_and_page(client, alice, bob):
    make_video(bob, title="From Bob")
    make_video(make_user("carol"), title="From Carol")
    client.force_login(alice)
    html = client.get(reverse("home"), {"tab": "subscriptions"}).content.decode()
    assert "From Bob" not in html
    assert "Channels you might like" in html
    actions.do_subscribe(alice, bob)
    html = client.get(reverse("home"), {"tab": "subscriptions"}).content.decode()
    assert "From Bob" in html
    assert "From Carol" not in html
    page = client.get(reverse("subscriptions")).content.decode()
    assert "@bob" in page
    assert "Unsubscribe" in page


def test_subscriptions_tab_needs_log_in(client):
    response = client.get(reverse("home"), {"tab": "subscriptions"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_watch_page_runs_a_fixed_number_of_queries(
    client, alice, django_assert_max_num_queries
):
    from video_share.models import Tag

    video = make_video(alice, title="Main")
    tags = Tag.for_names(["one", "two", "three"])
    video.tags.set(tags)
    for index in range(12):
        other = make_video(make_user(f"maker{index}"), title=f"Related {index}")
        other.tags.set(tags[:2])
    from video_share.models import Comment

    for index in range(25):
        top = Comment.objects.create(video=video, author=make_user(f"talker{index}"), body="hi")
        Comment.objects.create(video=video, author=alice, body="reply", parent=top)
    client.force_login(make_user("viewer"))
    with django_assert_max_num_queries(21):
        assert client.get(video.get_absolute_url()).status_code == 200


def test_subscribing_with_htmx_updates_the_count_too(client, alice, bob):
    client.force_login(alice)
    html = client.post(
        reverse("subscribe", args=["bob"]), headers={"HX-Request": "true"}
    ).content.decode()
    assert '<span id="subscriber-count" hx-swap-oob="true">1 subscriber</span>' in html


def test_unknown_pages_have_a_friendly_404(client):
    response = client.get("/v/doesnotexist")
    assert response.status_code == 404
    assert "This page isn’t here" in response.content.decode()


def test_cards_are_rendered_once_and_follow_what_they_show(client, owner, monkeypatch):
    from video_share.templatetags import video_share as tags

    video = make_video(owner, title="First title")
    rendered = []

    class Counting:
        def __init__(self, template):
            self.template = template

        def render(self, context):
            rendered.append(context["video"].title)
            return self.template.render(context)

    real = tags.get_template
    monkeypatch.setattr(tags, "get_template", lambda name: Counting(real(name)))
    assert "First title" in client.get(reverse("home")).content.decode()
    assert "First title" in client.get(reverse("home")).content.decode()
    assert rendered == ["First title"]  # the second page reused the card
    Video.objects.filter(pk=video.pk).update(title="New title", view_count=5)
    html = client.get(reverse("home")).content.decode()
    assert "New title" in html
    assert "5 views" in html
    client.cookies["django_language"] = "ar"
    client.get(reverse("home"))
    assert rendered == ["First title", "New title", "New title"]  # once more, in Arabic
