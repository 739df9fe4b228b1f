"""The site under the plain ASGI command, `uvicorn video_project.asgi:application`: pages
(Django's WSGI handler), a live event stream and ranged media, with the task worker running
in the process for as long as the server does."""

import signal
import subprocess
import sys
import time
import urllib.request

from playwright.sync_api import expect

from .conftest import ROOT, Server, free_port, server_env
from .helpers import sign_up, unique_name


class PlainUvicorn(Server):
    """`uvicorn video_project.asgi:application`, after `manage.py prepare` (which `serve` runs
    itself)."""

    def __init__(self, data_dir):
        data_dir.mkdir(parents=True, exist_ok=True)
        self.env, self.data_dir = {}, data_dir
        self.manage("prepare")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = data_dir / "uvicorn.log"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "video_project.asgi:application",
             "--port", str(self.port), "--timeout-graceful-shutdown", "1"],
            cwd=ROOT, env=server_env(data_dir), stdout=self.log_path.open("a"),
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.wait_until_up()


def test_plain_uvicorn_serves_pages_a_live_stream_and_ranged_media(browser, tmp_path):
    from tests.media_files import make_video

    server = PlainUvicorn(tmp_path / "site")
    try:
        # Pages and a form: an upload, processed by the worker the server runs.
        owner = browser.new_context(base_url=server.url)
        page = owner.new_page()
        sign_up(page, unique_name("plain"))
        page.goto("/upload/")
        clip = make_video(tmp_path / "clip.mp4", size="320x240", seconds=1)
        page.get_by_label("Video file").set_input_files(clip)
        page.get_by_label("Title").fill("Plain uvicorn")
        page.get_by_role("button", name="Upload", exact=True).click()
        expect(page.locator("#player video")).to_be_attached(timeout=60_000)
        watch_url = page.url

        # A live event: a comment posted in one browser reaches another over its stream.
        viewer = browser.new_context(base_url=server.url).new_page()
        with viewer.expect_response(lambda r: "/events/v/" in r.url) as stream:
            viewer.goto(watch_url)
        assert stream.value.headers["content-type"].startswith("text/event-stream")
        page.get_by_role("textbox", name="Comment").fill("Served by plain uvicorn")
        page.get_by_role("button", name="Post").click()
        expect(viewer.locator(".comment__body", has_text="Served by plain uvicorn")).to_have_count(
            1, timeout=10_000
        )

        # Ranged media: the first bytes of an MP4 rendition.
        source = page.locator("#player video source[data-quality]").first.get_attribute("src")
        request = urllib.request.Request(  # noqa: S310 (our own server)
            server.url + source, headers={"Range": "bytes=0-99"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            assert response.status == 206
            assert response.headers["Content-Range"].startswith("bytes 0-99/")
            assert len(response.read()) == 100
    finally:
        started = time.monotonic()
        server.stop(signal.SIGTERM)
        assert time.monotonic() - started < 10
