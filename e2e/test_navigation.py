"""Moving around the site after a change: each lands on a whole page."""

import re

from playwright.sync_api import expect

from .helpers import PASSWORD, log_in, log_out, upload_clip, video_like


def test_deleting_a_video_lands_on_the_whole_channel_page(
    browser, server, new_context, tmp_path_factory
):
    url, owner = upload_clip(browser, server, tmp_path_factory.mktemp("gone"), "Soon gone")
    page = new_context().new_page()
    log_in(page, owner)
    page.goto(url)
    page.get_by_role("link", name="Delete").click()
    expect(page).to_have_title(re.compile("^Delete video"))
    page.get_by_role("button", name="Delete for good").click()
    expect(page).to_have_url(re.compile(rf"/@{owner}$"))
    expect(page.get_by_text("“Soon gone” was deleted.")).to_be_visible()
    # The whole page: its header, its title, and the channel's heading.
    expect(page.get_by_role("banner")).to_be_visible()
    expect(page).not_to_have_title(re.compile("Delete video"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(owner)
    assert page.locator("body > header").count() == 1


def test_a_session_ended_in_another_tab_leads_to_log_in_and_back_with_the_draft(
    browser, server, new_context, tmp_path_factory
):
    url, owner = upload_clip(browser, server, tmp_path_factory.mktemp("draft"), "Drafts")
    context = new_context()
    page = context.new_page()
    log_in(page, owner)
    page.goto(url)
    box = page.get_by_role("textbox", name="Comment")
    box.fill("A long thought, typed before the session ended")
    other_tab = context.new_page()
    other_tab.goto("/")
    log_out(other_tab)
    page.get_by_role("button", name="Post").click()
    # The whole log-in page, not a piece of it inside the comments.
    expect(page).to_have_url(re.compile(r"/login/\?next="))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.locator("#comments").count() == 0
    page.get_by_label("Username").fill(owner)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(re.escape(url) + "$"))
    expect(page.get_by_role("textbox", name="Comment")).to_have_value(
        "A long thought, typed before the session ended"
    )
    page.get_by_role("button", name="Post").click()
    expect(page.locator(".comment__body", has_text="typed before the session")).to_have_count(1)
    expect(page.get_by_role("textbox", name="Comment")).to_have_value("")
    # Liking after the session ended goes the same way.
    other_tab.goto("/")
    log_out(other_tab)
    video_like(page).click()
    expect(page).to_have_url(re.compile(r"/login/\?next="))
