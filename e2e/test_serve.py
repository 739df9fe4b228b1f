import signal

import pytest
from playwright.sync_api import expect

from .conftest import Server
from .helpers import sign_up, unique_name


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_serve_stops_quickly_with_live_streams_open(browser, tmp_path, sig):
    server = Server(tmp_path)
    try:
        context = browser.new_context(base_url=server.url)
        pages = []
        for _ in range(3):
            page = context.new_page()
            pages.append(page)
        sign_up(pages[0], unique_name("live"))
        for page in pages:
            page.goto("/")
            page.evaluate(
                """() => new Promise(resolve => {
                    const source = new EventSource("/events/me");
                    source.addEventListener("stream-open", () => resolve());
                })"""
            )
        took = server.stop(sig)
        assert server.process.returncode is not None
        assert took < 3, f"took {took:.1f}s to stop"
        expect(pages[0].locator("body")).to_be_visible()
        context.close()
    finally:
        server.stop(signal.SIGKILL)
