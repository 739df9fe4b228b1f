"""What search engines and link previews see: robots.txt, the sitemap, descriptions,
OpenGraph and Twitter-card meta, canonical links, noindex — and never a video that is not
listed."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from video_share import shared_pages

from .factories import make_user, make_video
from .test_feeds import with_renditions, xml_of

pytestmark = pytest.mark.django_db

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
SITE_DESCRIPTION = "Video Share — share videos with your community."


def meta(html: str) -> dict[str, str]:
    """The page's <meta property|name=… content=…>, by property or name."""
    found = {}
    for tag in re.findall(r"<meta\s[^>]*>", html):
        key = re.search(r'(?:property|name)="([^"]+)"', tag)
        content = re.search(r'content="([^"]*)"', tag)
        if key and content:
            found[key.group(1)] = content.group(1)
    return found


def canonical(html: str) -> str | None:
    found = re.search(r'<link rel="canonical" href="([^"]+)"', html)
    return found.group(1) if found else None


@pytest.fixture
def alice():
    return make_user("alice", display_name="Alice")


@pytest.fixture
def public(alice):
    return with_renditions(
        make_video(alice, title="Swifts & swallows", description="Birds\n\nat  dusk.")
    )


# robots.txt


def test_robots_txt_keeps_private_areas_out_and_names_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    for folder in ("/account/", "/upload/", "/notifications/", "/subscriptions/", "/admin/"):
        assert f"Disallow: {folder}" in lines
    assert "Disallow: /search" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    # What everyone may find stays open.
    assert not any(line in ("Disallow: /", "Disallow: /v/", "Disallow: /@") for line in lines)


# The sitemap


def sitemap_locations(client, section: str) -> list[str]:
    root = xml_of(client.get(reverse("sitemap_section", args=[section])))
    return [url.findtext(f"{SITEMAP}loc") for url in root.findall(f"{SITEMAP}url")]


def test_the_sitemap_index_names_its_sections(client):
    root = xml_of(client.get(reverse("sitemap")))
    locations = {sitemap.findtext(f"{SITEMAP}loc") for sitemap in root}
    assert locations == {
        f"http://testserver/sitemap-{section}.xml" for section in ("pages", "channels", "videos")
    }


def test_the_sitemap_lists_public_ready_videos_and_their_channels_only(client, alice, public):
    make_video(alice, title="Unlisted", visibility="unlisted")
    make_video(alice, title="Private", visibility="private")
    make_video(alice, title="Processing", status="processing")
    hidden = make_user("hidden")  # only videos nobody else may find
    make_video(hidden, visibility="unlisted")
    make_video(hidden, visibility="private")
    make_user("empty")
    assert sitemap_locations(client, "videos") == [f"http://testserver/v/{public.public_id}"]
    assert sitemap_locations(client, "channels") == ["http://testserver/@alice"]
    assert sitemap_locations(client, "pages") == ["http://testserver/"]


def test_the_sitemap_is_the_same_for_the_owner(client, alice, public):
    make_video(alice, title="Private", visibility="private")
    client.force_login(alice)
    assert sitemap_locations(client, "videos") == [f"http://testserver/v/{public.public_id}"]


# Descriptions, previews, canonical links


def test_every_page_has_a_description_the_sites_own_where_it_has_none(client, alice):
    for url in (reverse("home"), reverse("search"), reverse("channel", args=["alice"])):
        assert meta(client.get(url).content.decode())["description"] == SITE_DESCRIPTION, url


def test_a_public_videos_page_has_its_preview(client, public):
    html = client.get(public.get_absolute_url() + "?t=5&quality=360p").content.decode()
    found = meta(html)
    url = f"http://testserver/v/{public.public_id}"
    media = f"http://testserver/media/v/{public.public_id}"
    assert canonical(html) == url
    assert found["description"] == "Birds at dusk."
    assert found["og:title"] == "Swifts &amp; swallows"
    assert found["og:description"] == "Birds at dusk."
    assert found["og:type"] == "video.other"
    assert found["og:url"] == url
    assert found["og:image"] == f"{media}/poster-1.jpg"
    assert found["og:video"] == f"{media}/720p-1.mp4"
    assert found["og:video:type"] == "video/mp4"
    assert (found["og:video:width"], found["og:video:height"]) == ("1280", "720")
    # Over plain HTTP, no player card (it needs HTTPS) and no secure_url.
    assert found["twitter:card"] == "summary_large_image"
    assert "og:video:secure_url" not in found
    assert "robots" not in found


def test_over_https_a_public_video_has_a_player_card_and_secure_video(public):
    html = Client().get(public.get_absolute_url(), secure=True).content.decode()
    found = meta(html)
    assert found["og:video:secure_url"] == found["og:video"]
    assert found["og:video"].startswith("https://testserver/media/v/")
    assert found["twitter:card"] == "player"
    assert found["twitter:player"] == f"https://testserver/embed/{public.public_id}"
    assert (found["twitter:player:width"], found["twitter:player:height"]) == ("640", "360")


PREVIEW = ("og:title", "og:video", "og:image", "og:description", "twitter:card")


@pytest.mark.parametrize("kind", ["unlisted", "private", "processing"])
@pytest.mark.parametrize("viewer", ["anonymous", "other", "owner"])
def test_a_video_not_listed_never_has_a_preview(client, alice, kind, viewer):
    if kind == "processing":
        video = make_video(alice, title="Secret title", description="Secret", status=kind)
    else:
        video = make_video(alice, title="Secret title", description="Secret", visibility=kind)
    with_renditions(video)
    if viewer != "anonymous":
        client.force_login(alice if viewer == "owner" else make_user("other"))
    response = client.get(video.get_absolute_url())
    if response.status_code == 404:  # others may not open it at all
        assert (kind, viewer) != ("unlisted", "other")
        return
    html = response.content.decode()
    found = meta(html)
    assert not set(PREVIEW) & set(found), found
    assert found["description"] == SITE_DESCRIPTION
    assert found["robots"] == "noindex"
    assert canonical(html) is None


def test_a_private_video_has_no_share_panel_and_others_a_link_and_an_embed_code(client, alice):
    private = make_video(alice, visibility="private")
    unlisted = make_video(alice, title='Say "hi" </textarea>', visibility="unlisted")
    client.force_login(alice)
    assert "Copy link" not in client.get(private.get_absolute_url()).content.decode()
    html = Client().get(unlisted.get_absolute_url()).content.decode()
    assert 'readonly value="http://testserver/v/' in html
    embed = re.search(r'<textarea id="share-embed"[^>]*>([^<]*)</textarea>', html).group(1)
    # Escaped once for the page: the field holds the code, the title escaped in its attribute.
    assert embed == (
        f"&lt;iframe src=&quot;http://testserver/embed/{unlisted.public_id}&quot; width=&quot;"
        "640&quot; height=&quot;360&quot; title=&quot;Say &amp;quot;hi&amp;quot; "
        "&amp;lt;/textarea&amp;gt;&quot; frameborder=&quot;0&quot; allow=&quot;fullscreen; "
        "picture-in-picture&quot; allowfullscreen&gt;&lt;/iframe&gt;"
    )
    assert ">Copy link<" in html
    assert ">Copy embed code<" in html


def test_the_embed_page_is_never_indexed(client, public):
    html = client.get(reverse("embed", args=[public.public_id])).content.decode()
    assert meta(html)["robots"] == "noindex"
    assert meta(html)["description"] == SITE_DESCRIPTION


def test_a_channel_page_has_its_preview_and_a_canonical_link_without_the_sort(client, alice):
    alice.bio = "Birds,\n  mostly."
    alice.save()
    html = client.get(reverse("channel", args=["alice"]) + "?sort=oldest").content.decode()
    found = meta(html)
    assert canonical(html) == "http://testserver/@alice"
    assert found["description"] == found["og:description"] == "Birds, mostly."
    assert found["og:type"] == "profile"
    assert found["og:title"] == "Alice"


def test_a_shared_watch_page_keeps_its_preview_for_everyone(client, settings, public):
    """The watch page is rendered once for everyone: its preview holds nothing of a person."""
    settings.VIDEO_SHARE_SHARED_PAGE_SECONDS = 5
    shared_pages.pages.clear()
    first = meta(Client().get(public.get_absolute_url()).content.decode())
    client.force_login(make_user("other"))
    assert meta(client.get(public.get_absolute_url()).content.decode()) == first
    shared_pages.pages.clear()
