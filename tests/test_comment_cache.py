"""A comment's markup that is the same for everyone is cached ({% cache %} in comments.html):
never shown once it has changed."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from video_share import actions, shared_pages
from video_share.models import Comment, User

from .factories import make_user, make_video

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _events(published):
    """Live events are sent nowhere."""


@pytest.fixture
def video():
    return make_video(make_user("alice"), title="A video")


@pytest.fixture
def bob():
    return make_user("bob", display_name="Bob")


@pytest.fixture
def comment(video, bob):
    return Comment.objects.create(video=video, author=bob, body="Old words")


@pytest.fixture(params=["the video's owner", "visitor"])
def reader(request, settings, video):
    """Someone whose every page is rendered for them (shared pages off): only the cached
    fragments could lag."""
    shared_pages.pages.clear()
    settings.VIDEO_SHARE_SHARED_PAGE_SECONDS = 0
    client = Client()
    if request.param == "the video's owner":
        client.force_login(video.owner)
    return client


def shown(client, comment, **headers) -> str:
    """The comment as the watch page shows it, up to its buttons ("" if it is not shown)."""
    page = client.get(comment.video.get_absolute_url(), headers=headers).text
    start = page.find(f'id="comment-{comment.pk}"')
    if start == -1:
        return ""
    return page[start : page.index("</article>", start)]


def test_a_comment_is_rendered_once_then_taken_from_the_cache(reader, video, comment):
    def avatars() -> int:
        templates = reader.get(video.get_absolute_url()).templates
        return [template.origin.template_name for template in templates].count(
            "includes/avatar.html"
        )

    first, second = avatars(), avatars()
    assert second == first - 1  # the comment's avatar (and all around it) came from the cache


def test_an_edit_is_shown_at_once(reader, comment):
    assert "Old words" in shown(reader, comment)
    actions.do_edit_comment(comment, "New words")
    html = shown(reader, comment)
    assert "New words" in html
    assert "Old words" not in html
    assert "(edited)" in html


def test_a_heart_is_shown_and_taken_back_at_once(reader, comment):
    assert "Loved by the creator" not in shown(reader, comment)
    actions.do_heart_comment(comment, True)
    assert "Loved by the creator" in shown(reader, comment)
    actions.do_heart_comment(comment, False)
    assert "Loved by the creator" not in shown(reader, comment)


def test_a_pin_is_shown_and_taken_back_at_once(reader, comment):
    badge = '<span class="badge">Pinned</span>'
    assert badge not in shown(reader, comment)
    actions.do_pin_comment(comment)
    assert badge in shown(reader, comment)
    actions.do_pin_comment(comment, pinned=False)
    assert badge not in shown(reader, comment)


def test_a_like_is_counted_at_once(reader, comment):
    assert f'id="comment-likes-{comment.pk}">0<' in shown(reader, comment)
    actions.do_toggle_comment_like(comment, make_user("carol"))
    assert f'id="comment-likes-{comment.pk}">1<' in shown(reader, comment)


def test_a_hidden_or_deleted_comment_is_gone_at_once(reader, video, bob, comment):
    other = Comment.objects.create(video=video, author=bob, body="Other words")
    assert shown(reader, comment)
    assert shown(reader, other)
    actions.do_hide_comment(comment)
    assert not shown(reader, comment)
    actions.do_delete_comment(other)
    assert not shown(reader, other)


def test_a_new_name_of_the_author_is_shown_at_once(reader, bob, comment):
    assert "<strong>Bob</strong>" in shown(reader, comment)
    User.objects.filter(pk=bob.pk).update(display_name="Robert")
    html = shown(reader, comment)
    assert "<strong>Robert</strong>" in html
    assert "<strong>Bob</strong>" not in html


def test_the_age_shown_follows_the_clock(reader, comment):
    assert ">just now</time>" in shown(reader, comment)
    Comment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=2)
    )
    assert ">2\xa0hours ago</time>" in shown(reader, comment)


def test_each_language_has_its_own_copy(reader, comment):
    actions.do_pin_comment(comment)
    assert '<span class="badge">Pinned</span>' in shown(reader, comment)
    arabic = shown(reader, comment, **{"accept-language": "ar"})
    assert '<span class="badge">مثبّت</span>' in arabic
    assert ">الآن</time>" in arabic
