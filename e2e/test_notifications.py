import re
import time

import pytest
from playwright.sync_api import expect

from .conftest import assert_accessible
from .helpers import log_in, sign_up, unique_name, upload_clip


@pytest.fixture(scope="module")
def video_url(browser, server, tmp_path_factory):
    url, _owner = upload_clip(browser, server, tmp_path_factory.mktemp("clip"), "Questions welcome")
    return url


def bell(page):
    return page.get_by_role("link", name="Notifications", exact=True)


def bell_count(page):
    return page.locator("#bell-count")


def test_a_reply_rings_the_bell_in_every_tab_within_a_second(new_context, video_url):
    alice_name = unique_name("alice")
    alice_context = new_context()
    alice = alice_context.new_page()
    sign_up(alice, alice_name)
    alice.goto(video_url)
    alice.get_by_role("textbox", name="Comment").fill("Does anyone know the song?")
    alice.get_by_role("button", name="Post").click()
    expect(alice.locator(".comment__body", has_text="Does anyone know the song?")).to_have_count(1)

    # A second tab of Alice's, browsing: its bell keeps one stream across boosted navigation.
    other_tab = alice_context.new_page()
    streams = []
    other_tab.on(
        "request", lambda r: streams.append(r.url) if "/events/notifications" in r.url else None
    )
    other_tab.goto("/")
    other_tab.get_by_role("link", name="Video Share").click()
    other_tab.get_by_role("link", name="Questions welcome").first.click()
    expect(other_tab.get_by_role("heading", name="Questions welcome")).to_be_visible()
    other_tab.evaluate("window.sameDocument = true")
    expect(bell_count(other_tab)).to_be_empty()
    alice.wait_for_timeout(300)

    bob = new_context().new_page()
    bob_name = unique_name("bob")
    sign_up(bob, bob_name)
    bob.goto(video_url)
    question = bob.locator(".comment", has_text="Does anyone know the song?").first
    question.get_by_role("link", name="Reply").click()
    bob.get_by_role("textbox", name="Reply").fill("It is the old folk tune.")
    started = time.monotonic()
    bob.locator("form[id^=comment-form-] button[type=submit]").click()

    expect(bell_count(alice)).to_have_text("1 unread1", timeout=1500)
    expect(bell_count(other_tab)).to_have_text("1 unread1", timeout=1500)
    assert time.monotonic() - started < 1.5
    assert other_tab.evaluate("window.sameDocument") is True
    assert len(streams) == 1

    # The dropdown lists it and links to the reply itself.
    bell(other_tab).click()
    panel = other_tab.locator("#bell-panel")
    expect(panel).to_be_visible()
    expect(bell(other_tab)).to_have_attribute("aria-expanded", "true")
    item = panel.get_by_role("link", name=re.compile(f"{bob_name} replied to your comment"))
    expect(item).to_contain_text("It is the old folk tune.")
    assert_accessible(other_tab)
    item.click()
    expect(other_tab).to_have_url(re.compile(r"\?comment=\d+#comment-\d+$"))
    highlighted = other_tab.locator(".comment--highlighted")
    expect(highlighted).to_contain_text("It is the old folk tune.")
    expect(highlighted).to_be_in_viewport()
    # Opening it marked it read, in every tab.
    expect(bell_count(other_tab)).to_be_empty(timeout=1500)
    expect(bell_count(alice)).to_be_empty(timeout=1500)
    assert len(streams) == 1


def test_the_dropdown_closes_with_escape_and_a_second_click(page, video_url):
    sign_up(page, unique_name("reader"))
    bell(page).click()
    panel = page.locator("#bell-panel")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("You have no notifications yet.")
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(bell(page)).to_be_focused()
    bell(page).click()
    expect(panel).to_be_visible()
    bell(page).click()
    expect(panel).to_be_hidden()
    expect(page).not_to_have_url(re.compile("/notifications/"))
    # By keyboard: Enter opens it, tabbing out of it closes it.
    bell(page).focus()
    page.keyboard.press("Enter")
    expect(panel).to_be_visible()
    for _ in range(4):
        page.keyboard.press("Tab")
    expect(panel).to_be_hidden()
    page.goto("/notifications/")
    assert_accessible(page)
    page.goto("/notifications/settings")
    assert_accessible(page)


def test_notifications_work_without_javascript(browser, server, new_context, video_url):
    fan, host = unique_name("fan"), unique_name("creator")
    setup = new_context().new_page()
    sign_up(setup, host)
    setup.context.clear_cookies()
    sign_up(setup, fan)
    setup.goto(f"/@{host}")
    setup.get_by_role("button", name="Subscribe").click()
    expect(setup.get_by_role("button", name="Unsubscribe")).to_be_visible()

    page = new_context(java_script_enabled=False).new_page()
    log_in(page, host)
    # The bell is a link, its count rendered by the server.
    expect(bell_count(page)).to_have_text("1 unread1")
    bell(page).click()
    expect(page).to_have_url(re.compile("/notifications/$"))
    item = page.get_by_role("link", name=re.compile(f"{fan} subscribed to your channel"))
    expect(item).to_be_visible()
    page.get_by_role("link", name="Unread", exact=True).click()
    expect(item).to_be_visible()
    item.click()
    expect(page).to_have_url(re.compile(f"/@{fan}$"))
    expect(bell_count(page)).to_be_empty()
    page.goto("/notifications/?show=unread")
    expect(page.get_by_text("Nothing unread.")).to_be_visible()

    # Settings: turn a kind off, without JavaScript.
    page.goto("/notifications/settings")
    page.get_by_label("New subscribers").uncheck()
    page.get_by_label("Send me a daily email of unread notifications").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your notification settings are saved.")).to_be_visible()
    expect(page.get_by_label("New subscribers")).not_to_be_checked()
    expect(page.get_by_label("Send me a daily email of unread notifications")).to_be_checked()


def test_the_notifications_page_gets_new_items_at_its_top_live_once(new_context, video_url):
    alice_name = unique_name("alice")
    alice = new_context().new_page()
    sign_up(alice, alice_name)
    alice.goto(video_url)
    alice.get_by_role("textbox", name="Comment").fill("Where was this filmed?")
    alice.get_by_role("button", name="Post").click()
    expect(alice.locator(".comment__body", has_text="Where was this filmed?")).to_have_count(1)
    # To the notifications page through the bell, as people go: its stream stays open.
    bell(alice).click()
    alice.get_by_role("link", name="See all notifications").click()
    expect(alice.get_by_role("heading", level=1, name="Notifications")).to_be_visible()
    expect(alice.locator("#main")).to_contain_text("You have no notifications yet.")
    alice.evaluate("window.sameDocument = true")

    bob = new_context().new_page()
    bob_name = unique_name("bob")
    sign_up(bob, bob_name)

    def reply(text):
        bob.goto(video_url)
        question = bob.locator(".comment", has_text="Where was this filmed?").first
        question.get_by_role("link", name="Reply").click()
        bob.get_by_role("textbox", name="Reply").fill(text)
        bob.locator("form[id^=comment-form-] button[type=submit]").click()
        expect(bob.locator(".comment__body", has_text=text)).to_have_count(1)

    items = alice.locator("#main .notification")
    reply("By the old harbour.")
    expect(items).to_have_count(1, timeout=2000)
    first = items.first
    expect(first).to_contain_text(f"{bob_name} replied to your comment")
    expect(first).to_contain_text("By the old harbour.")
    expect(first).to_have_class(re.compile("notification--unread"))

    # On a page loaded afresh too; the newest on top, each once.
    alice.goto("/notifications/")
    alice.evaluate("window.sameDocument = true")
    alice.wait_for_timeout(300)
    reply("At dawn, in spring.")
    expect(items).to_have_count(2, timeout=2000)
    expect(items.first).to_contain_text("At dawn, in spring.")
    expect(items.nth(1)).to_contain_text("By the old harbour.")
    alice.wait_for_timeout(1000)
    expect(items).to_have_count(2)
    assert alice.evaluate("window.sameDocument") is True
    assert_accessible(alice)
