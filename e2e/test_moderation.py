"""Moderation in the browser: a report reaches a staff member's open page live, is handled
from the queue and logged; and blocking someone hides their comments for the blocker alone."""

import pytest
from playwright.sync_api import expect

from .conftest import assert_accessible
from .helpers import sign_up, unique_name, upload_clip


@pytest.fixture(scope="module")
def video_url(browser, server, tmp_path_factory):
    return upload_clip(browser, server, tmp_path_factory.mktemp("moderated"), "Moderated talk")


def new_user(new_context, name, **options):
    page = new_context(**options).new_page()
    username = unique_name(name)
    sign_up(page, username)
    return page, username


def post_comment(page, url, text):
    page.goto(url)
    page.get_by_role("textbox", name="Comment").fill(text)
    page.get_by_role("button", name="Post").click()
    expect(page.locator(".comment__body", has_text=text)).to_have_count(1)


def test_a_report_reaches_the_staff_badge_live_and_is_hidden_from_the_queue(
    new_context, server, video_url
):
    url, _owner = video_url
    staff, staff_name = new_user(new_context, "mod")
    server.shell(
        "from video_share.models import User; "
        f"User.objects.filter(username={staff_name!r}).update(is_staff=True)"
    )
    staff.goto("/")
    badge = staff.locator("#reports-count")
    expect(badge).to_be_attached()
    before = badge.inner_text().strip()
    staff.evaluate("window.sameDocument = true")

    author, _ = new_user(new_context, "author")
    post_comment(author, url, "Buy cheap pills now")
    reporter, _ = new_user(new_context, "reporter")
    reporter.goto(url)
    comment = reporter.locator(".comment", has_text="Buy cheap pills now")
    comment.get_by_role("link", name="Report").click()
    reporter.get_by_label("Spam or misleading").check()
    reporter.get_by_role("button", name="Send report").click()
    expect(reporter.get_by_text("Thank you. A moderator will look at it.")).to_be_visible()

    # The staff page, untouched, hears of it.
    expect(badge).not_to_have_text(before)
    expect(badge.locator(".visually-hidden")).to_contain_text("to review")
    assert staff.evaluate("window.sameDocument") is True

    staff.get_by_role("link", name="Moderation").first.click()
    expect(staff.get_by_role("heading", name="Moderation", level=1)).to_be_visible()
    item = staff.locator(".reported", has_text="Buy cheap pills now")
    expect(item).to_contain_text("Reported by 1 person")
    expect(item).to_contain_text("Spam or misleading")
    assert_accessible(staff)
    item.get_by_label("Reason").fill("Advertising")
    item.get_by_role("button", name="Hide", exact=True).click()
    expect(staff.get_by_text("It is hidden.")).to_be_visible()
    expect(staff.locator(".reported", has_text="Buy cheap pills now")).to_have_count(0)

    staff.get_by_role("link", name="Log", exact=True).click()
    row = staff.locator(".moderation-log tbody tr").first
    expect(row).to_contain_text("Hid")
    expect(row).to_contain_text("Buy cheap pills now")
    expect(row).to_contain_text("Advertising")
    expect(row).to_contain_text(f"@{staff_name}")
    assert_accessible(staff)

    # Hidden for everyone, the reporter included.
    reporter.goto(url)
    expect(reporter.locator(".comment__body", has_text="Buy cheap pills now")).to_have_count(0)


def test_a_blocked_persons_comment_disappears_for_the_blocker_only(new_context, video_url):
    url, _owner = video_url
    mallory, mallory_name = new_user(new_context, "mallory")
    post_comment(mallory, url, "Before the block")
    alice, _ = new_user(new_context, "alice")
    carol, _ = new_user(new_context, "carol")

    alice.goto(f"/@{mallory_name}")
    alice.get_by_role("button", name="Block", exact=True).click()
    expect(alice.get_by_text("You blocked")).to_be_visible()
    expect(alice.get_by_role("button", name="Unblock")).to_be_visible()

    alice.goto(url)
    carol.goto(url)
    expect(carol.locator(".comment__body", has_text="Before the block")).to_have_count(1)
    expect(alice.locator(".comment__body", has_text="Before the block")).to_have_count(0)
    # Both pages' streams are open before the next comment.
    alice.wait_for_timeout(500)

    mallory.get_by_role("textbox", name="Comment").fill("After the block")
    mallory.get_by_role("button", name="Post").click()
    expect(carol.locator(".comment__body", has_text="After the block")).to_have_count(1)
    # A comment by someone else, posted after it, reaches Alice: hers came and went unseen.
    post_comment(carol, url, "Carol was here")
    expect(alice.locator(".comment__body", has_text="Carol was here")).to_have_count(1)
    expect(alice.locator(".comment__body", has_text="After the block")).to_have_count(0)

    # Unblocked: everything is back.
    alice.goto("/account/blocked/")
    alice.get_by_role("button", name="Unblock").click()
    expect(alice.get_by_text("You unblocked")).to_be_visible()
    alice.goto(url)
    expect(alice.locator(".comment__body", has_text="After the block")).to_have_count(1)
