import re

import pytest
from asgiref.sync import async_to_sync
from django.test import AsyncClient, Client
from django.urls import reverse

from video_share import shared_pages
from video_share.models import Video

from .factories import PASSWORD, make_user, make_video

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')


@pytest.fixture(autouse=True)
def _shared(settings):
    settings.VIDEO_SHARE_SHARED_PAGE_SECONDS = 5
    shared_pages.pages.clear()
    yield
    shared_pages.pages.clear()


@pytest.fixture
def video():
    return make_video(make_user("alice"), title="First title")


def retitle(video, title):
    Video.objects.filter(pk=video.pk).update(title=title)


def test_visitors_share_a_page_rendered_once(client, video, django_assert_num_queries):
    assert "First title" in client.get(video.get_absolute_url()).text
    retitle(video, "Second title")
    with django_assert_num_queries(0):
        again = Client().get(video.get_absolute_url())
    assert again.status_code == 200
    assert "First title" in again.text


def test_a_shared_page_is_rendered_again_once_it_expires(client, video, monkeypatch):
    client.get(video.get_absolute_url())
    retitle(video, "Second title")
    later = shared_pages.time.monotonic() + 6
    monkeypatch.setattr(shared_pages.time, "monotonic", lambda: later)
    assert "Second title" in client.get(video.get_absolute_url()).text


def test_each_visitor_gets_a_token_of_their_own_that_works(video):
    Client().get(video.get_absolute_url())
    retitle(video, "Second title")
    for _ in range(2):
        visitor = Client(enforce_csrf_checks=True)
        page = visitor.get(video.get_absolute_url())
        assert "First title" in page.text  # the shared page
        tokens = set(TOKEN.findall(page.text))
        assert len(tokens) == 1
        assert f'"X-CSRFToken": "{tokens.pop()}"' in page.text
        assert "csrftoken" in page.cookies  # a new visitor gets the cookie the token needs
        token = TOKEN.search(page.text).group(1)
        answer = visitor.post(
            reverse("set_language"), {"language": "ar", "csrfmiddlewaretoken": token}
        )
        assert answer.status_code == 302


def test_signed_in_visitors_never_get_a_shared_page(client, video):
    client.get(video.get_absolute_url())
    retitle(video, "Second title")
    client.login(username="alice", password=PASSWORD)
    assert "Second title" in client.get(video.get_absolute_url()).text


def test_visitors_with_a_message_waiting_get_their_own_page(client, video):
    client.get(reverse("home"))
    retitle(video, "Second title")
    client.cookies["messages"] = "anything"
    assert "Second title" in client.get(reverse("home")).text


def test_pages_are_kept_per_language(video):
    assert 'lang="en"' in Client().get(reverse("home")).text
    arabic = Client(headers={"accept-language": "ar"})
    assert 'lang="ar" dir="rtl"' in arabic.get(reverse("home")).text


def test_pages_are_kept_per_htmx_request(client, video):
    full = client.get(reverse("home"))
    part = client.get(reverse("home"), headers={"HX-Request": "true"})
    assert "<html" in full.text
    assert "<html" not in part.text
    assert "<html" in Client().get(reverse("home")).text


def test_pages_not_marked_shared_are_rendered_each_time(client, video):
    url = reverse("login")
    first, second = client.get(url), client.get(url)
    assert TOKEN.search(first.text).group(1) != TOKEN.search(second.text).group(1)
    assert not shared_pages.pages.pages


def test_an_error_page_is_not_kept(client):
    assert client.get("/v/nosuchvideo").status_code == 404
    assert not shared_pages.pages.pages


def test_the_pages_kept_are_bounded(client, video, monkeypatch):
    monkeypatch.setattr(shared_pages, "MAX_PAGES", 3)
    for page in range(5):
        client.get(reverse("home"), {"page": page})
    assert len(shared_pages.pages.pages) == 3


def test_under_asgi_a_shared_page_is_served_without_a_query(video, django_assert_num_queries):
    url = video.get_absolute_url()
    async_to_sync(AsyncClient().get)(url)
    retitle(video, "Second title")
    with django_assert_num_queries(0):
        again = async_to_sync(AsyncClient().get)(url)
    assert "First title" in again.text
    assert again.cookies["csrftoken"]


def test_a_token_like_string_in_what_a_user_wrote_is_never_replaced(video):
    from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret

    # A visitor who knows their own secret writes a token of it into the page...
    secret = _get_new_csrf_string()
    written = _mask_cipher_secret(secret)
    Video.objects.filter(pk=video.pk).update(description=f"see https://example.com/?{written}")
    renderer = Client()
    renderer.cookies["csrftoken"] = secret
    renderer.get(video.get_absolute_url())
    # ...and renders the shared page: the next visitor's token never takes its place.
    page = Client().get(video.get_absolute_url()).text
    assert written in page


def test_the_visitor_who_renders_a_shared_page_keeps_their_secret(video):
    from django.middleware.csrf import _get_new_csrf_string, _unmask_cipher_token

    secret = _get_new_csrf_string()
    visitor = Client()
    visitor.cookies["csrftoken"] = secret
    page = visitor.get(video.get_absolute_url())
    assert _unmask_cipher_token(TOKEN.search(page.text).group(1)) == secret
    assert page.cookies.get("csrftoken") is None or page.cookies["csrftoken"].value == secret


def test_a_crowd_arriving_at_once_waits_for_one_render(video, monkeypatch):
    import asyncio

    kept = []
    original = shared_pages.Page.__init__

    def counting(self, *args, **kwargs):
        kept.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(shared_pages.Page, "__init__", counting)

    async def crowd():
        client = AsyncClient()
        return await asyncio.gather(*(client.get(video.get_absolute_url()) for _ in range(5)))

    responses = async_to_sync(crowd)()
    assert [response.status_code for response in responses] == [200] * 5
    assert len(kept) == 1
