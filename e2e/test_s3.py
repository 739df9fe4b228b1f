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
# What S3 answers to a presigned URL past its time.
EXPIRED = "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>"


@pytest.fixture(scope="module")
def bucket(moto_endpoint):  # noqa: F811
    bucket = new_bucket(moto_endpoint)
    # As README says for HLS from a bucket: its files may be read by the site's pages.
    rule = {"AllowedOrigins": ["*"], "AllowedMethods": ["GET", "HEAD"], "AllowedHeaders": ["*"]}
    bucket.client.put_bucket_cors(Bucket=bucket.name, CORSConfiguration={"CORSRules": [rule]})
    return bucket


@pytest.fixture(scope="module")
def s3_server(tmp_path_factory, bucket):
    # moto does not enforce a URL's expiry (the test of recovery aborts the old URLs instead);
    # a short life keeps the browser from reusing a redirect for more than a second.
    server = Server(
        tmp_path_factory.mktemp("s3-site"), **bucket.env(), VIDEO_SHARE_S3_URL_SECONDS="2"
    )
    yield server
    server.stop()


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    return make_video(tmp_path_factory.mktemp("s3-media") / "Harbour.mp4", seconds=8)


@pytest.fixture(scope="module")
def long_clip(tmp_path_factory):
    # Bigger than what the browser reads ahead, so that a far seek needs a new request.
    return make_video(
        tmp_path_factory.mktemp("s3-media") / "long.mp4", seconds=30, extra=("-b:v", "8M")
    )


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
    wait_until(page, f"{VIDEO}.hls && {VIDEO}.hls.levels.length > 0", timeout=20)
    page.evaluate(f"{VIDEO}.muted = true")
    page.evaluate(f"{VIDEO}.play()")
    wait_until(page, f"{VIDEO}.readyState >= 3 && {VIDEO}.currentTime > 1", timeout=20)
    page.evaluate(f"{VIDEO}.currentTime = 6")
    wait_until(page, f"{VIDEO}.currentTime > 6.3", timeout=20)
    # HLS: the playlists from the site itself, each segment a redirect to the bucket.
    site = [(s, url.split("?")[0]) for s, url in answers if "/media/v/" in url]
    assert any(s == 200 and url.endswith(".m3u8") for s, url in site)
    assert any(s == 302 and url.endswith(".m4s") for s, url in site)
    from_bucket = [url.split("?")[0] for s, url in answers if s == 200 and bucket.endpoint in url]
    assert any(url.endswith(".m4s") for url in from_bucket)
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
    source = page.locator("#video-player source[data-quality]").first.get_attribute("src")
    source = source.split("#")[0]
    # The owner gets the bytes from the site itself (no URL that would work for others).
    mine = owner.request.get(source, headers={"Range": "bytes=0-99"}, max_redirects=0)
    assert mine.status == 206
    assert len(mine.body()) == 100
    owner.close()

    visitor = browser.new_context(base_url=s3_server.url)
    answer = visitor.request.get(source, max_redirects=0)
    assert answer.status == 404
    visitor.close()


def test_a_player_whose_media_url_expired_asks_the_site_for_a_new_one(
    browser, s3_server, bucket, clip, long_clip
):
    context = browser.new_context(base_url=s3_server.url)
    page = context.new_page()
    page.set_default_timeout(20_000)
    sign_up(page, unique_name("diver"))
    upload(page, clip)
    public_id = page.url.rstrip("/").rsplit("/", 1)[-1]
    # A long rendition in its place, so that a far seek needs a new request.
    rendition = next(
        key for key in bucket.keys(f"videos/{public_id}/") if re.search(r"/\d+p-\w+\.mp4$", key)
    )
    bucket.client.upload_file(str(long_clip), bucket.name, rendition)

    handed_out, expired = [], set()
    page.on("request", lambda r: handed_out.append(r.url) if ".mp4?" in r.url else None)
    page.route(
        f"{bucket.endpoint}/**",
        lambda route: (
            route.fulfill(status=403, content_type="application/xml", body=EXPIRED)
            if route.request.url in expired
            else route.continue_()
        ),
    )
    # The MP4 itself (a quality chosen, as browsers without Media Source Extensions play).
    page.goto(page.url + "?quality=360p")
    page.evaluate(f"{VIDEO}.muted = true")
    page.evaluate(f"{VIDEO}.play()")
    wait_until(page, f"{VIDEO}.currentTime > 1", timeout=20)
    page.evaluate(f"{VIDEO}.pause()")
    expired.update(handed_out)  # as S3 would, once their time is up
    page.wait_for_timeout(2100)  # the redirect is no longer kept; a new URL differs
    page.evaluate(f"{VIDEO}.currentTime = 27")
    # Not awaited: the reload that recovers interrupts this play() (the player resumes).
    page.evaluate(f"void {VIDEO}.play().catch(function () {{}})")
    wait_until(page, f"{VIDEO}.currentTime > 27.3", timeout=30)
    assert set(handed_out) - expired  # played on from a new presigned URL
    context.close()
