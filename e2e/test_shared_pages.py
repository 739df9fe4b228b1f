"""Signed-in people are served the page shared by everyone, with their own parts in it."""

import os

from playwright.sync_api import expect

from .conftest import assert_accessible
from .helpers import sign_up, unique_name, upload_clip, video_like

SHOTS = os.environ.get("VIDEO_SHARE_E2E_SHOTS", "")


def shot(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_a_signed_in_viewer_gets_the_shared_page_with_their_own_parts(
    browser, server, new_context, tmp_path
):
    url, owner = upload_clip(browser, server, tmp_path, "Shared with everyone")
    viewer = unique_name("viewer")
    page = new_context().new_page()
    sign_up(page, viewer)
    # Signing up was a change of theirs: for a few seconds they would get pages of their own.
    page.context.clear_cookies(name="vs_fresh")
    # A visitor's request renders the page for everyone; the title then changes underneath
    # it, without anything that would tell the pages kept.
    new_context().new_page().goto(url)
    public_id = url.rstrip("/").rsplit("/", 1)[-1]
    server.shell(
        "from video_share.models import Video\n"
        f"Video.objects.filter(public_id={public_id!r}).update(title='Renamed quietly')"
    )
    page.goto(url)
    like = video_like(page)
    # The shared page (the title as it was rendered for everyone)...
    expect(page.get_by_role("heading", level=1)).to_have_text("Shared with everyone")
    # ...with this viewer's account menu and bell, Subscribe, likes and comment form.
    page.get_by_label("Account menu").click()
    expect(page.locator(".menu__who")).to_contain_text(f"@{viewer}")
    page.get_by_label("Account menu").click()
    expect(page.get_by_role("link", name="Notifications")).to_be_visible()
    expect(page.get_by_role("button", name="Subscribe")).to_be_visible()
    expect(like).to_have_attribute("aria-pressed", "false")
    expect(page.get_by_label("Comment", exact=True)).to_be_visible()
    assert_accessible(page)
    shot(page, "shared-watch-en")

    # What they change, they see at once: their like, their subscription, their comment.
    like.click()
    expect(like).to_have_attribute("aria-pressed", "true")
    page.get_by_role("button", name="Subscribe").click()
    expect(page.get_by_role("button", name="Unsubscribe")).to_be_visible()
    page.get_by_label("Comment", exact=True).fill("Seen at once")
    page.get_by_role("button", name="Post").click()
    expect(page.locator(".comment__body", has_text="Seen at once")).to_have_count(1)
    page.reload()
    expect(like).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("button", name="Unsubscribe")).to_be_visible()
    expect(page.locator(".comment__body", has_text="Seen at once")).to_have_count(1)

    # Another signed-in viewer, in Arabic (a page of its own, shared by Arabic readers), gets
    # their own parts in it.
    other = new_context().new_page()
    sign_up(other, unique_name("other"))
    other.context.clear_cookies(name="vs_fresh")
    other.context.set_extra_http_headers({"Accept-Language": "ar"})
    other.goto(url)
    expect(other.locator("html")).to_have_attribute("dir", "rtl")
    expect(other.locator("#subscribe-button .button--primary")).to_be_visible()  # not subscribed
    expect(other.locator("#reactions button").first).to_have_attribute("aria-pressed", "false")
    shot(other, "shared-watch-ar")


def test_without_javascript_a_comment_shows_on_the_page_it_returns_to(
    browser, server, new_context, tmp_path
):
    url, _owner = upload_clip(browser, server, tmp_path, "Plain forms")
    new_context().new_page().goto(url)  # rendered for everyone
    page = new_context(java_script_enabled=False).new_page()
    sign_up(page, unique_name("plain"))
    page.goto(url)
    page.get_by_label("Comment", exact=True).fill("Posted without script")
    page.get_by_role("button", name="Post").click()
    expect(page.locator(".comment__body", has_text="Posted without script")).to_have_count(1)
    shot(page, "shared-watch-nojs")
