"""What a new visitor meets first, on a laptop and on a phone, in both languages: long words
that never push the page sideways, a one-row phone header, pop-ups that close the same way,
search history that follows what was asked, and messages that do not outstay their welcome."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import SCREENSHOTS, assert_accessible
from .helpers import sign_up, unique_name

SCREENS = {"laptop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}
LONG_TITLE = "W" * 200
LANGUAGE_BUTTON = {"en": "العربيّة", "ar": "English"}
SEARCH = {"en": "Search", "ar": "بحث"}


@pytest.fixture(scope="module")
def people(browser, server):
    """A creator with a video whose title is one 200-letter word, and a viewer subscribed to
    them; each person's browser state, to open pages as them."""
    states = {}
    names = {"creator": unique_name("creator"), "viewer": unique_name("viewer")}
    for role, name in names.items():
        context = browser.new_context(base_url=server.url)
        page = context.new_page()
        sign_up(page, name)
        states[role] = context.storage_state()
        context.close()
    public_id = server.shell(
        "from video_share.models import Subscription, User, Video\n"
        f"creator = User.objects.get(username={names['creator']!r})\n"
        f"viewer = User.objects.get(username={names['viewer']!r})\n"
        "Subscription.objects.create(subscriber=viewer, channel=creator)\n"
        "short = Video.objects.create(owner=creator, title='A short one', status='ready',"
        " duration=30)\n"
        f"video = Video.objects.create(owner=creator, title={LONG_TITLE!r}, status='ready',"
        " duration=30, description='D' * 300)\n"
        "from video_share.search import index_videos\n"
        "index_videos(Video.objects.filter(owner=creator))\n"
        "print(video.public_id, short.public_id)"
    )
    long_id, short_id = public_id.split()
    return {"states": states, "names": names, "watch": f"/v/{long_id}", "short": f"/v/{short_id}"}


def open_as(new_context, people, who, *, screen="laptop", language="en", **options):
    context = new_context(
        viewport=SCREENS[screen],
        extra_http_headers={"Accept-Language": language},
        storage_state=people["states"].get(who),
        **options,
    )
    return context.new_page()


def shot(page, name):
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"polish-{name}.png")


# Long words


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("screen", ["laptop", "phone"])
def test_a_long_unbroken_title_never_scrolls_the_page_sideways(
    new_context, people, screen, language
):
    page = open_as(new_context, people, "viewer", screen=screen, language=language)
    page.goto(people["watch"])
    expect(page.get_by_role("heading", level=1)).to_contain_text("WWWW")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= SCREENS[screen]["width"]
    shot(page, f"watch-long-title-{screen}-{language}")

    # On the channel's cards the title is cut after two lines, with an ellipsis, never sideways.
    page.goto(f"/@{people['names']['creator']}")
    title = page.locator(".video-card__title a", has_text="WWWW")
    style = title.evaluate(
        "a => { const s = getComputedStyle(a); return {clamp: s.webkitLineClamp,"
        " overflow: s.overflow, wide: a.scrollWidth > a.clientWidth,"
        " clamped: a.scrollHeight > a.clientHeight}; }"
    )
    assert style == {"clamp": "2", "overflow": "hidden", "wide": False, "clamped": True}
    assert page.evaluate("document.documentElement.scrollWidth") <= SCREENS[screen]["width"]
    shot(page, f"cards-long-title-{screen}-{language}")


# The row under the title


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("screen", ["laptop", "phone"])
def test_the_video_actions_stay_together_beside_the_channel(new_context, people, screen, language):
    page = open_as(new_context, people, "viewer", screen=screen, language=language)
    page.goto(people["short"])
    row = page.locator(".watch__meta")
    boxes = {
        name: row.locator(selector).bounding_box()
        for name, selector in {
            "channel": ".owner",
            "subscribe": "#subscribe-button button",
            "like": "#reactions button >> nth=0",
            "report": "a[href$='/report']",
        }.items()
    }

    def same_line(a, b):
        middle = a["y"] + a["height"] / 2
        return b["y"] <= middle <= b["y"] + b["height"]

    # Report sits with the likes, never on a line of its own.
    assert same_line(boxes["report"], boxes["like"])
    assert same_line(boxes["subscribe"], boxes["channel"])
    if screen == "laptop":
        assert same_line(boxes["like"], boxes["channel"])
    for box in boxes.values():
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= SCREENS[screen]["width"]
    shot(page, f"watch-meta-{screen}-{language}")


# Pop-ups


def test_share_closes_like_the_account_menu_and_the_bell(new_context, people):
    page = open_as(new_context, people, "viewer")
    page.goto(people["watch"])
    share = page.locator("details.share > summary")
    link = page.get_by_label("Link to this video")
    menu = page.get_by_label("Account menu")
    bell_panel = page.locator("#bell-panel")
    elsewhere = page.locator(".site-footer")

    share.click()
    expect(link).to_be_visible()
    link.click()  # a click inside keeps it open
    expect(link).to_be_visible()
    page.keyboard.press("Escape")
    expect(link).to_be_hidden()
    expect(share).to_be_focused()
    share.click()
    expect(link).to_be_visible()
    elsewhere.click()
    expect(link).to_be_hidden()

    # One opens, the others close; Escape returns to the button of the one that was open.
    share.click()
    menu.click()
    expect(link).to_be_hidden()
    expect(page.get_by_role("link", name="Your channel")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("link", name="Your channel")).to_be_hidden()
    expect(menu).to_be_focused()
    page.locator("#bell-button").click()
    expect(bell_panel).to_be_visible()
    share.click()
    expect(bell_panel).to_be_hidden()
    expect(link).to_be_visible()
    elsewhere.click()
    expect(link).to_be_hidden()


# The phone header


def header_rows(page):
    """The header's visible items, as [top, bottom, left, right] boxes."""
    return page.evaluate(
        """() => [...document.querySelectorAll(
                '.site-header__inner > *, .site-nav > *, .language-switcher button')]
            .map(e => e.getBoundingClientRect())
            .filter(r => r.width > 0 && r.height > 0)
            .map(r => [r.top, r.bottom, r.left, r.right])"""
    )


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("who", ["visitor", "viewer"])
def test_the_phone_header_is_one_row(new_context, people, who, language):
    page = open_as(new_context, people, who, screen="phone", language=language)
    page.goto("/")
    boxes = header_rows(page)
    # Every item overlaps every other vertically: one row, and nothing off the screen.
    assert max(top for top, _b, _l, _r in boxes) < min(bottom for _t, bottom, _l, _r in boxes)
    assert all(left >= 0 and right <= SCREENS["phone"]["width"] for _t, _b, left, right in boxes)
    assert page.locator(".site-header").bounding_box()["height"] <= 64
    expect(page.get_by_role("searchbox")).to_be_hidden()
    shot(page, f"phone-header-{who}-{language}")
    # The language switch stays at hand, for visitors too.
    if who == "viewer":
        page.get_by_role("navigation").locator("details.menu > summary").click()
    page.get_by_role("button", name=LANGUAGE_BUTTON[language]).click()
    expect(page.locator("html")).not_to_have_attribute("lang", language)


def test_the_phone_search_icon_opens_the_search_field(new_context, people):
    page = open_as(new_context, people, "visitor", screen="phone")
    page.goto("/")
    toggle = page.locator(".site-header").get_by_role("button", name="Search").first
    toggle.click()
    box = page.get_by_role("searchbox", name="Search")
    expect(box).to_be_focused()
    shot(page, "phone-search-open")
    assert_accessible(page)
    page.keyboard.press("Escape")
    expect(box).to_be_hidden()
    expect(toggle).to_be_focused()
    toggle.click()
    box.fill("short")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q=short"))
    expect(page.get_by_role("link", name="A short one")).to_be_visible()
    expect(box).to_have_value("short")


def test_the_phone_search_works_without_javascript(new_context, people):
    page = open_as(new_context, people, "visitor", screen="phone", java_script_enabled=False)
    page.goto("/")
    expect(page.get_by_role("searchbox")).to_be_hidden()
    page.get_by_role("link", name="Search").click()
    expect(page).to_have_url(re.compile(r"/search$"))
    box = page.get_by_role("searchbox", name="Search")
    box.fill("short")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q=short"))
    expect(page.get_by_role("link", name="A short one")).to_be_visible()
    shot(page, "phone-search-no-js")


# Search history


def test_typing_a_search_replaces_the_address_and_submitting_adds_to_history(new_context, people):
    page = open_as(new_context, people, "visitor")
    page.goto("/")
    start = page.evaluate("history.length")
    box = page.get_by_role("searchbox", name="Search")
    # On a laptop the field is there from the start, with no icon to open it.
    expect(page.locator(".site-header").get_by_role("button", name="Search")).to_have_count(1)
    box.press_sequentially("WWW", delay=30)
    expect(page).to_have_url(re.compile(r"q=WWW$"))
    box.press_sequentially("WW", delay=30)
    expect(page).to_have_url(re.compile(r"q=WWWWW$"))
    # Leaving the home page for the results is one step, however many pauses the typing had.
    assert page.evaluate("history.length") == start + 1
    # Enter keeps what was typed as it is.
    with page.expect_response(re.compile(r"/search\?q=WWWWW")):
        box.press("Enter")
    expect(page.locator(".search-box.htmx-request")).to_have_count(0)
    assert page.evaluate("history.length") == start + 1
    # A new search typed after that one is a new step.
    box.fill("sho")
    expect(page).to_have_url(re.compile(r"q=sho$"))
    box.press_sequentially("rt", delay=30)
    expect(page).to_have_url(re.compile(r"q=short$"))
    assert page.evaluate("history.length") == start + 2
    with page.expect_response(re.compile(r"/search\?q=short")):
        page.locator(".search-box").get_by_role("button", name="Search").click()
    expect(page.locator(".search-box.htmx-request")).to_have_count(0)
    assert page.evaluate("history.length") == start + 2
    # (htmx keeps no copies of pages: going back loads the page afresh.)
    page.evaluate("history.back()")
    expect(page).to_have_url(re.compile(r"q=WWWWW$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("WWWWW")
    page.evaluate("history.back()")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("searchbox", name="Search")).to_have_value("")


# Messages that were


def test_messages_go_on_the_next_page_and_can_be_dismissed(new_context, people):
    page = open_as(new_context, people, "viewer")
    message = page.locator(".messages").get_by_text("Your profile has been saved.")
    page.goto("/account/profile/")
    page.get_by_role("button", name="Save").click()
    expect(message).to_be_visible()
    assert_accessible(page)
    page.locator(".messages").get_by_role("button", name="Dismiss").click()
    expect(message).to_have_count(0)

    page.goto("/account/profile/")
    page.get_by_role("button", name="Save").click()
    expect(message).to_be_visible()
    # Typing a search swaps only the page's content: the message goes all the same.
    page.get_by_role("searchbox", name="Search").press_sequentially("short", delay=30)
    expect(page).to_have_url(re.compile(r"q=short$"))
    expect(message).to_have_count(0)


def test_a_comment_error_goes_when_the_comment_changes_or_is_posted(new_context, people):
    page = open_as(new_context, people, "viewer")
    page.goto(people["watch"])
    box = page.get_by_label("Comment", exact=True)
    post = page.get_by_role("button", name="Post")
    errors = page.locator("#id_body-errors")
    box.fill(" ")
    post.click()
    expect(errors).to_have_text("Write something first.")
    box.press_sequentially("Hi")
    expect(errors).to_be_empty()
    box.fill(" ")
    post.click()
    expect(errors).to_have_text("Write something first.")
    # Posted without a keystroke in the box (filled by a script): the old error goes too.
    box.evaluate("box => { box.value = 'First!'; }")
    post.click()
    expect(page.locator(".comment", has_text="First!")).to_be_visible()
    expect(errors).to_be_empty()
