import pytest
from django.urls import reverse

from .factories import make_user, make_video

pytestmark = pytest.mark.django_db


def test_an_empty_site_welcomes_and_invites_to_sign_up(client):
    html = client.get(reverse("home")).content.decode()
    assert "Welcome to Video Share" in html
    assert reverse("signup") in html


def test_every_page_has_a_content_security_policy_with_a_script_nonce(client):
    response = client.get(reverse("home"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy
    assert "frame-ancestors 'none'" in policy
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.content.decode()


def test_the_body_carries_the_csrf_token_for_htmx(client):
    html = client.get(reverse("home")).content.decode()
    assert 'hx-headers=\'{"X-CSRFToken": "' in html


def test_signed_in_header_has_account_menu_and_bell(client):
    client.force_login(make_user("alice"))
    html = client.get(reverse("home")).content.decode()
    assert 'aria-label="Notifications"' in html
    assert "Log out" in html


def test_search_finds_channels_by_name(client):
    make_user("alice", display_name="Alice Birds")
    make_user("bob")
    html = client.get(reverse("search"), {"q": "bird"}).content.decode()
    assert "@alice" in html
    assert "@bob" not in html


def test_search_handles_empty_and_very_long_queries(client):
    assert client.get(reverse("search")).status_code == 200
    assert client.get(reverse("search"), {"q": "x" * 10_000}).status_code == 200


def test_notifications_page_needs_log_in(client):
    assert client.get(reverse("notifications")).status_code == 302


def _routes(patterns, prefix=""):
    """Every URL pattern of the site, as (route, pattern), includes walked into."""
    from django.urls import URLResolver

    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


@pytest.fixture
def site_objects():
    """One of everything a URL of the site can name, owned by alice."""
    from video_share import actions
    from video_share.models import Caption, Comment, Notification, Tag

    alice, bob = make_user("alice"), make_user("bob")
    video = make_video(alice, title="Kept")
    video.tags.set(Tag.for_names(["birds"]))
    comment = Comment.objects.create(video=video, author=bob, body="Nice")
    actions.do_subscribe(bob, alice)
    notification = Notification.objects.create(
        recipient=alice, kind=Notification.Kind.VIDEO_READY, video=video
    )
    caption = Caption.objects.create(video=video, language="en", file="videos/x/captions.vtt")
    actions.do_report(alice, reason="spam", comment=comment)
    return {
        "report_id": comment.reports.get().pk,
        "public_id": video.public_id,
        "username": "alice",
        "comment_id": comment.pk,
        "caption_id": caption.pk,
        "notification_id": notification.pk,
        "video_id": video.pk,
        "tag": "birds",
        "name": "nothing",
        "token": "nothing",
        "uidb64": "nothing",
        "upload_id": "nothing",
        "export_id": 1,
        "section": "videos",
    }


def test_every_html_answer_to_a_get_varies_on_hx_request(client, site_objects):
    """A URL that answers htmx with a partial (or a boosted page without the bell's count)
    must never have that answer reused for a full page load, by the browser or a cache."""
    from django.urls import get_resolver

    from video_share.models import User

    client.force_login(User.objects.get(username="alice"))
    checked = []
    for route, pattern in _routes(get_resolver().url_patterns):
        if route.startswith("admin/"):
            continue  # Django's own, not pages of the site
        if "<" in route:
            names = pattern.pattern.converters.keys()
            url = reverse(pattern.name, kwargs={name: site_objects[name] for name in names})
        else:
            url = "/" + route.lstrip("^").rstrip("$")
        for headers in ({}, {"HX-Request": "true"}, {"HX-Request": "true", "HX-Boosted": "true"}):
            response = client.get(url, headers=headers)
            response.close()  # an event stream ends, and stops listening
            if response.streaming or not response["Content-Type"].startswith("text/html"):
                continue
            assert "HX-Request" in response.get("Vary", ""), (url, headers)
            checked.append(url)
    # The walk reached the pages that answer htmx differently.
    for name in ("home", "search", "channel", "watch", "comment_list", "notification_menu"):
        path = reverse(name, kwargs={k: site_objects[k] for k in _kwargs_of(name)})
        assert path in checked, name


def _kwargs_of(name):
    from django.urls import get_resolver

    for _route, pattern in _routes(get_resolver().url_patterns):
        if pattern.name == name:
            return pattern.pattern.converters.keys()
    return ()


@pytest.mark.parametrize("shared_seconds", [0, 5])
def test_shared_copies_vary_on_hx_request_and_cookie(client, settings, shared_seconds):
    from video_share import shared_pages

    settings.VIDEO_SHARE_SHARED_PAGE_SECONDS = shared_seconds
    shared_pages.pages.clear()
    make_video(make_user("alice"))
    for headers in ({}, {"HX-Request": "true"}, {}, {"HX-Request": "true"}):
        response = client.get(reverse("home"), headers=headers)
        vary = {v.strip() for v in response["Vary"].split(",")}
        assert {"HX-Request", "Cookie"} <= vary
        assert ("<html" in response.text) == (not headers)  # a copy of its own per htmx
    shared_pages.pages.clear()


def test_pages_answer_head_like_get(client):
    video = make_video(make_user("alice"))
    for url in (
        reverse("home"),
        reverse("search") + "?q=video",
        reverse("channel", args=["alice"]),
        video.get_absolute_url(),
        reverse("embed", args=[video.public_id]),
    ):
        head, get = client.head(url), client.get(url)
        assert head.status_code == get.status_code == 200, url
        assert head["Content-Type"] == get["Content-Type"]
        assert head.content == b""


def test_no_post_of_the_site_is_taken_without_its_csrf_token(site_objects):
    """Every URL of the site, POSTed to by a signed-in user without a CSRF token, changes
    nothing: refused (403), or not a POST endpoint at all (405)."""
    from django.test import Client
    from django.urls import get_resolver

    from video_share.models import User

    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.get(username="alice"))
    posted = []
    for route, pattern in _routes(get_resolver().url_patterns):
        if route.startswith("admin/"):
            continue  # Django's own
        if "<" in route:
            names = pattern.pattern.converters.keys()
            url = reverse(pattern.name, kwargs={name: site_objects[name] for name in names})
        else:
            url = "/" + route.lstrip("^").rstrip("$")
        response = client.post(url, {"body": "x", "value": "like"})
        assert response.status_code in (403, 405), (url, response.status_code)
        posted.append(response.status_code)
    assert posted.count(403) >= 20  # the walk reached the site's forms
