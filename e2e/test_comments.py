import re
import time

import pytest
from playwright.sync_api import expect

from tests.media_files import make_video

from .conftest import assert_accessible
from .helpers import log_in, sign_up, unique_name, upload_clip, video_like


@pytest.fixture(scope="module")
def video_url(browser, server, tmp_path_factory):
    return upload_clip(browser, server, tmp_path_factory.mktemp("talk"), "Live talk")


def comment_box(page):
    return page.get_by_role("textbox", name="Comment")


def comments_with(page, text):
    return page.locator(".comment__body", has_text=text)


def open_as_owner(new_context, url, owner):
    page = new_context().new_page()
    log_in(page, owner)
    page.goto(url)
    return page


def open_as_new_user(new_context, url, name):
    page = new_context().new_page()
    sign_up(page, unique_name(name))
    page.goto(url)
    # The live stream is open once the server has said so.
    page.wait_for_timeout(300)
    return page


def test_a_comment_reaches_another_viewer_within_a_second_exactly_once(new_context, video_url):
    url, _owner = video_url
    alice = open_as_new_user(new_context, url, "alice")
    bob = open_as_new_user(new_context, url, "bob")
    bob.evaluate("window.sameDocument = true")
    comment_box(alice).fill("Hello, Bob!")
    started = time.monotonic()
    alice.get_by_role("button", name="Post").click()
    expect(comments_with(bob, "Hello, Bob!")).to_have_count(1, timeout=1500)
    assert time.monotonic() - started < 1.5
    expect(comments_with(alice, "Hello, Bob!")).to_have_count(1)
    assert bob.evaluate("window.sameDocument") is True
    bob.wait_for_timeout(500)
    expect(comments_with(bob, "Hello, Bob!")).to_have_count(1)
    # Bob sees no edit controls on Alice's comment; Alice sees hers.
    bob_view = bob.locator(".comment", has_text="Hello, Bob!")
    expect(bob_view.get_by_role("link", name="Edit")).to_be_hidden()
    alice_view = alice.locator(".comment", has_text="Hello, Bob!")
    expect(alice_view.get_by_role("link", name="Edit")).to_be_visible()
    assert_accessible(bob)


# Each control of a comment, as a reader finds it (Pin and Heart exactly: not Unpin, Remove heart).
CONTROLS = {
    "edit": ("link", "Edit"),
    "delete": ("button", "Delete"),
    "pin": ("button", "Pin"),
    "heart": ("button", "Heart"),
    "report": ("link", "Report"),
    "like": ("button", re.compile("^Like")),
}


def expect_controls(page, text, offered, *, broadcast=True):
    """The comment with `text` shows this reader the controls `offered`, and no other; by
    default it is a copy that came live to everyone (not one rendered for the reader)."""
    body = page.locator(":scope > .comment__main > .comment__body", has_text=text)
    comment = page.locator(".comment" + ("[data-broadcast]" if broadcast else ""), has=body)
    expect(comment).to_have_count(1)
    actions = comment.locator(":scope > .comment__main > .comment__actions")
    for name, (role, label) in CONTROLS.items():
        control = actions.get_by_role(role, name=label, exact=isinstance(label, str))
        if name in offered:
            expect(control).to_be_visible()
        else:
            expect(control).to_be_hidden()


def test_a_broadcast_comment_shows_each_reader_their_controls(new_context, video_url):
    url, owner = video_url
    host = open_as_owner(new_context, url, owner)
    author = open_as_new_user(new_context, url, "poster")
    # The author's other tab gets their comment as everyone does: live, the same for all.
    other_tab = author.context.new_page()
    other_tab.goto(url)
    reader = open_as_new_user(new_context, url, "reader")
    visitor = new_context().new_page()
    visitor.goto(url)
    other_tab.wait_for_timeout(300)
    comment_box(author).fill("Whose buttons are these?")
    author.get_by_role("button", name="Post").click()
    expect_controls(author, "Whose buttons are these?", {"edit", "delete", "like"}, broadcast=False)
    expect_controls(other_tab, "Whose buttons are these?", {"edit", "delete", "like"})
    expect_controls(host, "Whose buttons are these?", {"delete", "pin", "heart", "report", "like"})
    expect_controls(reader, "Whose buttons are these?", {"report", "like"})
    expect_controls(visitor, "Whose buttons are these?", {"report", "like"})

    # A reply: nobody pins it.
    reader.locator(".comment", has_text="Whose buttons").get_by_role("link", name="Reply").click()
    reader.get_by_role("textbox", name="Reply").fill("Mine, in reply")
    reader.locator("form[id^=comment-form-] button[type=submit]").click()
    expect_controls(host, "Mine, in reply", {"delete", "heart", "report", "like"})
    expect_controls(other_tab, "Mine, in reply", {"report", "like"})
    expect_controls(visitor, "Mine, in reply", {"report", "like"})


def test_comments_posted_while_offline_arrive_once_each(new_context, video_url):
    url, _owner = video_url
    alice = open_as_new_user(new_context, url, "writer")
    bob = open_as_new_user(new_context, url, "traveller")
    bob.context.set_offline(True)
    for index in range(3):
        comment_box(alice).fill(f"While you were away {index}")
        alice.get_by_role("button", name="Post").click()
        expect(comments_with(alice, f"While you were away {index}")).to_have_count(1)
    bob.wait_for_timeout(1000)
    bob.context.set_offline(False)
    for index in range(3):
        expect(comments_with(bob, f"While you were away {index}")).to_have_count(1, timeout=40_000)
    bob.wait_for_timeout(1500)
    for index in range(3):
        expect(comments_with(bob, f"While you were away {index}")).to_have_count(1)


def test_replies_edits_deletions_and_pins_propagate(new_context, browser, server, video_url):
    url, owner = video_url
    host = new_context().new_page()
    host.goto("/login/")
    host.get_by_label("Username").fill(owner)
    host.get_by_label("Password").fill("a long and fine password")
    host.get_by_role("button", name="Log in").click()
    host.goto(url)
    guest = open_as_new_user(new_context, url, "guest")

    comment_box(guest).fill("Pin me please")
    guest.get_by_role("button", name="Post").click()
    expect(comments_with(guest, "Pin me please")).to_have_count(1)
    comment_box(guest).fill("Delete me later")
    guest.get_by_role("button", name="Post").click()
    expect(comments_with(host, "Delete me later")).to_have_count(1)

    # A reply, in place.
    target = host.locator(".comment", has_text="Pin me please").first
    target.get_by_role("link", name="Reply").click()
    host.get_by_role("textbox", name="Reply").fill("Sure thing")
    host.locator("form[id^=comment-form-] button[type=submit]").click()
    expect(comments_with(guest, "Sure thing")).to_have_count(1)

    # The host pins the guest's comment: it moves to the top for everyone.
    target.get_by_role("button", name="Pin").click()
    first = guest.locator("#comment-list > .comment").first
    expect(first).to_contain_text("Pin me please")
    expect(first).to_contain_text("Pinned")

    # The guest edits and deletes their own comment.
    mine = guest.locator(".comment", has_text="Delete me later").first
    guest.once("dialog", lambda dialog: dialog.accept())
    mine.get_by_role("button", name="Delete").click()
    expect(comments_with(host, "Delete me later")).to_have_count(0)

    pinned = guest.locator(".comment", has_text="Pin me please").first
    pinned.get_by_role("link", name="Edit").first.click()
    guest.get_by_role("textbox", name="Edit your comment").fill("Pin me please (edited text)")
    guest.get_by_role("button", name="Save").click()
    expect(comments_with(host, "(edited text)")).to_have_count(1)
    expect(host.locator(".comment", has_text="(edited text)").first).to_contain_text("edited")


def test_commenting_and_liking_without_javascript(new_context, video_url):
    url, _owner = video_url
    page = new_context(java_script_enabled=False).new_page()
    sign_up(page, unique_name("oldschool"))
    page.goto(url)
    comment_box(page).fill("Posted the old way")
    page.get_by_role("button", name="Post").click()
    expect(page).to_have_url(re.compile(r"#comment-\d+$"))
    comment = page.locator(".comment", has_text="Posted the old way").first
    expect(comment).to_be_visible()
    comment.get_by_role("button", name=re.compile("^Like")).click()
    comment = page.locator(".comment", has_text="Posted the old way").first
    expect(comment.locator("[id^=comment-likes-]")).to_have_text("1")
    # An empty comment comes back with a clear message.
    comment_box(page).fill(" ")
    page.get_by_role("button", name="Post").click()
    expect(page.get_by_text("Write something first.")).to_be_visible()


def test_likes_reach_other_viewers_live(new_context, video_url):
    url, _owner = video_url
    fan = open_as_new_user(new_context, url, "fan")
    watcher = open_as_new_user(new_context, url, "watcher")
    before = int(watcher.locator("#video-likes").inner_text())
    video_like(fan).click()
    expect(video_like(fan)).to_have_attribute("aria-pressed", "true")
    expect(watcher.locator("#video-likes")).to_have_text(str(before + 1))
    video_like(fan).click()
    expect(watcher.locator("#video-likes")).to_have_text(str(before))


def test_a_server_restart_loses_nothing(browser, tmp_path_factory, tmp_path):
    import signal

    from .conftest import Server

    data_dir = tmp_path_factory.mktemp("restart-comments")
    clip = make_video(tmp_path / "clip.mp4", size="320x240", seconds=1)
    server = Server(data_dir)
    port = server.port
    try:
        host_context = browser.new_context(base_url=server.url)
        host = host_context.new_page()
        sign_up(host, unique_name("restarter"))
        host.goto("/upload/")
        host.get_by_label("Video file").set_input_files(clip)
        host.get_by_role("button", name="Upload", exact=True).click()
        expect(host.locator("#player video")).to_be_attached(timeout=60_000)
        url = host.url
        reader_context = browser.new_context(base_url=server.url)
        reader = reader_context.new_page()
        sign_up(reader, unique_name("reader"))
        reader.goto(url)
        reader.evaluate("window.sameDocument = true")

        server.stop(signal.SIGTERM)
        server = Server(data_dir, port=port)
        host.goto(url)
        for index in range(3):
            comment_box(host).fill(f"After the restart {index}")
            host.get_by_role("button", name="Post").click()
            expect(comments_with(host, f"After the restart {index}")).to_have_count(1)
        for index in range(3):
            expect(comments_with(reader, f"After the restart {index}")).to_have_count(
                1, timeout=40_000
            )
        assert reader.evaluate("window.sameDocument") is True
        reader.wait_for_timeout(1000)
        for index in range(3):
            expect(comments_with(reader, f"After the restart {index}")).to_have_count(1)
    finally:
        server.stop(signal.SIGKILL)


def test_watching_now_counts_open_pages(new_context, video_url):
    url, _owner = video_url
    first = open_as_new_user(new_context, url, "viewer")
    base = int(first.locator("#watching-count").inner_text())
    second = open_as_new_user(new_context, url, "viewer")
    expect(first.locator("#watching-count")).to_have_text(str(base + 1), timeout=5000)
    expect(second.locator("#watching-count")).to_have_text(str(base + 1), timeout=5000)
    second.context.close()
    expect(first.locator("#watching-count")).to_have_text(str(base), timeout=5000)


def test_a_readers_likes_stay_pressed_when_the_comment_changes_live(new_context, video_url):
    url, owner = video_url
    host = open_as_owner(new_context, url, owner)
    author = open_as_new_user(new_context, url, "author")
    fan = open_as_new_user(new_context, url, "liker")
    comment_box(author).fill("Like me, then watch the heart arrive")
    author.get_by_role("button", name="Post").click()
    mine = fan.locator(".comment", has_text="watch the heart arrive").first
    expect(mine).to_be_visible()
    mine.get_by_role("button", name=re.compile("^Like")).click()
    like = fan.locator(".comment", has_text="watch the heart arrive").first.get_by_role(
        "button", name=re.compile("^Like")
    )
    expect(like).to_have_attribute("aria-pressed", "true")
    # The owner hearts and then pins it: both arrive as broadcasts, the same for everyone.
    theirs = host.locator(".comment", has_text="watch the heart arrive").first
    theirs.get_by_role("button", name="Heart").click()
    expect(fan.locator(".comment", has_text="watch the heart arrive").first).to_contain_text("♥")
    expect(like).to_have_attribute("aria-pressed", "true")
    theirs.get_by_role("button", name="Pin").click()
    first = fan.locator("#comment-list > .comment").first
    expect(first).to_contain_text("Pinned")
    expect(first.get_by_role("button", name=re.compile("^Like"))).to_have_attribute(
        "aria-pressed", "true"
    )
    # Taking the like back sticks as well.
    first.get_by_role("button", name=re.compile("^Like")).click()
    expect(first.get_by_role("button", name=re.compile("^Like"))).to_have_attribute(
        "aria-pressed", "false"
    )
    theirs = host.locator(".comment", has_text="watch the heart arrive").first
    theirs.get_by_role("button", name="Remove heart").click()
    expect(fan.locator(".comment", has_text="watch the heart arrive").first).not_to_contain_text(
        "♥"
    )
    expect(first.get_by_role("button", name=re.compile("^Like"))).to_have_attribute(
        "aria-pressed", "false"
    )


def watching_count(page):
    return page.locator("#watching-count")


def test_watching_now_counts_people_not_tabs(new_context, video_url):
    url, _owner = video_url
    first = open_as_new_user(new_context, url, "twotabs")
    base = int(watching_count(first).inner_text())
    # The same person in a second tab: the page guesses one more, the stream corrects it.
    second = first.context.new_page()
    second.goto(url)
    expect(watching_count(second)).to_have_text(str(base), timeout=5000)
    expect(watching_count(first)).to_have_text(str(base))
    other = open_as_new_user(new_context, url, "another")
    for page in (first, second, other):
        expect(watching_count(page)).to_have_text(str(base + 1), timeout=5000)


def test_watching_now_counts_a_visitors_tabs_once(new_context, video_url):
    url, _owner = video_url
    visitor = new_context()
    first = visitor.new_page()
    first.goto(url)
    # Its stream gives the browser its viewer cookie: its next tab is known as the same.
    for _ in range(50):
        if any(cookie["name"] == "vs_viewer" for cookie in visitor.cookies()):
            break
        first.wait_for_timeout(100)
    base = int(watching_count(first).inner_text())
    second = visitor.new_page()
    second.goto(url)
    expect(watching_count(second)).to_have_text(str(base), timeout=5000)
    expect(watching_count(first)).to_have_text(str(base))


def below_the_header(page, locator) -> bool:
    """Whether the element is on screen, and not under the sticky header."""
    header = page.locator(".site-header").bounding_box()
    box = locator.bounding_box()
    return box["y"] >= header["y"] + header["height"] and box["y"] < page.viewport_size["height"]


def test_without_javascript_a_like_comes_back_to_where_the_reader_was(new_context, video_url):
    url, _owner = video_url
    commenter = open_as_new_user(new_context, url, "chatty")
    comment_box(commenter).fill("Liked the old way")
    commenter.get_by_role("button", name="Post").click()
    expect(comments_with(commenter, "Liked the old way")).to_have_count(1)

    page = new_context(java_script_enabled=False, viewport={"width": 390, "height": 500}).new_page()
    sign_up(page, unique_name("nojs"))
    page.goto(url)
    reactions = page.locator("#reactions")
    expect(reactions).not_to_be_in_viewport()  # below the player, on a small screen
    video_like(page).click()
    expect(page).to_have_url(re.compile(r"#reactions$"))
    expect(video_like(page)).to_have_attribute("aria-pressed", "true")
    expect(reactions).to_be_in_viewport()
    assert below_the_header(page, reactions)

    page.goto(url)
    comment = page.locator(".comment", has_text="Liked the old way").first
    expect(comment).not_to_be_in_viewport()
    comment.get_by_role("button", name=re.compile("^Like")).click()
    expect(page).to_have_url(re.compile(r"#comment-\d+$"))
    comment = page.locator(".comment", has_text="Liked the old way").first
    expect(comment.get_by_role("button", name=re.compile("^Like"))).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(comment).to_be_in_viewport()
    assert below_the_header(page, comment)
