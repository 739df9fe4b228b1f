import re

import pytest
from playwright.sync_api import expect

from tests.media_files import make_video

from .conftest import assert_accessible
from .helpers import log_out, sign_up, unique_name


@pytest.fixture(scope="module")
def tiny_clip(tmp_path_factory):
    return make_video(tmp_path_factory.mktemp("discovery") / "tiny.mp4", size="320x240", seconds=1)


def seed_videos(server, owner, count, prefix):
    """Many ready videos at once (processing each through the browser would take minutes)."""
    server.shell(
        "from video_share.models import User, Video; from video_share.search import index_videos\n"
        f"u = User.objects.get(username={owner!r})\n"
        f"Video.objects.bulk_create([Video(owner=u, title='{prefix} %d' % i, status='ready', "
        f"public_id='{prefix[:4]}%07d' % i, duration=30) for i in range({count})])\n"
        f"index_videos(Video.objects.filter(owner=u))"
    )


def upload(page, clip, title):
    page.goto("/upload/")
    page.get_by_label("Video file").set_input_files(clip)
    page.get_by_label("Title").fill(title)
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.locator("#player video")).to_be_attached(timeout=60_000)


def test_infinite_scroll_loads_the_next_page(page, server):
    owner = unique_name("prolific")
    sign_up(page, owner)
    seed_videos(server, owner, 30, "Scroll")
    page.goto(f"/@{owner}")
    assert_accessible(page)
    cards = page.locator(".video-card")
    expect(cards).to_have_count(24)
    url = page.url
    page.locator(".load-more").scroll_into_view_if_needed()
    expect(cards).to_have_count(30)
    assert page.url == url  # nothing pushed into history
    expect(page.locator(".load-more")).to_have_count(0)


def test_active_search_updates_results_and_url_and_back_restores(page, server):
    owner = unique_name("searcher")
    sign_up(page, owner)
    seed_videos(server, owner, 2, "Zanzibar")
    seed_videos(server, owner, 1, "Kilimanjaro")
    page.goto("/")
    box = page.get_by_role("searchbox", name="Search")
    box.press_sequentially("zanzi", delay=30)
    expect(page).to_have_url(re.compile(r"/search\?q=zanzi"))
    expect(page.locator("#search-results .video-card")).to_have_count(2)
    assert_accessible(page)
    # Enter keeps this search in history; the next one typed replaces the address as it goes.
    with page.expect_response(re.compile(r"/search\?q=zanzi")):
        box.press("Enter")
    expect(page.locator(".search-box.htmx-request")).to_have_count(0)
    box.fill("")
    box.press_sequentially("kilima", delay=30)
    expect(page).to_have_url(re.compile(r"/search\?q=kilima"))
    expect(page.locator("#search-results .video-card")).to_have_count(1)
    page.go_back()
    expect(page).to_have_url(re.compile(r"q=zanzi"))
    expect(page.locator("#search-results .video-card")).to_have_count(2)
    # Filters replace the results in place.
    page.get_by_label("Sort by").select_option("date")
    expect(page).to_have_url(re.compile(r"sort=date"))


def test_subscribe_in_place_then_the_subscriptions_tab_shows_new_videos(
    new_context, server, tiny_clip
):
    creator_page = new_context().new_page()
    creator = unique_name("creator")
    sign_up(creator_page, creator)

    fan_page = new_context().new_page()
    sign_up(fan_page, unique_name("fan"))
    fan_page.goto(f"/@{creator}")
    fan_page.evaluate("window.sameDocument = true")
    fan_page.get_by_role("button", name="Subscribe").click()
    expect(fan_page.get_by_role("button", name="Unsubscribe")).to_be_visible()
    assert fan_page.evaluate("window.sameDocument") is True  # in place, no reload
    assert_accessible(fan_page)

    upload(creator_page, tiny_clip, "Fresh from the creator")
    fan_page.goto("/?tab=subscriptions")
    expect(fan_page.get_by_role("link", name="Fresh from the creator")).to_be_visible()
    fan_page.get_by_label("Account menu").click()
    fan_page.get_by_role("navigation", name="Account").get_by_role(
        "link", name="Subscriptions"
    ).click()
    expect(fan_page.get_by_role("link", name=re.compile(creator))).to_be_visible()


def test_discovery_without_javascript(new_context, server):
    page = new_context(java_script_enabled=False).new_page()
    owner = unique_name("plainjane")
    sign_up(page, owner)
    seed_videos(server, owner, 30, "Plain")
    page.goto(f"/@{owner}")
    expect(page.locator(".video-card")).to_have_count(24)
    page.get_by_role("link", name="More videos").click()
    expect(page).to_have_url(re.compile(r"page=2"))
    expect(page.locator(".video-card")).to_have_count(6)

    page.get_by_role("searchbox", name="Search").fill("plain 1")
    page.get_by_role("searchbox", name="Search").press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q=plain"))
    expect(page.locator("#search-results .video-card").first).to_be_visible()
    page.get_by_label("Duration").select_option("short")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"duration=short"))

    log_out(page)
    sign_up(page, unique_name("follower"))
    page.goto(f"/@{owner}")
    page.get_by_role("button", name="Subscribe").click()
    expect(page.get_by_role("button", name="Unsubscribe")).to_be_visible()
    page.goto("/?tab=subscriptions")
    expect(page.locator(".video-card").first).to_be_visible()
