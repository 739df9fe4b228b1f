"""Portrait, square and wide videos are shown whole, with their controls in view, on a laptop
and on a phone, in both languages; the box has the video's shape before the video loads."""

import pytest
from playwright.sync_api import expect

from tests.media_files import make_video, rotate

from .conftest import SCREENSHOTS
from .helpers import upload_clip, wait_until

SCREENS = {"laptop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(scope="module")
def shaped(browser, server, tmp_path_factory):
    folder = tmp_path_factory.mktemp("shapes")
    wide = make_video(folder / "wide.mp4", size="640x360", seconds=1)
    clips = {
        "portrait": make_video(folder / "portrait.mp4", size="360x640", seconds=1),
        # A phone's clip: stored wide, shown upright.
        "rotated": rotate(wide, folder / "rotated.mp4", 90),
        "square": make_video(folder / "square.mp4", size="480x480", seconds=1),
        "wide": wide,
    }
    return {
        name: upload_clip(browser, server, folder, f"A {name} clip", clip=clip)[0]
        for name, clip in clips.items()
    }


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("screen", ["laptop", "phone"])
@pytest.mark.parametrize("shape", ["portrait", "rotated", "square", "wide"])
def test_the_whole_frame_and_the_controls_are_in_view(new_context, shaped, shape, screen, language):
    context = new_context(
        viewport=SCREENS[screen], extra_http_headers={"Accept-Language": language}
    )
    page = context.new_page()
    page.goto(shaped[shape])
    video = page.locator("#video-player")
    # The box's shape is reserved from the stored dimensions before anything loads...
    reserved = page.evaluate(
        "() => { const v = document.getElementById('video-player');"
        " return [v.getAttribute('width'), v.getAttribute('height')]; }"
    )
    wait_until(page, "document.getElementById('video-player').videoWidth > 0")
    natural = page.evaluate(
        "() => { const v = document.getElementById('video-player');"
        " return [v.videoWidth, v.videoHeight]; }"
    )
    # ... and it is the shape the browser finds in the file (a rotated clip stands upright).
    assert abs(int(reserved[0]) / int(reserved[1]) - natural[0] / natural[1]) < 0.02
    if shape in ("portrait", "rotated"):
        assert natural[1] > natural[0]
    video.scroll_into_view_if_needed()
    box = video.bounding_box()
    player = page.locator("#player").bounding_box()
    viewport = SCREENS[screen]
    # The element is not cut by its box, and all of it (its control bar along its bottom edge)
    # fits on the screen at once.
    assert box["height"] <= player["height"] + 1
    assert box["width"] <= player["width"] + 1
    assert box["height"] <= viewport["height"] * 0.8
    assert box["width"] <= viewport["width"]
    # The frame is drawn inside it whole (pillarboxed on a laptop, as the big sites do); on a
    # phone an upright video fills most of its box instead of a thin strip in a wide one.
    scale = min(box["width"] / natural[0], box["height"] / natural[1])
    drawn = (natural[0] * scale, natural[1] * scale)
    if screen == "phone":
        assert drawn[0] * drawn[1] >= 0.5 * box["width"] * box["height"]
    expect(page.locator("html")).to_have_attribute("lang", language)
    if screen == "phone" or shape == "portrait":
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"player-{shape}-{screen}-{language}.png")
