"""The site with its media on S3 (moto's server): upload through the browser, processing by
the worker, playback and seeking from presigned URLs, and private media refused."""

import re

import pytest
from playwright.sync_api import expect

from tests.media_files import make_video
from tests.s3 import moto_endpoint, new_bucket  # noqa: F401 — moto_endpoint is a fixture

from .conftest import Server
from .helpers import sign_up, unique_name, wait_until

VIDEO = "document.querySelector('#video-player')"


@pytest.fixture(scope="module")
def bucket(moto_endpoint):  # noqa: F811
    return new_bucket(moto_endpoint)


@pytest.fixture(scope="module")
def s3_server(tmp_path_factory, bucket):
    server = Server(tmp_path_factory.mktemp("s3-site"), **bucket.env())
    yield server
    server.stop()


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    return make_video(tmp_path_factory.mktemp("s3-media") / "Harbour.mp4", seconds=8)


def upload(page, clip, *, private=False) -> str:
    page.goto("/upload/")
    page.get_by_label("Video file").set_input_files(clip)
    if private:
        page.get_by_label("Private").check()
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.locator("#player video")).to_be_attached(timeout=90_000)
    return page.url


def test_an_upload_plays_and_seeks_from_presigned_urls(browser, s3_server, bucket, clip):
    context = browser.new_context(base_url=s3_server.url)
    page = context.new_page()
    page.set_default_timeout(20_000)
    sign_up(page, unique_name("sailor"))
    upload(page, clip)
    public_id = page.url.rstrip("/").rsplit("/", 1)[-1]
    keys = bucket.keys(f"videos/{public_id}/")
    assert f"videos/{public_id}/source" in keys
    assert any(re.search(r"/\d+p-\w+\.mp4$", key) for key in keys)

    answers = []
    page.on("response", lambda r: answers.append((r.status, r.url)))
    page.reload()
    page.evaluate(f"{VIDEO}.muted = true")
    page.evaluate(f"{VIDEO}.play()")
    wait_until(page, f"{VIDEO}.readyState >= 3 && {VIDEO}.currentTime > 1", timeout=20)
    page.evaluate(f"{VIDEO}.currentTime = 6")
    wait_until(page, f"{VIDEO}.currentTime > 6.3", timeout=20)
    # The page names the site's own URL; the bytes came from the bucket, in ranges.
    assert "/media/v/" in page.evaluate(f"{VIDEO}.currentSrc")
    assert any(s == 302 and "/media/v/" in url and url.endswith(".mp4") for s, url in answers)
    from_bucket = [s for s, url in answers if url.startswith(f"{bucket.endpoint}/{bucket.name}/")]
    assert 206 in from_bucket
    # The poster came the same way and shows.
    wait_until(page, "document.querySelector('#video-player').poster !== ''")
    assert any(s == 200 and "/poster-" in url for s, url in answers if bucket.endpoint in url)
    context.close()


def test_a_private_videos_media_is_refused_to_a_signed_out_visitor(browser, s3_server, clip):
    owner = browser.new_context(base_url=s3_server.url)
    page = owner.new_page()
    page.set_default_timeout(20_000)
    sign_up(page, unique_name("keeper"))
    upload(page, clip, private=True)
    source = page.locator("#video-player source").first.get_attribute("src").split("#")[0]
    # The owner gets the bytes from the site itself (no URL that would work for others).
    mine = owner.request.get(source, headers={"Range": "bytes=0-99"}, max_redirects=0)
    assert mine.status == 206
    assert len(mine.body()) == 100
    owner.close()

    visitor = browser.new_context(base_url=s3_server.url)
    answer = visitor.request.get(source, max_redirects=0)
    assert answer.status == 404
    visitor.close()
