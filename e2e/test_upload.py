import re
import signal
import time

import pytest
from playwright.sync_api import expect

from tests.media_files import make_video

from .conftest import Server, assert_accessible
from .helpers import sign_up, unique_name, wait_until


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    return make_video(tmp_path_factory.mktemp("e2e-media") / "Beach day.mp4", seconds=3)


@pytest.fixture(scope="module")
def big_clip(tmp_path_factory):
    # Large enough that a throttled upload takes a few seconds.
    return make_video(
        tmp_path_factory.mktemp("e2e-media") / "big.mp4", size="1280x720", seconds=8,
        extra=("-b:v", "4M"),
    )  # fmt: skip


def throttle_uploads(page, bytes_per_second):
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 0,
            "downloadThroughput": -1,
            "uploadThroughput": bytes_per_second,
        },
    )
    return cdp


def count_videos(server, title):
    return int(
        server.shell(
            "from video_share.models import Video; "
            f"print(Video.objects.filter(title={title!r}).count())"
        )
    )


def test_upload_shows_progress_then_processes_live_into_a_player(page, server, clip):
    sign_up(page, unique_name("uploader"))
    page.get_by_role("link", name="Upload", exact=True).click()
    expect(page.get_by_role("heading", name="Upload a video")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Video file").set_input_files(clip)
    expect(page.get_by_label("Title")).to_have_value("Beach day")  # from the file name
    page.get_by_label("Tags").fill("sea, sand")
    page.get_by_label("Unlisted").check()
    page.evaluate("window.sameDocument = true")
    page.get_by_role("button", name="Upload", exact=True).click()

    expect(page).to_have_url(re.compile(r"/v/[\w-]{11}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Beach day")
    assert_accessible(page)
    # Processing state then the player, pushed over SSE: the page is never reloaded.
    video = page.locator("#player video")
    expect(video).to_be_visible(timeout=60_000)
    assert page.evaluate("window.sameDocument") is True
    expect(page.get_by_text("Unlisted")).to_be_visible()
    assert_accessible(page)
    # It really plays (H.264 in Debian's Chromium).
    page.evaluate("document.querySelector('#player video').muted = true")
    page.evaluate("document.querySelector('#player video').play()")
    wait_until(page, "document.querySelector('#player video').currentTime > 0.5")


def test_upload_progress_bar_and_cancel_leave_nothing_behind(page, server, big_clip):
    sign_up(page, unique_name("canceller"))
    page.goto("/upload/")
    throttle_uploads(page, 400_000)
    page.get_by_label("Video file").set_input_files(big_clip)
    page.get_by_label("Title").fill("Never mind")
    page.get_by_role("button", name="Upload", exact=True).click()
    bar = page.get_by_role("progressbar", name="Upload progress")
    expect(bar).to_be_visible()
    wait_until(page, "document.querySelector('[data-upload-progress] progress').value >= 5")
    expect(page.locator("[data-upload-text]")).to_contain_text("left")
    page.get_by_role("button", name="Cancel").click()
    expect(page.locator("#id_file-errors")).to_contain_text("Upload cancelled")
    expect(bar).to_be_hidden()
    time.sleep(1)
    assert count_videos(server, "Never mind") == 0
    leftovers = list((server.data_dir / "tmp").iterdir())
    assert leftovers == []


def test_a_file_that_is_not_a_video_is_refused_in_the_browser(page, server, tmp_path):
    sign_up(page, unique_name("wrong"))
    page.goto("/upload/")
    notes = tmp_path / "notes.mp4"
    notes.write_text("not a video " * 500)
    page.get_by_label("Video file").set_input_files(notes)
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.locator("#id_file-errors")).to_contain_text("not a video we can read")
    assert count_videos(server, "notes") == 0


def test_an_oversized_file_is_refused_before_sending(page, server, tmp_path):
    sign_up(page, unique_name("huge"))
    page.goto("/upload/")
    page.evaluate("document.querySelector('#id_file').dataset.maxBytes = '1000'")
    too_big = tmp_path / "x.mp4"
    too_big.write_bytes(b"0" * 5000)
    page.get_by_label("Video file").set_input_files(too_big)
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.locator("#id_file-errors")).to_contain_text("larger than the limit")


def test_upload_without_javascript(new_context, server, clip):
    page = new_context(java_script_enabled=False).new_page()
    name = unique_name("plain")
    sign_up(page, name)
    page.goto("/upload/")
    page.get_by_label("Video file").set_input_files(clip)
    page.get_by_label("Title").fill("No script")
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("No script")
    # The page refreshes itself while processing, until the player is there.
    expect(page.locator("#player video")).to_be_attached(timeout=60_000)


def test_a_job_killed_mid_way_is_retried_after_restart(browser, tmp_path_factory, tmp_path):
    data_dir = tmp_path_factory.mktemp("restart-site")
    slow = make_video(tmp_path / "slow.mp4", size="1920x1080", seconds=20, extra=("-b:v", "6M"))
    server = Server(data_dir, VIDEO_SHARE_STALE_JOB_SECONDS="4")
    try:
        context = browser.new_context(base_url=server.url)
        page = context.new_page()
        sign_up(page, unique_name("phoenix"))
        page.goto("/upload/")
        page.get_by_label("Video file").set_input_files(slow)
        page.get_by_role("button", name="Upload", exact=True).click()
        expect(page.locator("#player")).to_contain_text("Converting to 360p", timeout=30_000)
        server.stop(signal.SIGKILL)
        context.close()

        server = Server(data_dir, VIDEO_SHARE_STALE_JOB_SECONDS="4")
        status = ""
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            status = server.shell(
                "from video_share.models import Video; v = Video.objects.get(); "
                "print(v.status, v.attempts)"
            )
            if status.startswith("ready"):
                break
            time.sleep(1)
        assert status.startswith("ready"), status
    finally:
        server.stop(signal.SIGKILL)
