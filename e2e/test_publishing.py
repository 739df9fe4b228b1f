"""A video scheduled for later, in Chromium: uploaded with a publish time in the uploader's own
time zone, private until then, then public, with its channel's subscribers told live."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.media_files import make_video

from .helpers import sign_up, unique_name

ZONE = "Asia/Riyadh"  # the uploader's browser's; the server's own is UTC


def test_a_scheduled_video_appears_and_notifies_at_its_time(new_context, tmp_path):
    creator, fan = unique_name("teacher"), unique_name("student")
    student = new_context().new_page()
    sign_up(student, fan)
    teacher = new_context(timezone_id=ZONE).new_page()
    sign_up(teacher, creator)
    student.goto(f"/@{creator}")
    student.get_by_role("button", name="Subscribe").click()
    expect(student.get_by_role("button", name="Unsubscribe")).to_be_visible()

    # The next whole minute at least 20 s away, on the teacher's clock.
    now = datetime.now(ZoneInfo(ZONE))
    at = (now + timedelta(seconds=20) + timedelta(minutes=1)).replace(second=0, microsecond=0)
    teacher.goto("/upload/")
    teacher.get_by_label("Video file").set_input_files(
        make_video(tmp_path / "lesson.mp4", size="320x240", seconds=1)
    )
    teacher.get_by_label("Title").fill("Tomorrow's lesson")
    teacher.get_by_text("Publishing, downloads and comments").click()
    teacher.get_by_label("Publish later").fill(at.strftime("%Y-%m-%dT%H:%M"))
    teacher.get_by_role("button", name="Upload", exact=True).click()
    expect(teacher.locator("#player video")).to_be_attached(timeout=60_000)
    stats = teacher.locator(".watch__stats")
    expect(stats).to_contain_text("Private")
    expect(stats).to_contain_text("Scheduled for")
    expect(stats).to_contain_text(at.strftime("%-I:%M"))  # as the teacher entered it
    url = teacher.url

    visitor = new_context().new_page()
    assert visitor.goto(url).status == 404
    expect(student.locator("#bell-count")).to_be_empty()

    # At its time the worker publishes it, and the student's bell rings, live.
    wait = (at - datetime.now(ZoneInfo(ZONE))).total_seconds() + 30
    expect(student.locator("#bell-count")).to_have_text("1 unread1", timeout=wait * 1000)
    student.get_by_role("link", name="Notifications", exact=True).click()
    expect(student.locator("#bell-panel")).to_contain_text("Tomorrow's lesson")
    for _ in range(10):  # a visitor's copy of a page may be a few seconds behind
        if visitor.goto(url).status == 200:
            break
        visitor.wait_for_timeout(1000)
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Tomorrow's lesson")
    teacher.reload()
    expect(teacher.locator(".watch__stats")).not_to_contain_text(re.compile("Private|Scheduled"))
