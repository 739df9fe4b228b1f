import hashlib
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


def start_throttled_upload(page, clip, title):
    page.goto("/upload/")
    throttle_uploads(page, 400_000)
    page.get_by_label("Video file").set_input_files(clip)
    page.get_by_label("Title").fill(title)
    page.get_by_role("button", name="Upload", exact=True).click()
    wait_until(page, "document.querySelector('[data-upload-progress] progress').value >= 5")


def chosen_files(page) -> int:
    return page.evaluate("document.querySelector('#id_file').files.length")


def test_a_tag_error_is_shown_before_the_file_is_sent_and_the_file_stays_chosen(page, server, clip):
    sign_up(page, unique_name("tagger"))
    page.goto("/upload/")
    sent = []
    # The file goes by the resumable protocol (a creation, then PATCHes of its bytes).
    page.on("request", lambda r: "/upload/files/" in r.url and sent.append(r.method))
    page.get_by_label("Video file").set_input_files(clip)
    page.get_by_label("Tags").fill("maths, x")
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.locator("#id_tags_text-errors")).to_contain_text("2 to 30 characters")
    assert sent == []
    assert chosen_files(page) == 1
    expect(page.get_by_label("Tags")).to_be_focused()
    assert_accessible(page)

    page.get_by_label("Tags").fill("maths, xy")
    page.get_by_label("Tags").blur()  # checked again on change: the error goes
    expect(page.locator("#id_tags_text-errors")).to_be_empty()
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page).to_have_url(re.compile(r"/v/[\w-]{11}$"), timeout=30_000)
    assert sent == ["POST", "PATCH"]
    assert count_videos(server, "Beach day") >= 1


def test_a_file_refused_by_the_server_stays_chosen(page, server, tmp_path):
    sign_up(page, unique_name("stays"))
    page.goto("/upload/")
    notes = tmp_path / "notes.mp4"
    notes.write_text("not a video " * 500)
    page.get_by_label("Video file").set_input_files(notes)
    page.get_by_label("Title").fill("Kept title")
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.locator("#id_file-errors")).to_contain_text(
        "not a video we can read", timeout=30_000
    )
    assert chosen_files(page) == 1
    expect(page.get_by_label("Title")).to_have_value("Kept title")
    expect(page.get_by_role("button", name="Upload", exact=True)).to_be_enabled()


def test_leaving_mid_upload_asks_first_and_then_says_what_happened(page, server, big_clip):
    sign_up(page, unique_name("leaver"))
    start_throttled_upload(page, big_clip, "Left behind")
    dialogs = []

    def answer(accept):
        def handle(dialog):
            dialogs.append((dialog.type, dialog.message))
            dialog.accept() if accept else dialog.dismiss()

        return handle

    # A boosted link (the logo): asked in the page's words; staying keeps the upload going.
    page.once("dialog", answer(False))
    page.locator(".brand").click()
    expect(page.get_by_role("progressbar", name="Upload progress")).to_be_visible()
    assert dialogs[-1][0] == "confirm"
    assert "still uploading" in dialogs[-1][1]
    before = page.evaluate("document.querySelector('[data-upload-progress] progress').value")
    wait_until(page, f"document.querySelector('[data-upload-progress] progress').value > {before}")

    # A full page load (the language switch is not boosted): the browser's own warning.
    page.once("dialog", answer(False))
    page.locator(".language-switcher button").click(no_wait_after=True)
    for _ in range(100):
        if len(dialogs) == 2:
            break
        page.wait_for_timeout(100)
    assert dialogs[-1][0] == "beforeunload"
    expect(page.get_by_role("progressbar", name="Upload progress")).to_be_visible()

    # Leaving anyway: the next page says the upload paused, and where to go on.
    page.once("dialog", answer(True))
    page.locator(".brand").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator(".messages")).to_contain_text(
        "The upload of “Left behind” paused because you left the upload page. "
        "Choose the same file again to go on from where it stopped."
    )
    time.sleep(1)
    assert count_videos(server, "Left behind") == 0


def test_a_dropped_connection_mid_upload_says_so_and_retry_uploads(page, server, big_clip):
    sign_up(page, unique_name("offline"))
    cdp = page.context.new_cdp_session(page)
    page.goto("/upload/")
    start_throttled_upload(page, big_clip, "Second try")
    page.context.set_offline(True)
    expect(page.locator("#id_file-errors")).to_contain_text("The connection was lost")
    expect(page.get_by_role("progressbar", name="Upload progress")).to_be_hidden()
    retry = page.get_by_role("button", name="Retry")
    expect(retry).to_be_visible()
    assert chosen_files(page) == 1

    page.context.set_offline(False)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    retry.click()
    expect(page).to_have_url(re.compile(r"/v/[\w-]{11}$"), timeout=30_000)
    expect(page.get_by_role("heading", level=1)).to_have_text("Second try")


def test_the_page_after_an_upload_shows_its_message_below_the_sticky_header(
    new_context, server, clip
):
    page = new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_up(page, unique_name("lands"))
    page.goto("/upload/")
    page.get_by_label("Video file").set_input_files(clip)
    page.get_by_label("Description").fill("A long description.\n" * 40)
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.get_by_role("button", name="Upload", exact=True).click()
    message = page.locator(".message--success")
    expect(message).to_contain_text("Upload complete", timeout=30_000)
    header = page.locator(".site-header").bounding_box()
    box = message.bounding_box()
    assert box["y"] >= header["y"] + header["height"]
    assert box["y"] + box["height"] <= 844


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_drop_zone_fits_a_phone(new_context, server, language):
    context = new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_up(page, unique_name("narrow"))
    context.add_cookies([{"name": "django_language", "value": language, "url": server.url}])
    page.goto("/upload/")
    zone = page.locator("[data-dropzone]").bounding_box()
    for child in page.locator("[data-dropzone] > :not(.visually-hidden, input)").all():
        if not child.is_visible():
            continue
        box = child.bounding_box()
        assert zone["x"] <= box["x"]
        assert box["x"] + box["width"] <= zone["x"] + zone["width"]


def test_the_file_picker_speaks_arabic_and_works_by_keyboard_and_by_drop(new_context, server, clip):
    from django.utils import translation

    from video_share.templatetags.video_share import decimal_size

    with translation.override("ar"):
        choose = translation.gettext("Choose a video file")
        nothing = translation.gettext("No file chosen yet.")
        size = decimal_size(clip.stat().st_size)
    context = new_context()
    page = context.new_page()
    sign_up(page, unique_name("picker"))
    context.add_cookies([{"name": "django_language", "value": "ar", "url": server.url}])
    page.goto("/upload/")
    picker = page.get_by_label(choose)
    expect(picker).to_have_attribute("type", "file")
    button = page.locator("label.file-picker__button")
    expect(button).to_be_visible()
    expect(button).to_have_text(choose)
    assert picker.bounding_box()["width"] <= 1  # the browser's English control is not shown
    expect(page.locator("[data-file-name]")).to_have_text(nothing)
    assert_accessible(page)

    # Reached with Tab from the page's first field; the button shows the focus.
    page.get_by_label("العنوان").focus()
    page.keyboard.press("Shift+Tab")
    expect(picker).to_be_focused()
    assert button.evaluate("e => getComputedStyle(e).outlineStyle") != "none"

    picker.set_input_files(clip)
    expect(page.locator("[data-file-name]")).to_have_text(f"Beach day.mp4 ({size})")

    page.locator("[data-dropzone]").evaluate(
        """zone => {
          const data = new DataTransfer();
          data.items.add(new File([new Uint8Array(2500)], "dropped.mp4", {type: "video/mp4"}));
          const drop = {dataTransfer: data, bubbles: true, cancelable: true};
          zone.dispatchEvent(new DragEvent("drop", drop));
        }"""
    )
    expect(page.locator("[data-file-name]")).to_contain_text("dropped.mp4")
    assert chosen_files(page) == 1


def source_digest(server, title) -> str:
    return server.shell(
        "import hashlib; from video_share.models import Video; "
        f"video = Video.objects.get(title={title!r}); "
        "print(hashlib.sha256(video.source.read()).hexdigest())"
    )


def progress(page) -> int:
    return page.evaluate("document.querySelector('[data-upload-progress] progress').value")


def test_an_upload_cut_off_then_chosen_again_after_a_reload_goes_on_where_it_stopped(
    page, server, big_clip
):
    """The connection dies at about 30%; the page is reloaded (the file selection is gone,
    as after closing the tab); the same file chosen again goes on from the server's offset,
    and the stored source is the file, byte for byte."""
    name = unique_name("resumer")
    sign_up(page, name)
    start_throttled_upload(page, big_clip, "Resumed lecture")
    wait_until(page, "document.querySelector('[data-upload-progress] progress').value >= 30")
    page.context.set_offline(True)
    expect(page.locator("#id_file-errors")).to_contain_text("What was sent is kept")
    reached = progress(page) or 30
    page.context.set_offline(False)
    page.reload()
    assert count_videos(server, "Resumed lecture") == 0
    kept = int(
        server.shell(
            "from video_share.models import PartialUpload; "
            f"print(PartialUpload.objects.get(owner__username={name!r}).offset)"
        )
    )
    size = big_clip.stat().st_size
    assert size * 0.2 < kept < size

    sent = []
    page.on(
        "request",
        lambda r: r.method == "PATCH" and sent.append(int(r.headers["upload-offset"])),
    )
    throttle_uploads(page, 400_000)
    page.get_by_label("Video file").set_input_files(big_clip)
    page.get_by_label("Title").fill("Resumed lecture")
    page.get_by_role("button", name="Upload", exact=True).click()
    # The bar starts where the server had it, not at zero.
    wait_until(page, "document.querySelector('[data-upload-progress] progress').value > 0")
    assert progress(page) >= min(reached, kept * 100 // size) - 1
    expect(page).to_have_url(re.compile(r"/v/[\w-]{11}$"), timeout=60_000)
    assert sent
    assert sent[0] == kept  # nothing sent twice
    whole = hashlib.sha256(big_clip.read_bytes()).hexdigest()
    assert source_digest(server, "Resumed lecture") == whole


def test_the_owner_is_told_live_what_is_still_being_made(page, server, tmp_path):
    """Once the first rendition plays, the owner's page says which step runs now (the
    scrub previews, the 720p) and how far it is, live, until nothing is left to make."""
    lecture = make_video(tmp_path / "Still cooking.mp4", size="1280x720", seconds=20)
    sign_up(page, unique_name("cook"))
    page.goto("/upload/")
    page.get_by_label("Video file").set_input_files(lecture)
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.locator("#player video")).to_be_visible(timeout=60_000)
    work = page.locator("[id^=video-work-]")
    expect(work).to_contain_text(
        re.compile(r"(Converting to 720p|Making the scrub previews)… \d+% done"), timeout=30_000
    )
    expect(work).to_have_text("", timeout=120_000)
    assert page.locator("#video-player source[data-quality]").count() >= 1
