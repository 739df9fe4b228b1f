"""Behind Pushpin (README, "Pushpin"): Debian's pushpin, run with the configuration in
deploy/pushpin/, in front of two uvicorn processes (`manage.py serve`) sharing one database;
the browsers talk to Pushpin only. Event streams are GRIP holds kept by Pushpin, and every
event (from either process, or the task worker running on its own) reaches them through GRIP
publishing: a live comment, a replay after a reconnect (Last-Event-ID), the bell, a video's
processing, who is watching (counted from Pushpin's statistics), and the cut-off of a
video's viewers when it is made private.

Skipped, with the reason shown, where no pushpin is installed (`apt-get install pushpin`;
.ci/run installs it).
"""

import secrets
import shutil
import subprocess
import sys
import types
import urllib.request

import pytest
from playwright.sync_api import expect

from bench.common import Pushpin, connections_to

from .conftest import ROOT, SCREENSHOTS, Server, free_port, server_env
from .helpers import log_in, sign_up, unique_name, upload_clip, wait_until

pytestmark = pytest.mark.skipif(
    shutil.which("pushpin") is None,
    reason="pushpin is not installed (apt-get install pushpin): the Pushpin deployment is "
    "not tested",
)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Pushpin in front of two `serve` processes on one database, routed as
    deploy/pushpin/routes says: streams held from the first, which counts who is watching,
    pages and forms served by the second; the task worker runs on its own (`manage.py
    worker`), so that a video's processing reaches its owner from a third process. Yields
    something with the `url` of Pushpin, which the browsers use."""
    key = secrets.token_urlsafe(32)
    folder = tmp_path_factory.mktemp("pushpin")
    ports = [free_port(), free_port()]
    pushpin = Pushpin(folder / "pushpin", ports, key)
    env = {
        "GRIP_URL": f"http://127.0.0.1:{pushpin.publish_port}/?iss=pushpin&key={key}",
        "VIDEO_SHARE_IN_PROCESS_WORKER": "false",
    }
    servers, worker = [], None
    try:
        pushpin.start()
        # One after the other: each migrates the shared database before it serves.
        stats = pushpin.stats_address
        servers.append(Server(folder / "site", ports[0], VIDEO_SHARE_PUSHPIN_STATS=stats, **env))
        servers.append(Server(folder / "site", ports[1], **env))
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "worker"],
            cwd=ROOT,
            env=server_env(folder / "site", **env),
            stdout=(folder / "worker.log").open("w"),
            stderr=subprocess.STDOUT,
        )
        yield types.SimpleNamespace(
            url=pushpin.url,
            pushpin=pushpin,
            servers=servers,
            env=server_env(folder / "site", **env),
        )
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(15)
        for server in servers:
            server.stop()
        pushpin.stop()


@pytest.fixture
def new_context(browser, site, request):
    """Browser contexts (separate people) on Pushpin's address; screenshots on failure."""
    contexts = []

    def make():
        context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=site.url)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    failed = getattr(request.node, "rep_call", None) and request.node.rep_call.failed
    for index, context in enumerate(contexts):
        if failed:
            SCREENSHOTS.mkdir(exist_ok=True)
            for number, page in enumerate(context.pages):
                name = f"{request.node.name}-{index}-{number}.png"
                page.screenshot(path=SCREENSHOTS / name, full_page=True)
        context.close()
    if failed:
        print(site.pushpin.log())


@pytest.fixture(scope="module")
def video_url(browser, site, tmp_path_factory):
    """A video uploaded through Pushpin: its page shows it only once the worker's processing
    events have reached the owner's page through Pushpin."""
    return upload_clip(browser, site, tmp_path_factory.mktemp("pushpin-clip"), "Through Pushpin")


def open_as_new_user(new_context, url, name):
    page = new_context().new_page()
    sign_up(page, unique_name(name))
    page.goto(url)
    page.wait_for_timeout(500)  # the stream is held
    return page


def post(page, text):
    page.get_by_role("textbox", name="Comment").fill(text)
    page.get_by_role("button", name="Post").click()
    expect(comments_with(page, text)).to_have_count(1)


def comments_with(page, text):
    return page.locator(".comment__body", has_text=text)


def test_streams_are_held_by_pushpin_not_by_the_site(site, video_url):
    url, _owner = video_url
    stream = site.url + url.removeprefix(site.url).replace("/v/", "/events/v/", 1)
    responses = [urllib.request.urlopen(stream, timeout=5) for _ in range(20)]  # noqa: S310
    try:
        for response in responses:
            assert response.headers["Content-Type"] == "text/event-stream"
            assert b"stream-open" in response.read1(65536)
        # Pushpin's own few connections to the site (zurl's), not one per stream.
        assert sum(connections_to(server.port) for server in site.servers) <= 10
    finally:
        for response in responses:
            response.close()


def test_a_comment_reaches_another_viewer_through_pushpin(new_context, video_url):
    url, _owner = video_url
    alice = open_as_new_user(new_context, url, "alice")
    bob = open_as_new_user(new_context, url, "bob")
    bob.evaluate("window.sameDocument = true")
    alice.get_by_role("textbox", name="Comment").fill("Hello through Pushpin")
    alice.get_by_role("button", name="Post").click()
    expect(comments_with(bob, "Hello through Pushpin")).to_have_count(1, timeout=3000)
    assert bob.evaluate("window.sameDocument") is True
    bob.wait_for_timeout(500)
    expect(comments_with(bob, "Hello through Pushpin")).to_have_count(1)


def test_comments_missed_while_offline_are_replayed_once_each(new_context, video_url):
    url, _owner = video_url
    alice = open_as_new_user(new_context, url, "writer")
    bob = open_as_new_user(new_context, url, "traveller")
    bob.context.set_offline(True)
    for index in range(3):
        post(alice, f"Missed through Pushpin {index}")
    bob.wait_for_timeout(1000)
    bob.context.set_offline(False)
    for index in range(3):
        expect(comments_with(bob, f"Missed through Pushpin {index}")).to_have_count(
            1, timeout=40_000
        )
    bob.wait_for_timeout(1500)
    for index in range(3):
        expect(comments_with(bob, f"Missed through Pushpin {index}")).to_have_count(1)


def test_a_reply_rings_the_bell_through_pushpin(new_context, video_url):
    url, _owner = video_url
    alice = open_as_new_user(new_context, url, "asker")
    post(alice, "Which lens was this?")
    alice.wait_for_timeout(300)
    bob = open_as_new_user(new_context, url, "answerer")
    question = bob.locator(".comment", has_text="Which lens was this?").first
    question.get_by_role("link", name="Reply").click()
    bob.get_by_role("textbox", name="Reply").fill("A fifty, wide open.")
    bob.locator("form[id^=comment-form-] button[type=submit]").click()
    expect(alice.locator("#bell-count")).to_have_text("1 unread1", timeout=3000)


def test_watching_now_counts_the_pages_pushpin_holds_streams_for(new_context, video_url):
    url, _owner = video_url
    first = open_as_new_user(new_context, url, "watcher")
    first.wait_for_timeout(1500)  # announcements of earlier tests' viewers leaving
    base = int(first.locator("#watching-count").inner_text())
    second = open_as_new_user(new_context, url, "watcher")
    expect(first.locator("#watching-count")).to_have_text(str(base + 1), timeout=5000)
    expect(second.locator("#watching-count")).to_have_text(str(base + 1), timeout=5000)
    # Behind Pushpin, open pages are counted: a second tab of the same person counts too
    # (README, "Pushpin").
    other_tab = second.context.new_page()
    other_tab.goto(url)
    expect(first.locator("#watching-count")).to_have_text(str(base + 2), timeout=5000)
    second.context.close()
    expect(first.locator("#watching-count")).to_have_text(str(base), timeout=5000)


def test_making_a_video_private_cuts_its_viewers_off_but_not_its_owner(
    new_context, browser, site, tmp_path_factory
):
    url, owner_name = upload_clip(
        browser, site, tmp_path_factory.mktemp("pushpin-private"), "Soon private"
    )
    viewer = open_as_new_user(new_context, url, "viewer")
    streams = []
    viewer.on("request", lambda r: streams.append(r) if "/events/v/" in r.url else None)
    owner = new_context().new_page()
    log_in(owner, owner_name)
    owner.goto(url)
    owner.wait_for_timeout(500)

    # Which of the viewer's streams end because the server said stream-error (sse-close).
    viewer.evaluate(
        "window.cutOff = []; document.body.addEventListener('htmx:sseClose', event =>"
        " window.cutOff.push(event.target.getAttribute('sse-connect')))"
    )
    # The owner, in another browser (one browser opens at most six connections to a site,
    # and each page holds some for its streams).
    editor = new_context().new_page()
    log_in(editor, owner_name)
    editor.goto(url + "/edit")
    editor.get_by_label("Private").check()
    editor.get_by_role("button", name="Save").click()
    wait_until(viewer, "window.cutOff.some(url => url.includes('/events/v/'))", timeout=5)
    editor.goto(url)
    post(editor, "Only I can read this now")
    # The owner's stream was not cut off: it still hears the video.
    expect(comments_with(owner, "Only I can read this now")).to_have_count(1, timeout=3000)
    viewer.wait_for_timeout(1000)
    expect(comments_with(viewer, "Only I can read this now")).to_have_count(0)
    assert streams == []  # the viewer's page opened no other stream
    # Only the video's stream was cut off: the viewer's bell and own stream stay open.
    assert all("/events/v/" in url for url in viewer.evaluate("window.cutOff"))


CUT_OFF = (
    "window.cutOff = []; document.body.addEventListener('htmx:sseClose', event =>"
    " window.cutOff.push(event.target.getAttribute('sse-connect')))"
)


def test_a_ban_ends_the_banned_users_streams_and_no_one_elses(new_context, site, video_url):
    url, _owner = video_url
    name = unique_name("mallory")
    banned = new_context().new_page()
    sign_up(banned, name)
    banned.goto(url)
    bystander = open_as_new_user(new_context, url, "bystander")
    banned.wait_for_timeout(500)
    for page in (banned, bystander):
        page.evaluate(CUT_OFF)
    # A moderator's ban, from another process than those holding or serving streams.
    ban = (
        "from video_share.actions import do_ban; from video_share.models import User; "
        f"do_ban(User.objects.get(username='{name}'))"
    )
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", ban], cwd=ROOT, env=site.env, check=True
    )
    # Every stream of the banned user's page ends: the video's and their bell.
    streams = "[...document.querySelectorAll('[sse-connect]')]"
    wait_until(banned, f"window.cutOff.length == {streams}.length", timeout=5)
    assert any("/events/v/" in url for url in banned.evaluate("window.cutOff"))
    # The bystander's streams were renewed, not ended: a new comment still reaches them.
    poster = open_as_new_user(new_context, url, "poster")
    post(poster, "Still live for the others")
    expect(comments_with(bystander, "Still live for the others")).to_have_count(1, timeout=3000)
    assert bystander.evaluate("window.cutOff") == []
    banned.wait_for_timeout(500)
    expect(comments_with(banned, "Still live for the others")).to_have_count(0)
