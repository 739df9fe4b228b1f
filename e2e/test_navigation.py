"""Moving around the site after a change: each lands on a whole page."""

import re

from playwright.sync_api import expect

from .helpers import log_in, upload_clip


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
