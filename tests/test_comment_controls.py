"""Who may do what to a comment is decided once (Comment.controls_for). For each kind of person,
the rule's answer, the buttons the page shows them, what a broadcast copy shows them (by the
roles each control names, as static/js/comments.js reads them) and what the views let them do
are the same."""

from collections import defaultdict
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import resolve, reverse

from video_share import actions, shared_pages
from video_share.events import render_fragment
from video_share.models import Comment, CommentLike, Report

from .factories import make_user, make_video

pytestmark = pytest.mark.django_db

CONTROLS = ("edit", "delete", "pin", "heart", "report", "like")

# What each kind of person is offered on a comment, top-level or a reply (a reply is not
# pinned), and whose comment it is.
OFFERED = {
    "visitor": {"report", "like"},  # both ask them to log in first
    "author": {"edit", "delete", "like"},
    "video owner": {"delete", "pin", "heart", "report", "like"},
    "author who owns the video": {"edit", "delete", "pin", "heart", "like"},
    "another signed-in person": {"report", "like"},
    # Staff moderate through reports in the admin; on the page they are anyone.
    "staff": {"report", "like"},
}
KINDS = ("top-level", "reply")


@pytest.fixture
def people():
    return {
        "owner": make_user("olga"),
        "author": make_user("arno"),
        "another": make_user("nina"),
        "staff": make_user("sam", is_staff=True),
    }


def scene(people, role: str, kind: str):
    """(the person, the comment) for `role` and `kind` of comment."""
    video = make_video(people["owner"], title="A talk")
    person = {
        "visitor": None,
        "author": people["author"],
        "video owner": people["owner"],
        "author who owns the video": people["owner"],
        "another signed-in person": people["another"],
        "staff": people["staff"],
    }[role]
    author = people["owner"] if role == "author who owns the video" else people["author"]
    comment = actions.do_post_comment(video=video, author=author, body="The comment")
    if kind == "reply":
        comment = actions.do_post_comment(
            video=video, author=author, body="The reply", parent=comment
        )
    return person, Comment.objects.select_related("video").get(pk=comment.pk)


def offered(role: str, kind: str) -> set[str]:
    return OFFERED[role] - {"pin"} if kind == "reply" else OFFERED[role]


def client_of(person) -> Client:
    client = Client()
    if person is not None:
        client.force_login(person)
    return client


class PageControls(HTMLParser):
    """The controls of each comment of a page: {comment id: {control: (shown, data-for)}},
    and the comments whose Like is pressed."""

    def __init__(self, html: str):
        super().__init__()
        self.controls = defaultdict(dict)
        self.pressed = set()
        self.form = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "data-for" in attrs:
            found = resolve(urlsplit(attrs.get("href") or attrs["action"]).path)
            comment_id = found.kwargs["comment_id"]
            control = found.url_name.removesuffix("_comment")
            self.controls[comment_id][control] = ("hidden" not in attrs, attrs["data-for"])
            self.form = (comment_id, control) if tag == "form" else self.form
        is_like = "like" in (attrs.get("class") or "").split()
        if tag == "button" and is_like and attrs.get("aria-pressed") == "true":
            self.pressed.add(self.form[0])

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None


def shown(html: str, comment: Comment) -> set[str]:
    controls = PageControls(html).controls[comment.pk]
    return {name for name, (visible, _roles) in controls.items() if visible}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("role", OFFERED)
def test_the_rule_offers_each_person_their_controls(people, role, kind):
    person, comment = scene(people, role, kind)
    controls = comment.controls_for(person, comment.video)
    assert {name for name in CONTROLS if getattr(controls, name)} == offered(role, kind)
    assert not controls.liked


@pytest.mark.parametrize("shared", [False, True], ids=["rendered alone", "shared page"])
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("role", OFFERED)
def test_the_page_shows_each_person_the_controls_the_rule_offers(
    people, role, kind, shared, settings
):
    person, comment = scene(people, role, kind)
    url = comment.video.get_absolute_url()
    if shared:  # rendered for everyone first, then served to the person with their parts
        settings.VIDEO_SHARE_SHARED_PAGE_SECONDS = 5
        shared_pages.pages.clear()
        Client().get(url)
    try:
        page = client_of(person).get(url).text
    finally:
        shared_pages.pages.clear()
    assert shown(page, comment) == offered(role, kind)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("role", OFFERED)
def test_a_broadcast_copy_names_for_each_control_the_roles_that_get_it(
    people, role, kind, settings
):
    """A broadcast copy shows a visitor's controls; the reader's browser shows each control to
    whoever has one of the roles it names (the rule of comments.js, here in Python)."""
    person, comment = scene(people, role, kind)
    video = comment.video
    html = render_fragment(
        "video_share/comments.html#comment",
        {"comment": comment, "video": video, "broadcast": True},
        settings.LANGUAGE_CODE,
    )
    controls = PageControls(html).controls[comment.pk]
    assert {name for name, (visible, _roles) in controls.items() if visible} == offered(
        "visitor", kind
    )
    roles = comment.roles_of(person, video)
    revealed = {
        name for name, (_visible, for_roles) in controls.items() if roles & set(for_roles.split())
    }
    assert revealed == offered(role, kind)


def used(control: str, comment: Comment) -> bool:
    """Whether `control` took effect on `comment`."""
    if control == "delete":
        return not Comment.objects.filter(pk=comment.pk).exists()
    if control == "report":
        return Report.objects.filter(comment=comment).exists()
    if control == "like":
        return CommentLike.objects.filter(comment=comment).exists()
    comment = Comment.objects.get(pk=comment.pk)
    return {"edit": comment.body == "Changed", "pin": comment.pinned, "heart": comment.hearted}[
        control
    ]


@pytest.mark.parametrize("control", CONTROLS)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("role", OFFERED)
def test_the_views_do_exactly_what_the_rule_offers(people, role, kind, control):
    person, comment = scene(people, role, kind)
    client = client_of(person)
    url = reverse(f"{control}_comment", args=[comment.pk])
    response = client.post(url, {"body": "Changed", "reason": "spam"})
    if person is None:  # offered or not, a visitor is asked to log in first
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
        assert not used(control, comment)
    elif control in offered(role, kind):
        assert response.status_code == 302
        assert response["Location"].startswith(comment.video.get_absolute_url())
        assert used(control, comment)
    else:
        assert response.status_code == 404
        assert not used(control, comment)


@pytest.mark.parametrize("control", ["edit", "report"])
@pytest.mark.parametrize("role", sorted(set(OFFERED) - {"visitor"}))
def test_the_pages_of_controls_that_are_links_open_exactly_for_whom_they_are_offered(
    people, role, control
):
    person, comment = scene(people, role, "top-level")
    response = client_of(person).get(reverse(f"{control}_comment", args=[comment.pk]))
    assert response.status_code == (200 if control in offered(role, "top-level") else 404)


@pytest.mark.parametrize("role", sorted(set(OFFERED) - {"visitor"}))
def test_a_like_is_pressed_for_whoever_likes_the_comment(people, role):
    person, comment = scene(people, role, "top-level")
    CommentLike.objects.create(comment=comment, user=person)
    assert comment.controls_for(person, comment.video, liked=True).liked
    page = client_of(person).get(comment.video.get_absolute_url()).text
    assert PageControls(page).pressed == {comment.pk}
    assert not comment.controls_for(None, comment.video, liked=True).liked


@pytest.mark.parametrize("role", OFFERED)
def test_a_hidden_comment_offers_nothing_and_the_views_do_not_find_it(people, role):
    person, comment = scene(people, role, "top-level")
    actions.do_hide_comment(comment)
    comment.refresh_from_db()
    controls = comment.controls_for(person, comment.video)
    assert not any(getattr(controls, name) for name in CONTROLS)
    if person is None:
        return
    for control in CONTROLS:
        url = reverse(f"{control}_comment", args=[comment.pk])
        assert client_of(person).post(url, {"body": "Changed"}).status_code == 404, control


# Where the four places disagreed before the rule was one.


@pytest.mark.parametrize("control", ["delete", "pin", "heart"])
def test_staff_cannot_use_controls_their_page_does_not_offer(people, control):
    """The views let staff delete, pin and heart anyone's comment (through Video.can_edit),
    though neither the page, the shared pages nor comments.js offered it them."""
    _person, comment = scene(people, "staff", "top-level")
    url = reverse(f"{control}_comment", args=[comment.pk])
    assert client_of(people["staff"]).post(url).status_code == 404
    assert not used(control, comment)


def test_an_author_reporting_their_own_comment_is_refused_as_other_controls_are(people):
    """Not offered Report, the author was sent back with a message rather than refused."""
    author, comment = scene(people, "author", "top-level")
    url = reverse("report_comment", args=[comment.pk])
    assert client_of(author).post(url, {"reason": "spam"}).status_code == 404
    assert not Report.objects.exists()
