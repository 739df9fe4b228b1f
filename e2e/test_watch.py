import re
from urllib.parse import urljoin

import pytest
from playwright.sync_api import expect

from tests.media_files import make_video

from .conftest import assert_accessible
from .helpers import sign_up, unique_name, wait_until


@pytest.fixture(scope="module")
def hd_clip(tmp_path_factory):
    return make_video(
        tmp_path_factory.mktemp("watch-media") / "Lecture.mp4", size="1280x720", seconds=30
    )


@pytest.fixture(scope="module")
def watch_url(browser, server, hd_clip):
    """A public video with 360p and 720p, uploaded once for this module."""
    context = browser.new_context(base_url=server.url)
    page = context.new_page()
    sign_up(page, unique_name("lecturer"))
    page.goto("/upload/")
    page.get_by_label("Video file").set_input_files(hd_clip)
    page.get_by_label("Description").fill(
        "Intro, then the main part at 0:20.\nNotes: https://example.com/notes"
    )
    page.get_by_label("Tags").fill("lecture")
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.locator("#player video")).to_be_attached(timeout=90_000)
    url = page.url
    context.close()
    # Wait for the 720p rendition too, as visitors see the page (shared, so up to a few
    # seconds behind what its owner sees).
    visitor = browser.new_context(base_url=server.url).new_page()
    for _ in range(180):
        visitor.goto(url)
        if visitor.locator("#video-player source[data-quality]").count() == 2:
            break
        visitor.wait_for_timeout(1000)
    else:
        raise AssertionError("the 720p rendition never came")
    visitor.context.close()
    return url


def video_state(page):
    return page.evaluate(
        "(() => { const v = document.querySelector('#video-player');"
        " return {time: v.currentTime, src: v.currentSrc, paused: v.paused}; })()"
    )


def test_play_and_seek_use_ranges(page, watch_url):
    """The MP4 of a chosen quality (what browsers without Media Source Extensions play)."""
    statuses = []
    page.on("response", lambda r: statuses.append(r.status) if "/media/v/" in r.url else None)
    page.goto(watch_url + "?quality=720p")
    assert_accessible(page)
    page.evaluate("document.querySelector('#video-player').muted = true")
    page.evaluate("document.querySelector('#video-player').play()")
    wait_until(page, "document.querySelector('#video-player').currentTime > 1")
    page.evaluate("document.querySelector('#video-player').currentTime = 25")
    wait_until(page, "document.querySelector('#video-player').currentTime > 25.5")
    assert 206 in statuses


def test_quality_switch_keeps_the_position(page, watch_url):
    page.goto(watch_url)
    page.evaluate("document.querySelector('#video-player').muted = true")
    page.get_by_label("Quality").select_option("360p")
    page.evaluate("document.querySelector('#video-player').play()")
    page.evaluate("document.querySelector('#video-player').currentTime = 12")
    wait_until(page, "document.querySelector('#video-player').currentTime > 12.2")
    page.get_by_label("Quality").select_option("720p")
    wait_until(page, "document.querySelector('#video-player').dataset.playing === '720'")
    wait_until(page, "document.querySelector('#video-player').readyState >= 1")
    state = video_state(page)
    assert state["time"] >= 12
    # The choice is remembered.
    page.reload()
    wait_until(page, "document.querySelector('#video-player').dataset.quality === '720p'")
    expect(page.get_by_label("Quality")).to_have_value("720p")


def test_a_timestamp_link_seeks_the_player(page, watch_url):
    page.goto(watch_url)
    page.evaluate("document.querySelector('#video-player').muted = true")
    page.get_by_role("link", name="0:20").click()
    wait_until(page, "document.querySelector('#video-player').currentTime >= 20")
    assert page.url == watch_url  # seeking, not navigating
    link = page.get_by_role("link", name="https://example.com/notes")
    expect(link).to_have_attribute("rel", "nofollow ugc noopener")


def test_a_shared_link_starts_at_its_time(page, watch_url):
    page.goto(watch_url + "?t=17")
    wait_until(page, "document.querySelector('#video-player').readyState >= 1")
    assert video_state(page)["time"] >= 16.9


def test_keyboard_shortcuts_skip_but_not_while_typing(page, watch_url):
    page.goto(watch_url)
    wait_until(page, "document.querySelector('#video-player').readyState >= 1")
    page.locator("body").press("l")
    wait_until(page, "document.querySelector('#video-player').currentTime >= 10")
    page.get_by_role("searchbox", name="Search").fill("l")
    page.get_by_role("searchbox", name="Search").press("l")
    assert video_state(page)["time"] < 15


def test_resume_where_you_left_off_and_history(page, watch_url):
    sign_up(page, unique_name("viewer"))
    page.goto(watch_url)
    page.evaluate("document.querySelector('#video-player').muted = true")
    page.evaluate("document.querySelector('#video-player').currentTime = 14")
    page.evaluate("document.querySelector('#video-player').play()")
    wait_until(page, "document.querySelector('#video-player').currentTime > 15")
    page.evaluate("document.querySelector('#video-player').pause()")
    page.wait_for_timeout(500)
    page.reload()
    wait_until(page, "document.querySelector('#video-player').readyState >= 1")
    assert video_state(page)["time"] >= 14

    page.get_by_label("Account menu").click()
    page.get_by_role("link", name="History").click()
    expect(page.get_by_role("heading", name="History")).to_be_visible()
    assert_accessible(page)
    expect(page.locator(".history__item")).to_have_count(1)
    page.get_by_role("button", name=re.compile("Remove")).click()
    expect(page.locator(".history__item")).to_have_count(0)


def test_opening_a_watch_page_counts_nothing_five_seconds_of_playback_count_one(
    new_context, server, tmp_path
):
    clip = make_video(tmp_path / "Counted.mp4", size="320x240", seconds=12)
    owner = new_context().new_page()
    view_requests = []
    owner.on("request", lambda r: view_requests.append(r) if r.url.endswith("/view") else None)
    sign_up(owner, unique_name("counted"))
    owner.goto("/upload/")
    owner.get_by_label("Video file").set_input_files(clip)
    owner.get_by_label("Title").fill("Counted once")
    owner.get_by_role("button", name="Upload", exact=True).click()
    # The owner's page turns ready by itself: the player, then the page around it.
    expect(owner.locator("#quality-select")).to_be_attached(timeout=60_000)
    wait_until(owner, "document.querySelector('#video-player').readyState >= 1")
    public_id = owner.url.rsplit("/", 1)[-1]
    channel = owner.locator("a.owner").get_attribute("href")

    def figures() -> tuple[int, int]:
        code = (
            "from video_share.models import Video, WatchProgress; "
            f"v = Video.objects.get(public_id={public_id!r}); "
            "print(v.view_count, WatchProgress.objects.filter(video=v).count())"
        )
        views, history = server.shell(code).split()
        return int(views), int(history)

    viewer = new_context().new_page()
    viewer.on("request", lambda r: view_requests.append(r) if r.url.endswith("/view") else None)
    sign_up(viewer, unique_name("viewer"))
    viewer.goto(channel)
    viewer.get_by_role("link", name="Counted once").click()  # a boosted swap of the page
    expect(viewer.get_by_role("heading", level=1)).to_have_text("Counted once")
    wait_until(viewer, "document.querySelector('#video-player').readyState >= 1")
    viewer.get_by_label("Account menu").click()
    viewer.get_by_role("link", name="History").click()  # leaving the page unplayed
    expect(viewer.get_by_role("heading", name="History")).to_be_visible()
    expect(viewer.locator(".history__item")).to_have_count(0)
    assert view_requests == []
    assert figures() == (0, 0)

    viewer.goto(f"/v/{public_id}")
    wait_until(viewer, "document.querySelector('#video-player').readyState >= 1")
    viewer.evaluate("document.querySelector('#video-player').muted = true")
    viewer.evaluate("document.querySelector('#video-player').play()")
    wait_until(viewer, "document.querySelector('#video-player').currentTime > 6", timeout=20)
    viewer.evaluate("document.querySelector('#video-player').pause()")
    for _ in range(50):
        if figures() == (1, 1):
            break
        viewer.wait_for_timeout(200)
    assert figures() == (1, 1)
    assert [r.method for r in view_requests] == ["POST"]

    # Visitors who are not signed in are known by their address: the first counts, another
    # browser from the same address does not.
    for expected in (2, 2):
        visitor = new_context().new_page()
        visitor.goto(f"/v/{public_id}")
        visitor.evaluate("document.querySelector('#video-player').muted = true")
        with visitor.expect_response(lambda r: r.url.endswith("/view"), timeout=20_000) as sent:
            visitor.evaluate("document.querySelector('#video-player').play()")
        assert sent.value.status == 204
        assert figures()[0] == expected


def test_private_media_fails_in_another_browser(browser, server, new_context, hd_clip):
    owner = new_context().new_page()
    sign_up(owner, unique_name("secret"))
    owner.goto("/upload/")
    owner.get_by_label("Video file").set_input_files(hd_clip)
    owner.get_by_label("Private").check()
    owner.get_by_role("button", name="Upload", exact=True).click()
    expect(owner.locator("#player video")).to_be_attached(timeout=90_000)
    media = owner.evaluate("document.querySelector('#video-player source[data-quality]').src")
    assert owner.request.get(media).status in (200, 206)
    # Its HLS, all the way down: the master, a rendition's playlist, init segment, a segment.
    master = owner.evaluate("document.querySelector('#video-player source[data-hls]').src")
    playlist = urljoin(master, owner.request.get(master).text().split()[-1])
    names = [
        line.split('"')[1] if line.startswith("#EXT-X-MAP") else line
        for line in owner.request.get(playlist).text().splitlines()
        if line.startswith("#EXT-X-MAP") or (line and not line.startswith("#"))
    ]
    hls = [master, playlist, urljoin(playlist, names[0]), urljoin(playlist, names[1])]
    assert [owner.request.get(url).status for url in hls] == [200, 200, 200, 200]

    stranger = new_context()
    assert stranger.request.get(media).status == 404
    assert stranger.request.get(owner.url).status == 404
    assert [stranger.request.get(url).status for url in hls] == [404, 404, 404, 404]


def test_embed_page_and_oembed(page, watch_url, server):
    public_id = watch_url.rsplit("/", 1)[-1]
    response = page.request.get(f"/oembed?url={watch_url}&format=json")
    data = response.json()
    assert data["type"] == "video"
    assert f"/embed/{public_id}" in data["html"]
    embed = page.request.get(f"/embed/{public_id}")
    assert "frame-ancestors *" in embed.headers["content-security-policy"]
    assert "x-frame-options" not in embed.headers
    page.goto(watch_url)
    assert page.locator('link[type="application/json+oembed"]').count() == 1


def hover_scrubber_at(page, fraction_from_left: float):
    slider = page.get_by_role("slider", name=re.compile("Seek|تنقّل"))
    box = slider.bounding_box()
    page.mouse.move(box["x"] + box["width"] * fraction_from_left, box["y"] + box["height"] / 2)
    return slider


def test_scrubbing_shows_the_frame_and_time_under_the_pointer(page, watch_url):
    sheets = []
    page.on("response", lambda r: "storyboard-" in r.url and sheets.append(r.status))
    page.goto(watch_url)
    hover_scrubber_at(page, 0.5)
    expect(page.locator("[data-scrubber-preview]")).to_be_visible()
    expect(page.locator("[data-scrubber-time]")).to_have_text(re.compile(r"^0:1[45]$"))
    frame = page.locator("[data-scrubber-frame]")
    # The 8th frame (14 s, one every 2 s) of the first sheet of 10 × 10: 7 × 160 px in.
    assert frame.evaluate("e => e.style.backgroundPosition") == "-1120px 0px"
    assert "storyboard-" in frame.evaluate("e => e.style.backgroundImage")
    expect(frame).to_have_css("width", "160px")
    assert 200 in sheets
    page.mouse.move(0, 0)
    expect(page.locator("[data-scrubber-preview]")).to_be_hidden()

    # By keyboard: each arrow seeks 5 s, and the slider says where it is.
    slider = page.get_by_role("slider", name="Seek")
    slider.focus()
    page.keyboard.press("ArrowRight")
    expect(slider).to_have_attribute("aria-valuetext", "0:05 of 0:30")
    assert abs(video_state(page)["time"] - 5) < 0.5


def test_scrubbing_runs_right_to_left_in_arabic(new_context, server, watch_url):
    context = new_context()
    context.add_cookies([{"name": "django_language", "value": "ar", "url": server.url}])
    page = context.new_page()
    page.goto(watch_url)
    # A quarter from the left is three quarters along: the bar starts on the right.
    hover_scrubber_at(page, 0.25)
    expect(page.locator("[data-scrubber-time]")).to_have_text(re.compile(r"^0:2[23]$"))


def network(cdp, bytes_per_second: int) -> None:
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": bytes_per_second,
         "uploadThroughput": -1},
    )  # fmt: skip


def playing(page) -> str:
    return page.evaluate("document.querySelector('#video-player').dataset.playing || ''")


@pytest.fixture(scope="module")
def long_watch_url(browser, server, tmp_path_factory):
    """A minute and a half of 720p (360p and 720p, as HLS): long enough that segments are
    still to come when the network changes."""
    from .helpers import upload_clip

    folder = tmp_path_factory.mktemp("hls-media")
    clip = make_video(folder / "Long lecture.mp4", size="1280x720", seconds=90)
    url, _owner = upload_clip(browser, server, folder, "Long lecture", clip=clip)
    visitor = browser.new_context(base_url=server.url).new_page()
    for _ in range(240):
        visitor.goto(url)
        if visitor.locator("#video-player source[data-quality]").count() == 2:
            break
        visitor.wait_for_timeout(1000)
    else:
        raise AssertionError("the 720p rendition never came")
    visitor.context.close()
    return url


def test_hls_follows_the_network_and_a_chosen_quality_holds(new_context, long_watch_url):
    """In Chromium the video plays as HLS through hls.js: higher once the network shows it
    is fast, lower when it is throttled; a quality chosen in the menu stays."""
    page = new_context().new_page()
    fetched = []
    page.on("request", lambda r: "/media/v/" in r.url and fetched.append(r.url.rsplit("/", 1)[-1]))
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    page.goto(long_watch_url)
    expect(page.get_by_label("Quality")).to_have_value("auto")
    page.evaluate("(v => { v.muted = true; v.play(); })(document.querySelector('#video-player'))")
    wait_until(page, "document.querySelector('#video-player').dataset.playing === '720'", 30)
    # Throttled: the next segments are fetched from the lower rendition.
    network(cdp, 30_000)
    since = len(fetched)
    for _ in range(600):
        if any(n.startswith("360p-") and n.endswith(".m4s") for n in fetched[since:]):
            break
        page.wait_for_timeout(100)
    else:
        raise AssertionError(f"no 360p segment once throttled: {fetched[since:]}")
    assert any(name.endswith(".m3u8") for name in fetched)
    assert any(name.endswith(".m4s") for name in fetched)
    assert not any(name.endswith(".mp4") and "-hls-init" not in name for name in fetched)

    # Chosen by hand: 720p, however slow the network.
    network(cdp, -1)
    page.get_by_label("Quality").select_option("720p")
    network(cdp, 40_000)
    wait_until(page, "document.querySelector('#video-player').dataset.playing === '720'", 30)
    page.wait_for_timeout(3000)
    assert playing(page) == "720"
    assert page.evaluate("document.querySelector('#video-player').hls.autoLevelEnabled") is False
    page.get_by_label("Quality").select_option("auto")
    assert page.evaluate("document.querySelector('#video-player').hls.autoLevelEnabled") is True
