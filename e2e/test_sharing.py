"""The Share panel of the watch page, in Chromium: the link, the link at the current time and
the embed code, each copied to the clipboard; the embed code plays on another site from its
start time; without JavaScript, fields to select."""

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from tests.media_files import make_video

from .conftest import assert_accessible
from .helpers import upload_clip, wait_until


@pytest.fixture(scope="module")
def watch_url(browser, server, tmp_path_factory):
    """A public, processed video of 12 seconds."""
    folder = tmp_path_factory.mktemp("sharing")
    clip = make_video(folder / "clip.mp4", size="640x360", seconds=12)
    url, _owner = upload_clip(browser, server, folder, "Swifts at dusk", clip)
    return url


def clipboard(page) -> str:
    return page.evaluate("navigator.clipboard.readText()")


def open_share(page):
    page.get_by_text("Share", exact=True).click()
    return page.locator("details.share")


def test_share_copies_the_link_the_link_at_the_current_time_and_the_embed_code(
    new_context, watch_url
):
    context = new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(watch_url)
    wait_until(page, "document.querySelector('#video-player').readyState >= 1")
    panel = open_share(page)
    status = panel.get_by_role("status")
    at_time = panel.get_by_label("Start at the current time")
    expect(at_time).not_to_be_checked()  # at the start: the plain link
    assert_accessible(page)

    panel.get_by_role("button", name="Copy link").click()
    expect(status).to_have_text("Copied")
    assert clipboard(page) == watch_url

    # Playing on to 7 s, then asking for the current time.
    page.evaluate("document.querySelector('#video-player').currentTime = 7")
    wait_until(page, "document.querySelector('#video-player').currentTime >= 7")
    at_time.check()
    expect(panel.get_by_label("Link to this video")).to_have_value(f"{watch_url}?t=7")
    panel.get_by_role("button", name="Copy link").click()
    expect(status).to_have_text("Copied")
    assert clipboard(page) == f"{watch_url}?t=7"

    public_id = watch_url.rsplit("/", 1)[-1]
    page.evaluate("navigator.clipboard.writeText('')")
    panel.get_by_role("button", name="Copy embed code").click()
    expect(status).to_have_text("Copied")
    code = clipboard(page)
    embed_url = watch_url.replace(f"/v/{public_id}", f"/embed/{public_id}")
    assert code.startswith(f'<iframe src="{embed_url}?t=7" width="640" height="360"')
    assert 'title="Swifts at dusk"' in code

    # Unchecked: back to the plain link and embed code.
    at_time.uncheck()
    expect(panel.get_by_label("Link to this video")).to_have_value(watch_url)
    expect(panel.get_by_label("Embed code")).to_have_value(re.compile(f'src="{embed_url}"'))


@pytest.fixture
def other_site():
    """Another site (another origin: a port of its own) whose page holds what `publish` is
    given, at the URL it returns."""
    pages = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            body = pages.get(self.path, "").encode()
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    site = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=site.serve_forever, daemon=True).start()

    def publish(html: str) -> str:
        pages["/post.html"] = f"<!doctype html><html lang=en><title>Post</title>{html}</html>"
        return f"http://127.0.0.1:{site.server_port}/post.html"

    yield publish
    site.shutdown()


def test_the_embed_code_plays_on_another_site_from_its_start_time(
    new_context, watch_url, other_site
):
    page = new_context().new_page()
    page.goto(watch_url)
    open_share(page)
    code = page.get_by_label("Embed code").input_value()
    src = re.search(r'src="([^"]+)"', code).group(1)
    page.goto(other_site(code.replace(f'src="{src}"', f'src="{src}?t=5"')))
    expect(page.frame_locator("iframe").locator("#video-player")).to_be_attached()
    embedded = next(frame for frame in page.frames if "/embed/" in frame.url)

    def until(expression: str):
        for _ in range(100):
            if embedded.evaluate(expression):
                return
            page.wait_for_timeout(100)
        raise AssertionError(f"still false: {expression}")

    until("document.querySelector('#video-player').readyState >= 1")
    assert embedded.evaluate("document.querySelector('#video-player').currentTime") >= 5
    embedded.evaluate(
        "(() => { const v = document.querySelector('#video-player'); v.muted = true;"
        " return v.play(); })()"
    )
    until("document.querySelector('#video-player').currentTime > 5.5")


def test_without_javascript_the_share_panel_offers_fields_to_select(new_context, watch_url):
    page = new_context(java_script_enabled=False).new_page()
    page.goto(watch_url)
    panel = open_share(page)
    link = panel.get_by_label("Link to this video")
    embed = panel.get_by_label("Embed code")
    expect(link).to_have_value(watch_url)
    expect(link).to_have_attribute("readonly", "")
    expect(embed).to_have_value(re.compile(r'^<iframe src="[^"]+/embed/[\w-]+" '))
    expect(embed).to_have_attribute("readonly", "")
    # Copy buttons and the current time need the script: not offered without it.
    expect(panel.get_by_role("button", name="Copy link")).to_be_hidden()
    expect(panel.get_by_role("button", name="Copy embed code")).to_be_hidden()
    expect(panel.get_by_label("Start at the current time")).to_be_hidden()
    # Selectable: a click and select-all take the whole code.
    embed.click()
    embed.press("Control+a")
    selected = page.evaluate(
        "(() => { const f = document.getElementById('share-embed');"
        " return f.value.slice(f.selectionStart, f.selectionEnd); })()"
    )
    assert selected == embed.input_value()
