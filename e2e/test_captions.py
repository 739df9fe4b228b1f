"""Captions and chapters in Chromium: the owner uploads caption files through their page, a
viewer switches them with the Subtitles button, search finds a word said only in them; the
description's chapters are listed, seek the player and mark the seek bar."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.media_files import make_video

from .conftest import SCREENSHOTS, assert_accessible
from .helpers import log_in, upload_clip, wait_until

ARABIC = """1
00:00:00,000 --> 00:00:06,000
مرحبا بكم في محاضرة الضوء

2
00:00:06,000 --> 00:00:12,000
شكرا للاستماع
"""
ENGLISH = """WEBVTT

00:00.000 --> 00:06.000
Welcome to the chlorophyll lecture

00:06.000 --> 00:12.000
Thanks for listening
"""
DESCRIPTION = "A short lecture.\n\n0:00 Intro\n0:04 Middle part\n0:08 Questions"
PLAYER = "document.querySelector('#video-player')"


@pytest.fixture(scope="module")
def lecture(browser, server, tmp_path_factory):
    """A public 12 s video with chapters in its description; (watch URL, owner's name)."""
    folder = tmp_path_factory.mktemp("captions")
    clip = make_video(folder / "lecture.mp4", size="320x240", seconds=12)
    return upload_clip(browser, server, folder, "Light and plants", clip, DESCRIPTION)


def caption_file(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def until_tracks(page, url: str, count: int) -> None:
    """Open the watch page until it has `count` subtitle tracks (a shared page may lag a few
    seconds behind a change)."""
    for _ in range(30):
        page.goto(url)
        if page.locator("#video-player track[kind=subtitles]").count() == count:
            return
        page.wait_for_timeout(500)
    raise AssertionError(f"the page never had {count} subtitle tracks")


def showing(page) -> list[str]:
    """The languages of the subtitle tracks showing now."""
    return page.evaluate(
        f"Array.from({PLAYER}.textTracks).filter(t => t.kind === 'subtitles'"
        " && t.mode === 'showing').map(t => t.language)"
    )


def active_cue(page) -> str:
    return page.evaluate(
        f"(() => {{ const t = Array.from({PLAYER}.textTracks).find(t => t.kind === 'subtitles'"
        " && t.mode === 'showing'); return t && t.activeCues && t.activeCues.length"
        " ? t.activeCues[0].text : ''; })()"
    )


def test_owner_uploads_captions_and_a_viewer_switches_them(new_context, server, lecture, tmp_path):
    url, owner = lecture
    SCREENSHOTS.mkdir(exist_ok=True)
    page = new_context().new_page()
    log_in(page, owner)
    page.goto(url)
    page.get_by_role("navigation", name="Video tools").get_by_role("link", name="Captions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Captions")
    assert_accessible(page)

    # A file that is not captions is refused, saying why.
    page.get_by_label("Caption file").set_input_files(caption_file(tmp_path, "notes.srt", "Hi"))
    page.get_by_role("button", name="Upload captions").click()
    expect(page.get_by_text("This is not a subtitle file we can read.")).to_be_visible()

    page.get_by_label("Caption file").set_input_files(caption_file(tmp_path, "ar.srt", ARABIC))
    page.get_by_label("Language").select_option("ar")
    page.get_by_role("button", name="Upload captions").click()
    expect(page.get_by_text("“Arabic” captions added.")).to_be_visible()
    page.get_by_label("Caption file").set_input_files(caption_file(tmp_path, "en.vtt", ENGLISH))
    page.get_by_label("Language").last.select_option("en")
    page.get_by_role("button", name="Upload captions").click()
    expect(page.get_by_text("“English” captions added.")).to_be_visible()
    # One too many: deleted in place.
    page.get_by_label("Caption file").set_input_files(caption_file(tmp_path, "fr.vtt", ENGLISH))
    page.get_by_label("Language").last.select_option("fr")
    page.get_by_role("button", name="Upload captions").click()
    expect(page.locator(".caption-item")).to_have_count(3)
    page.get_by_role("button", name="Delete French").click()
    expect(page.locator("#caption-status")).to_have_text("“French” captions deleted.")
    expect(page.locator(".caption-item")).to_have_count(2)

    # A viewer reading the site in English gets the English ones on at first.
    viewer = new_context().new_page()
    until_tracks(viewer, url, 2)
    toggle = viewer.get_by_role("button", name="Subtitles", exact=True)
    expect(toggle).to_have_attribute("aria-pressed", "true")
    wait_until(viewer, f"{PLAYER}.readyState >= 1")
    viewer.evaluate(f"{PLAYER}.currentTime = 1")
    wait_until(viewer, f"{PLAYER}.currentTime >= 1")
    assert showing(viewer) == ["en"]
    wait_until(viewer, f"Array.from({PLAYER}.textTracks).some(t => t.activeCues?.length)")
    assert active_cue(viewer) == "Welcome to the chlorophyll lecture"
    assert_accessible(viewer)

    # They switch to Arabic, then off with the button, then on again with the C key.
    viewer.get_by_label("Subtitles language").select_option(label="Arabic")
    wait_until(
        viewer,
        f"Array.from({PLAYER}.textTracks).some(t => t.language === 'ar' && t.activeCues?.length)",
    )
    assert showing(viewer) == ["ar"]
    assert active_cue(viewer) == "مرحبا بكم في محاضرة الضوء"
    viewer.screenshot(path=SCREENSHOTS / "captions-arabic-cue-en-page.png")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "false")
    assert showing(viewer) == []
    viewer.locator("body").press("c")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    assert showing(viewer) == ["ar"]
    # The choice is remembered for the next video.
    viewer.reload()
    expect(viewer.get_by_role("button", name="Subtitles", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    assert showing(viewer) == ["ar"]

    # Search finds the video by a word said only in its captions.
    viewer.goto("/search?q=chlorophyll")
    expect(
        viewer.locator("main").get_by_role("link", name="Light and plants").first
    ).to_be_visible()

    # A viewer reading the site in Arabic gets the Arabic ones on at first, right to left.
    reader = new_context(extra_http_headers={"Accept-Language": "ar"}).new_page()
    until_tracks(reader, url, 2)
    expect(reader.locator("html")).to_have_attribute("dir", "rtl")
    wait_until(reader, f"{PLAYER}.readyState >= 1")
    reader.evaluate(f"{PLAYER}.currentTime = 7")
    wait_until(reader, f"Array.from({PLAYER}.textTracks).some(t => t.activeCues?.length)")
    assert showing(reader) == ["ar"]
    assert active_cue(reader) == "شكرا للاستماع"
    reader.screenshot(path=SCREENSHOTS / "captions-arabic-page.png")
    page.context.set_extra_http_headers({"Accept-Language": "ar"})
    page.reload()
    page.screenshot(path=SCREENSHOTS / "captions-page-arabic.png", full_page=True)


def test_chapters_are_listed_seek_the_player_and_mark_the_seek_bar(new_context, lecture):
    url, _owner = lecture
    page = new_context().new_page()
    page.goto(url)
    chapters = page.get_by_role("region", name="Chapters")
    expect(chapters.get_by_role("link")).to_have_count(3)
    expect(page.locator(".scrubber__mark")).to_have_count(2)
    page.evaluate(f"{PLAYER}.muted = true")
    chapters.get_by_role("link", name="0:04 Middle part").click()
    wait_until(page, f"{PLAYER}.currentTime >= 4")
    assert page.url == url  # seeking, not navigating
    expect(chapters.locator("[data-chapter-now]")).to_have_text("Middle part")
    expect(chapters.get_by_role("link", name="0:04 Middle part")).to_have_attribute(
        "aria-current", "true"
    )
    # The marks sit where the chapters start: a third and two thirds along the bar.
    bar = page.locator(".scrubber__range").bounding_box()
    marks = [
        box["x"] - bar["x"]
        for box in (m.bounding_box() for m in page.locator(".scrubber__mark").all())
    ]
    assert [round(x / bar["width"], 1) for x in marks] == [0.3, 0.7]
    page.screenshot(path=SCREENSHOTS / "chapters-english.png")
    assert_accessible(page)


def test_without_javascript_a_chapter_is_a_link_that_starts_the_video_there(new_context, lecture):
    url, _owner = lecture
    page = new_context(java_script_enabled=False).new_page()
    page.goto(url)
    page.get_by_role("region", name="Chapters").get_by_role("link", name="0:08 Questions").click()
    page.wait_for_url(url + "?t=8")
    expect(page.locator("#video-player source[type='video/mp4']").first).to_have_attribute(
        "src", re.compile(r"#t=8$")
    )
