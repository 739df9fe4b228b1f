"""What a new visitor meets first, on a laptop and on a phone, in both languages: long words
that never push the page sideways, a one-row phone header, pop-ups that close the same way,
search history that follows what was asked, and messages that do not outstay their welcome."""

import pytest
from playwright.sync_api import expect

from .conftest import SCREENSHOTS
from .helpers import sign_up, unique_name

SCREENS = {"laptop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}
LONG_TITLE = "W" * 200
LANGUAGE_BUTTON = {"en": "العربيّة", "ar": "English"}


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
        "Video.objects.create(owner=creator, title='A short one', status='ready', duration=30)\n"
        f"video = Video.objects.create(owner=creator, title={LONG_TITLE!r}, status='ready',"
        " duration=30, description='D' * 300)\n"
        "print(video.public_id)"
    )
    return {"states": states, "names": names, "watch": f"/v/{public_id}"}


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
