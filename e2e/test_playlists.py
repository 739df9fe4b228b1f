"""Playlists in Chromium: built with the Save menu and Watch later, reordered by keyboard, by
dragging and without JavaScript, and played in order."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import assert_accessible
from .helpers import sign_up, unique_name, upload_clip


@pytest.fixture(scope="module")
def clips(browser, server, tmp_path_factory):
    """Three public videos (of 1 s each): {title: watch URL path}."""
    folder = tmp_path_factory.mktemp("playlist-media")
    urls = {}
    for title in ("Lesson one", "Lesson two", "Lesson three"):
        url, _owner = upload_clip(browser, server, folder, title)
        urls[title] = re.sub(r"^https?://[^/]+", "", url)
    return urls


def titles_in_order(page) -> list[str]:
    return page.locator("#playlist-items .playlist-item__title").all_inner_texts()


def save_menu(page):
    page.locator("details.save > summary").click()
    menu = page.locator("#save-menu")
    expect(menu).to_be_visible()
    return menu


def build_term(page, clips) -> str:
    """Lessons one and two in a new playlist "Term 1" through the Save menu; returns its URL."""
    page.goto(clips["Lesson one"])
    menu = save_menu(page)
    menu.get_by_text("New playlist").click()
    menu.get_by_label("Title").fill("Term 1")
    menu.get_by_role("button", name="Create").click()
    expect(page.locator("#save-menu-status")).to_have_text("Saved to Term 1.")
    expect(menu.get_by_role("checkbox", name="Term 1")).to_be_checked()

    page.goto(clips["Lesson two"])
    menu = save_menu(page)
    assert_accessible(page)
    menu.get_by_role("checkbox", name="Term 1").check()
    expect(page.locator("#save-menu-status")).to_have_text("Saved to Term 1.")
    page.keyboard.press("Escape")
    page.goto("/playlists/")
    page.get_by_role("link", name="Term 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Term 1")
    return page.url


def test_build_a_playlist_with_save_and_watch_later_then_reorder_by_keyboard(new_context, clips):
    page = new_context().new_page()
    sign_up(page, unique_name("student"))
    playlist_url = build_term(page, clips)
    assert titles_in_order(page) == ["Lesson one", "Lesson two"]
    assert_accessible(page)

    # Keyboard: to "Move Lesson two up", Enter; the list changes in place, the focus stays.
    page.get_by_role("button", name="Move “Lesson two” up").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#playlist-status")).to_have_text("“Lesson two” is now number 1 of 2.")
    assert titles_in_order(page) == ["Lesson two", "Lesson one"]
    focused = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert focused == "Move “Lesson two” up"
    page.reload()
    assert titles_in_order(page) == ["Lesson two", "Lesson one"]

    # Watch later: one click on the watch page, one on a card (home page).
    page.goto(clips["Lesson three"])
    later = page.locator("form.watch-later:not(.watch-later--card)").get_by_role(
        "button", name="Watch later"
    )
    later.click()
    expect(later).to_have_attribute("aria-pressed", "true")
    page.goto("/")
    card = page.locator("article.video-card", has_text="Lesson one")
    card.hover()
    card.get_by_role("button", name="Watch later").click()
    expect(card.get_by_role("button", name="Watch later")).to_have_attribute("aria-pressed", "true")
    page.goto("/playlists/watch-later")
    assert sorted(titles_in_order(page)) == ["Lesson one", "Lesson three"]
    page.goto(playlist_url)
    assert titles_in_order(page) == ["Lesson two", "Lesson one"]


def test_drag_a_row_to_reorder(new_context, clips):
    page = new_context().new_page()
    sign_up(page, unique_name("dragger"))
    build_term(page, clips)
    rows = page.locator("#playlist-items .playlist-item")
    rows.nth(1).drag_to(rows.nth(0), target_position={"x": 20, "y": 5})
    expect(page.locator("#playlist-status")).to_have_text("“Lesson two” is now number 1 of 2.")
    assert titles_in_order(page) == ["Lesson two", "Lesson one"]


def test_a_playlist_plays_on_to_the_next_video(new_context, clips):
    page = new_context().new_page()
    sign_up(page, unique_name("viewer"))
    playlist_url = build_term(page, clips)
    page.get_by_role("link", name="Play all").click()
    panel = page.locator("[data-playlist-panel]")
    expect(panel).to_contain_text("1 of 2")
    expect(panel.locator("[aria-current=true]")).to_contain_text("Lesson one")
    expect(panel.get_by_label("Autoplay")).to_be_checked()
    page.locator("#video-player").evaluate("video => video.play()")
    # The one-second lesson ends; the next plays, in the same list.
    next_url = re.compile(re.escape(clips["Lesson two"]) + r"\?list=")
    expect(page).to_have_url(next_url, timeout=20_000)
    expect(panel).to_contain_text("2 of 2")
    expect(panel.locator("[aria-current=true]")).to_contain_text("Lesson two")
    playing = "() => (document.getElementById('video-player') || {}).currentTime > 0"
    page.wait_for_function(playing)
    assert_accessible(page)
    # Autoplay off is remembered: the last one ending goes nowhere anyway; back to the first.
    page.goto(playlist_url)
    page.get_by_role("link", name="Play all").click()
    panel.get_by_label("Autoplay").uncheck()
    page.locator("#video-player").evaluate("video => video.play()")
    page.wait_for_function("() => document.getElementById('video-player').ended", timeout=20_000)
    expect(page).to_have_url(re.compile(re.escape(clips["Lesson one"])))
    page.reload()
    expect(page.locator("[data-playlist-panel]").get_by_label("Autoplay")).not_to_be_checked()


def test_without_javascript_save_and_reorder_still_work(new_context, clips):
    with_js = new_context().new_page()
    username = unique_name("nojs")
    sign_up(with_js, username)
    playlist_url = build_term(with_js, clips)
    cookies = with_js.context.cookies()

    context = new_context(java_script_enabled=False)
    context.add_cookies(cookies)
    page = context.new_page()
    page.goto(playlist_url)
    page.get_by_role("button", name="Move “Lesson one” down").click()
    assert titles_in_order(page) == ["Lesson two", "Lesson one"]

    # A card's Watch later opens the Save page; the box and the button save it.
    page.goto("/")
    page.locator("article.video-card", has_text="Lesson three").get_by_role(
        "button", name="Watch later"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Save to a playlist")
    page.get_by_role("checkbox", name="Watch later").check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Saved to Watch later.")).to_be_visible()
    expect(page).to_have_url(re.compile(re.escape(clips["Lesson three"]) + "$"))
    page.goto("/playlists/watch-later")
    assert titles_in_order(page) == ["Lesson three"]
