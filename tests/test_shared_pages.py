import re
import threading

import pytest
from django.db import connections
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse

from video_share import shared_pages
from video_share.models import Video

from .factories import PASSWORD, make_user, make_video

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')


@pytest.fixture(autouse=True)
def _shared(settings):
    settings.VIDEO_SHARE_SHARED_PAGE_SECONDS = 5
    shared_pages.pages.clear()
    yield
    shared_pages.pages.clear()


@pytest.fixture
def video():
    return make_video(make_user("alice"), title="First title")


def retitle(video, title):
    Video.objects.filter(pk=video.pk).update(title=title)


def test_visitors_share_a_page_rendered_once(client, video, django_assert_num_queries):
    assert "First title" in client.get(video.get_absolute_url()).text
    retitle(video, "Second title")
    with django_assert_num_queries(0):
        again = Client().get(video.get_absolute_url())
    assert again.status_code == 200
    assert "First title" in again.text


def test_a_shared_page_is_rendered_again_once_it_expires(client, video, monkeypatch):
    client.get(video.get_absolute_url())
    retitle(video, "Second title")
    later = shared_pages.time.monotonic() + 6
    monkeypatch.setattr(shared_pages.time, "monotonic", lambda: later)
    assert "Second title" in client.get(video.get_absolute_url()).text


def test_each_visitor_gets_a_token_of_their_own_that_works(video):
    Client().get(video.get_absolute_url())
    retitle(video, "Second title")
    for _ in range(2):
        visitor = Client(enforce_csrf_checks=True)
        page = visitor.get(video.get_absolute_url())
        assert "First title" in page.text  # the shared page
        tokens = set(TOKEN.findall(page.text))
        assert len(tokens) == 1
        assert f'"X-CSRFToken": "{tokens.pop()}"' in page.text
        assert "csrftoken" in page.cookies  # a new visitor gets the cookie the token needs
        token = TOKEN.search(page.text).group(1)
        answer = visitor.post(
            reverse("set_language"), {"language": "ar", "csrfmiddlewaretoken": token}
        )
        assert answer.status_code == 302


def test_signed_in_visitors_never_get_a_shared_page(client, video):
    client.get(video.get_absolute_url())
    retitle(video, "Second title")
    # django-axes counts every authentication against a request.
    client.login(request=HttpRequest(), username="alice", password=PASSWORD)
    assert "Second title" in client.get(video.get_absolute_url()).text


def test_visitors_with_a_message_waiting_get_their_own_page(client, video):
    client.get(reverse("home"))
    retitle(video, "Second title")
    client.cookies["messages"] = "anything"
    assert "Second title" in client.get(reverse("home")).text


def test_pages_are_kept_per_language(video):
    assert 'lang="en"' in Client().get(reverse("home")).text
    arabic = Client(headers={"accept-language": "ar"})
    assert 'lang="ar" dir="rtl"' in arabic.get(reverse("home")).text


def test_pages_are_kept_per_htmx_request(client, video):
    full = client.get(reverse("home"))
    part = client.get(reverse("home"), headers={"HX-Request": "true"})
    assert "<html" in full.text
    assert "<html" not in part.text
    assert "<html" in Client().get(reverse("home")).text


def test_pages_not_marked_shared_are_rendered_each_time(client, video):
    url = reverse("login")
    first, second = client.get(url), client.get(url)
    assert TOKEN.search(first.text).group(1) != TOKEN.search(second.text).group(1)
    assert not shared_pages.pages.pages


def test_an_error_page_is_not_kept(client):
    assert client.get("/v/nosuchvideo").status_code == 404
    kept = shared_pages.pages.pages.values()
    assert not any(isinstance(page, shared_pages.Page) for page in kept)


def test_the_pages_kept_are_bounded(client, video, monkeypatch):
    monkeypatch.setattr(shared_pages, "MAX_PAGES", 3)
    for page in range(5):
        client.get(reverse("home"), {"page": page})
    assert len(shared_pages.pages.pages) == 3


def test_a_new_visitor_is_served_a_shared_page_and_a_csrf_cookie_without_a_query(
    video, django_assert_num_queries
):
    url = video.get_absolute_url()
    Client().get(url)
    retitle(video, "Second title")
    with django_assert_num_queries(0):
        again = Client().get(url)
    assert "First title" in again.text
    assert again.cookies["csrftoken"]


def csrf_cookie_and_token() -> tuple[Client, str]:
    """A visitor with a CSRF cookie, and a token of its secret (from a page not shared)."""
    visitor = Client(enforce_csrf_checks=True)
    token = TOKEN.search(visitor.get(reverse("login")).text).group(1)
    return visitor, token


def token_works(client: Client, token: str) -> bool:
    """Whether the CSRF cookie of `client` accepts `token` on a form post."""
    checking = Client(enforce_csrf_checks=True)
    checking.cookies["csrftoken"] = client.cookies["csrftoken"].value
    answer = checking.post(
        reverse("set_language"), {"language": "en", "csrfmiddlewaretoken": token}
    )
    return answer.status_code == 302


def test_a_token_like_string_in_what_a_user_wrote_is_never_replaced(video):
    # A visitor writes a token of their own secret into the page...
    renderer, written = csrf_cookie_and_token()
    Video.objects.filter(pk=video.pk).update(description=f"see https://example.com/?{written}")
    # ...and renders the shared page: the next visitor's token never takes its place.
    renderer.get(video.get_absolute_url())
    page = Client().get(video.get_absolute_url()).text
    assert written in page


def test_the_visitor_who_renders_a_shared_page_keeps_their_secret(video):
    visitor, _token = csrf_cookie_and_token()
    secret = visitor.cookies["csrftoken"].value
    page = visitor.get(video.get_absolute_url())
    assert token_works(visitor, TOKEN.search(page.text).group(1))
    assert page.cookies.get("csrftoken") is None or page.cookies["csrftoken"].value == secret


def test_a_shared_page_holds_the_placeholder_for_tokens_and_is_served_without_it(video):
    visitor, _token = csrf_cookie_and_token()
    served = visitor.get(video.get_absolute_url()).text
    (page,) = shared_pages.pages.pages.values()
    kept = b"".join(page.segments).decode()
    kept += "".join(block.visitor_html.decode() for block in page.blocks if block.visitor_html)
    # Nobody's token is kept in it: only the placeholder where tokens go.
    assert not ANY_TOKEN.search(kept)
    assert f'"X-CSRFToken": "{shared_pages.CSRF_PLACEHOLDER}"' in kept
    assert shared_pages.CSRF_PLACEHOLDER not in served
    assert shared_pages.CSRF_PLACEHOLDER not in Client().get(video.get_absolute_url()).text


@pytest.mark.django_db(transaction=True)  # the crowd's threads read what the test wrote
def test_a_crowd_arriving_at_once_waits_for_one_render(monkeypatch):
    video = make_video(make_user("alice"), title="First title")
    crowd = 5
    kept, arrived = [], []
    started, release = threading.Event(), threading.Event()
    original_page, original_wait = shared_pages.Page.__init__, shared_pages.pages.wait_for_render
    original_render = shared_pages.SharedRender.__init__

    def counting(self, *args, **kwargs):
        kept.append(1)
        original_page(self, *args, **kwargs)

    def arriving(key):
        arrived.append(1)
        return original_wait(key)

    def held(self, request):
        # The first render is held until the rest of the crowd is there.
        original_render(self, request)
        started.set()
        assert release.wait(10)

    monkeypatch.setattr(shared_pages.Page, "__init__", counting)
    monkeypatch.setattr(shared_pages.pages, "wait_for_render", arriving)
    monkeypatch.setattr(shared_pages.SharedRender, "__init__", held)
    responses = []

    def visit():
        try:
            responses.append(Client().get(video.get_absolute_url()))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=visit) for _ in range(crowd)]
    threads[0].start()
    assert started.wait(10)
    for thread in threads[1:]:
        thread.start()
    deadline = shared_pages.time.monotonic() + 10
    while len(arrived) < crowd and shared_pages.time.monotonic() < deadline:
        shared_pages.time.sleep(0.01)
    release.set()
    for thread in threads:
        thread.join(20)
    assert len(arrived) == crowd
    assert [response.status_code for response in responses] == [200] * crowd
    assert all("First title" in response.text for response in responses)
    assert len(kept) == 1
    assert not shared_pages.pages.rendering


# People who are signed in: the shared page with their personal parts filled in.

CLIENT_TOKEN = re.compile(r'name="client_token" id="client-token" value="[^"]*"')
ANY_TOKEN = re.compile(r"\b[A-Za-z0-9]{64}\b")
NONCE = re.compile(r'nonce="[^"]*"')


@pytest.fixture
def scene(video):
    """A video with a comment and a reply, a few people who stand in different relations to
    it, and the pages that show it."""
    from video_share.models import (
        Comment,
        CommentLike,
        Reaction,
        Subscription,
        Tag,
        User,
        WatchProgress,
    )

    alice = video.owner
    bob, carol, dave, erin = (make_user(name) for name in ("bob", "carol", "dave", "erin"))
    staff = make_user("sam", is_staff=True)
    top = Comment.objects.create(video=video, author=bob, body="A comment")
    Comment.objects.create(video=video, author=bob, body="A reply", parent=top)
    CommentLike.objects.create(comment=top, user=carol)
    Subscription.objects.create(subscriber=dave, channel=alice)
    User.objects.filter(pk=alice.pk).update(subscriber_count=1)
    WatchProgress.objects.create(user=erin, video=video, position=42, duration=120)
    Reaction.objects.create(video=video, user=erin, value=Reaction.LIKE)
    Video.objects.filter(pk=video.pk).update(like_count=1)
    tag = Tag.objects.create(name="River", key="river")
    video.tags.add(tag)
    from video_share.search import index_videos

    index_videos(Video.objects.filter(pk=video.pk))
    from video_share import actions

    playlist = actions.do_create_playlist(alice, title="Series", visibility="public", video=video)
    people = {"alice": alice, "bob": bob, "carol": carol, "dave": dave, "erin": erin, "sam": staff}
    urls = [
        reverse("home"),
        reverse("home") + "?tab=trending",
        reverse("search") + "?q=first",
        alice.get_absolute_url(),
        reverse("channel_about", args=["alice"]),
        reverse("channel_playlists", args=["alice"]),
        reverse("tag", args=["river"]),
        video.get_absolute_url(),
        video.get_absolute_url() + "?t=7",
        video.get_absolute_url() + f"?list={playlist.public_id}",
    ]
    return people, urls


def signed_in(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def comparable(html: str) -> str:
    # Scripts come from the site itself ('self'): the nonce in a shared page is its render's.
    html = NONCE.sub('nonce=""', html)
    return ANY_TOKEN.sub("TOKEN", CLIENT_TOKEN.sub("CLIENT-TOKEN", html))


@pytest.mark.parametrize("first", ["a visitor", "dave"])
def test_everyone_signed_in_gets_the_page_as_if_it_were_rendered_for_them(scene, settings, first):
    people, urls = scene
    for url in urls:
        for name, person in people.items():
            settings.VIDEO_SHARE_SHARED_PAGE_SECONDS = 0
            alone = signed_in(person).get(url)
            settings.VIDEO_SHARE_SHARED_PAGE_SECONDS = 5
            shared_pages.pages.clear()
            (Client() if first == "a visitor" else signed_in(people[first])).get(url)
            shared = signed_in(person).get(url)
            assert shared.status_code == alone.status_code == 200, (url, name)
            assert comparable(shared.text) == comparable(alone.text), (url, name)
            # The person whose request renders the page for everyone gets theirs from it too.
            shared_pages.pages.clear()
            rendering = signed_in(person).get(url)
            assert comparable(rendering.text) == comparable(alone.text), (url, name)


def test_a_signed_in_person_is_served_the_shared_page_with_their_parts(
    scene, django_assert_max_num_queries
):
    people, _urls = scene
    video = Video.objects.get(title="First title")
    Client().get(video.get_absolute_url())  # rendered for everyone
    retitle(video, "Second title")
    erin, dave = signed_in(people["erin"]), signed_in(people["dave"])
    # Session and user, the checks of the page, the bell, the like buttons, Subscribe, Watch
    # later, where the player resumes, the blocks around the comments, instead of the page.
    with django_assert_max_num_queries(9):
        page = erin.get(video.get_absolute_url())
    assert "First title" in page.text  # the shared page...
    assert "@erin" in page.text  # ...with erin's menu,
    assert 'data-start="42"' in page.text  # where she left off,
    assert 'id="comment-form"' in page.text  # a comment form,
    assert "Log in to comment" not in page.text
    assert "You are subscribed" not in page.text
    # and for dave, his: he follows alice.
    page = dave.get(video.get_absolute_url())
    assert "First title" in page.text
    assert "@dave" in page.text
    assert "@erin" not in page.text
    assert "You are subscribed to" in page.text
    assert 'data-start="0"' in page.text


@pytest.mark.parametrize("name", ["alice", "sam"])
def test_those_the_page_shows_differently_get_it_rendered_for_them(scene, name):
    """The owner (their tools, their processing stream) and staff (tools on every video) see
    the page as it is now."""
    people, _urls = scene
    video = Video.objects.get(title="First title")
    Client().get(video.get_absolute_url())
    retitle(video, "Second title")
    assert "Second title" in signed_in(people[name]).get(video.get_absolute_url()).text


def test_the_buttons_of_a_comment_are_rendered_for_its_author_and_those_who_like_it(scene):
    people, _urls = scene
    video = Video.objects.get(title="First title")
    Client().get(video.get_absolute_url())
    retitle(video, "Second title")

    def buttons(name, body):
        page = signed_in(people[name]).get(video.get_absolute_url()).text
        assert "First title" in page  # the shared page
        comment = page[page.index(body) :]
        return comment[: comment.index("</article>")]

    assert 'data-for="author">Edit</a>' in buttons("bob", "A comment")
    assert 'data-for="author" hidden>Edit</a>' in buttons("dave", "A comment")
    assert 'aria-pressed="true"' in buttons("carol", "A comment")
    assert 'aria-pressed="true"' not in buttons("carol", "A reply")
    assert 'aria-pressed="true"' not in buttons("dave", "A comment")


def test_a_channel_owner_gets_their_own_channel_page(scene):
    people, _urls = scene
    url = people["alice"].get_absolute_url()
    Client().get(url)
    make_video(people["alice"], title="Private one", visibility="private")
    assert "Private one" in signed_in(people["alice"]).get(url).text
    assert "Private one" not in signed_in(people["dave"]).get(url).text


def test_a_search_finds_the_searchers_own_unlisted_videos(scene):
    from video_share.search import index_videos

    people, _urls = scene
    url = reverse("search") + "?q=first"
    Client().get(url)
    mine = make_video(people["erin"], title="First of mine", visibility="unlisted")
    index_videos(Video.objects.filter(pk=mine.pk))
    assert "First of mine" in signed_in(people["erin"]).get(url).text
    assert "First of mine" not in signed_in(people["dave"]).get(url).text


def test_whoever_changes_something_sees_the_change_at_once(scene):
    people, _urls = scene
    video = Video.objects.get(title="First title")
    erin = signed_in(people["erin"])
    erin.get(video.get_absolute_url())
    answer = erin.post(
        reverse("post_comment", args=[video.public_id]),
        {"body": "Just posted", "client_token": "t1"},
    )
    assert answer.status_code == 302
    assert answer.cookies[shared_pages.FRESH_COOKIE]["max-age"] == 5
    assert "Just posted" in erin.get(video.get_absolute_url()).text
    # Others see it once the shared page is rendered again, or live.
    assert "Just posted" not in signed_in(people["dave"]).get(video.get_absolute_url()).text


def test_each_signed_in_page_has_its_own_comment_token_and_a_csrf_token_that_works(scene):
    people, _urls = scene
    video = Video.objects.get(title="First title")
    Client().get(video.get_absolute_url())
    erin = signed_in(people["erin"])
    erin.handler.enforce_csrf_checks = True
    first, second = (erin.get(video.get_absolute_url()).text for _ in range(2))
    tokens = [CLIENT_TOKEN.search(page).group() for page in (first, second)]
    assert tokens[0] != tokens[1]
    # One token throughout the page (masked once for it), that erin's cookie accepts.
    (token,) = set(TOKEN.findall(second))
    assert f'"X-CSRFToken": "{token}"' in second
    assert shared_pages.CSRF_PLACEHOLDER not in second
    answer = erin.post(
        reverse("react", args=[video.public_id]), {"value": "like", "csrfmiddlewaretoken": token}
    )
    assert answer.status_code == 302


def test_a_page_that_redirects_a_visitor_is_rendered_for_the_person(scene):
    people, _urls = scene
    url = reverse("home") + "?tab=subscriptions"
    assert Client().get(url).status_code == 302
    page = signed_in(people["dave"]).get(url)
    assert page.status_code == 200
    assert "First title" in page.text


def test_the_players_reports_leave_pages_shared_and_other_posts_do_not(scene):
    people, _urls = scene
    video = Video.objects.get(title="First title")
    erin = signed_in(people["erin"])
    progress = erin.post(
        reverse("video_progress", args=[video.public_id]), {"position": 30, "duration": 120}
    )
    view = erin.post(reverse("video_view", args=[video.public_id]))
    assert shared_pages.FRESH_COOKIE not in progress.cookies
    assert shared_pages.FRESH_COOKIE not in view.cookies
    liked = erin.post(reverse("react", args=[video.public_id]), {"value": "dislike"})
    assert shared_pages.FRESH_COOKIE in liked.cookies


def test_a_person_rendered_for_alone_is_never_given_a_visitors_render(scene, monkeypatch):
    """Even when what was kept is gone by the time their own render starts."""
    people, _urls = scene
    monkeypatch.setattr(shared_pages.pages, "put", lambda key, page: None)
    url = reverse("home") + "?tab=subscriptions"
    page = signed_in(people["dave"]).get(url)
    assert page.status_code == 200
    assert "First title" in page.text
    assert "\x00" not in page.text
    assert not shared_pages.pages.rendering


def test_a_page_expires_counted_from_before_its_render(client, video, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(shared_pages.time, "monotonic", lambda: clock[0])
    original = shared_pages.Page.__init__

    def slow_render(self, *args, **kwargs):
        clock[0] += 3  # the render took three seconds
        original(self, *args, **kwargs)

    monkeypatch.setattr(shared_pages.Page, "__init__", slow_render)
    client.get(video.get_absolute_url())
    (page,) = shared_pages.pages.pages.values()
    assert page.expires == 1005.0


def test_the_account_menu_is_rendered_once_for_what_it_shows_of_a_person(scene):
    from video_share.models import Notification, User

    people, _urls = scene
    erin = signed_in(people["erin"])
    pages = [reverse("home"), reverse("tag", args=["river"])]
    for url in pages:
        Client().get(url)  # rendered for everyone
    first, second = (erin.get(url).text for url in pages)
    assert len(shared_pages.part_cache.parts) == 1  # one account menu, served twice
    tokens = {token for page in (first, second) for token in TOKEN.findall(page)}
    assert len(tokens) > 1  # masked anew for each page...
    assert all(token_works(erin, token) for token in tokens)  # ...all erin's
    # What the menu shows changes: it is rendered again.
    Notification.objects.create(
        recipient=people["erin"], kind=Notification.Kind.SUBSCRIBER, actor=people["dave"]
    )
    User.objects.filter(pk=people["erin"].pk).update(display_name="Erin Renamed")
    page = erin.get(pages[0]).text
    assert "Erin Renamed" in page
    assert '<span aria-hidden="true">1</span>' in page


def test_expired_pages_are_let_go(client, video, monkeypatch):
    client.get(reverse("home"))
    client.get(video.get_absolute_url())
    later = shared_pages.time.monotonic() + 6
    monkeypatch.setattr(shared_pages.time, "monotonic", lambda: later)
    client.get(reverse("home"))
    assert len(shared_pages.pages.pages) == 1  # the watch page, expired, is gone


# STYLE.md rule 14: a template that reads the person outside a {% personal %} block fails. In a
# page rendered for everyone, such a read would see a visitor, and everyone would be served that.

# What the context processors give of the person, and what the request holds of them.
PERSON = {"user", "perms", "messages", "unread_count"}
PERSON_OF_REQUEST = {"user", "session"}


def reads_the_person(lookups) -> bool:
    """Whether a template variable (`user.pk` as ("user", "pk")) reads the person."""
    if not lookups:
        return False
    if lookups[0] == "request":
        return len(lookups) > 1 and lookups[1] in PERSON_OF_REQUEST
    return lookups[0] in PERSON


def person_reads_outside_personal_blocks(names: set[str]) -> list[str]:
    """Where the templates `names`, and those they include or extend, read the person outside
    a {% personal %} block (every branch, rendered or not). Those included within a personal
    block are not followed: they are rendered for each person."""
    from django.template import Node
    from django.template.base import FilterExpression, Token, TokenType, Variable
    from django.template.loader import get_template
    from django.template.loader_tags import ExtendsNode, IncludeNode
    from django.template.smartif import TokenBase

    from video_share.shared_pages import PersonalNode

    found, to_walk, walked = [], {name.split("#")[0] for name in names}, set()

    def walk(value, where: str):
        if isinstance(value, PersonalNode):
            return
        if isinstance(value, Node):
            where = f"{value.origin.template_name}:{value.token.lineno}"
            if isinstance(value, IncludeNode | ExtendsNode):
                name = (value.template if isinstance(value, IncludeNode) else value.parent_name).var
                assert isinstance(name, str), f"{where}: a template name the test cannot follow"
                to_walk.add(name.split("#")[0])
            for attribute, inner in vars(value).items():
                # The rest are the template's source and a partial's or block's other names.
                if attribute not in ("origin", "token", "partial_mapping", "blocks", "parent"):
                    walk(inner, where)
        elif isinstance(value, list | tuple):
            for inner in value:
                walk(inner, where)
        elif isinstance(value, dict):
            for inner in value.values():
                walk(inner, where)
        elif isinstance(value, FilterExpression):
            walk(value.var, where)
            for _filter, arguments in value.filters:
                for _is_variable, argument in arguments:
                    walk(argument, where)
        elif isinstance(value, Variable) and reads_the_person(value.lookups):
            found.append(f"{where}: {value.var}")
        elif isinstance(value, TokenBase):  # a condition of {% if %}
            walk(list(vars(value).values()), where)
        elif (  # a name that {% blocktranslate %} reads
            isinstance(value, Token)
            and value.token_type == TokenType.VAR
            and reads_the_person(tuple(value.contents.split(".")))
        ):
            found.append(f"{where}: {value.contents}")

    while to_walk - walked:
        name = (to_walk - walked).pop()
        walked.add(name)
        walk(get_template(name).template.nodelist, name)
    return found


def test_the_shared_pages_read_the_person_only_in_personal_blocks(scene):
    from django.urls import get_resolver

    from .test_pages import _routes

    _people, urls = scene
    templates = {}  # of each shared page, whole or for htmx
    for url in urls:
        for headers in ({}, {"HX-Request": "true"}):
            response = Client().get(url, headers=headers)
            assert response.status_code == 200, url
            templates.setdefault(response.resolver_match.url_name, set()).update(
                template.origin.template_name for template in response.templates
            )
    # Every shared page is among them.
    shared = {
        pattern.name
        for _route, pattern in _routes(get_resolver().url_patterns)
        if getattr(pattern.callback, "shared_page", False)
    }
    assert shared == set(templates)
    reads = person_reads_outside_personal_blocks(set().union(*templates.values()))
    assert not reads, "The person is read outside a {% personal %} block:\n" + "\n".join(reads)


def test_with_shared_pages_off_every_page_is_rendered(video, settings):
    settings.VIDEO_SHARE_SHARED_PAGE_SECONDS = 0
    Client().get(video.get_absolute_url())
    retitle(video, "Second title")
    assert "Second title" in Client().get(video.get_absolute_url()).text
    assert not shared_pages.pages.pages
    bob = signed_in(make_user("bob"))
    liked = bob.post(reverse("react", args=[video.public_id]), {"value": "like"})
    assert shared_pages.FRESH_COOKIE not in liked.cookies


def test_shared_pages_settings_are_checked_when_the_site_starts(settings):
    from django.core.exceptions import ImproperlyConfigured

    from video_share.shared_pages import SharedPageMiddleware

    def start():
        return SharedPageMiddleware(lambda request: None)

    settings.VIDEO_SHARE_SHARED_PAGE_SECONDS = 5
    start()
    template = settings.TEMPLATES[0]
    processors = template["OPTIONS"]["context_processors"]
    settings.TEMPLATES = [
        {
            **template,
            "OPTIONS": {
                "context_processors": [p for p in processors if "shared_page_csrf" not in p]
            },
        }
    ]
    with pytest.raises(ImproperlyConfigured, match="shared_page_csrf_token"):
        start()
    settings.VIDEO_SHARE_SHARED_PAGE_SECONDS = 0
    start()
