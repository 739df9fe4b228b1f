"""Blocking someone: their comments are hidden for the blocker alone, they notify the blocker
no more, and they cannot comment on the blocker's videos; unblocking undoes it all."""

import pytest
from django.test import Client
from django.urls import reverse

from video_share import actions
from video_share.models import Block, Comment, Notification

from .factories import make_user, make_video

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(db):
    return make_user("alice")


@pytest.fixture
def mallory(db):
    return make_user("mallory")


@pytest.fixture
def video(alice):
    return make_video(alice, title="Alice's talk")


def as_user(person):
    browser = Client()
    browser.force_login(person)
    return browser


def block(browser, person):
    return browser.post(reverse("block", args=[person.username]))


def test_the_channel_page_offers_block_and_then_unblock(alice, mallory):
    browser = as_user(alice)
    page = browser.get(mallory.get_absolute_url()).content.decode()
    assert reverse("block", args=["mallory"]) in page
    assert block(browser, mallory).status_code == 302
    assert Block.objects.filter(blocker=alice, blocked=mallory).exists()
    page = browser.get(mallory.get_absolute_url()).content.decode()
    assert reverse("unblock", args=["mallory"]) in page
    # Not on one's own channel, nor for visitors.
    assert reverse("block", args=["alice"]) not in browser.get(alice.get_absolute_url()).text
    assert reverse("block", args=["mallory"]) not in Client().get(mallory.get_absolute_url()).text


def test_blocking_needs_a_post_with_the_csrf_token(alice, mallory):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    assert block(browser, mallory).status_code == 403
    assert as_user(alice).get(reverse("block", args=["mallory"])).status_code == 405
    assert not Block.objects.exists()


def test_nobody_blocks_themselves(alice):
    block(as_user(alice), alice)
    assert not Block.objects.exists()


def test_a_blocked_persons_comments_are_hidden_for_the_blocker_only(alice, mallory):
    elsewhere = make_video(make_user("carol"), title="Carol's talk")
    Comment.objects.create(video=elsewhere, author=mallory, body="MALLORY WAS HERE")
    kind = Comment.objects.create(video=elsewhere, author=make_user("dan"), body="kind words")
    Comment.objects.create(video=elsewhere, author=mallory, parent=kind, body="MALLORY REPLIES")
    url = elsewhere.get_absolute_url()
    viewer = as_user(make_user("viewer"))
    assert "MALLORY WAS HERE" in viewer.get(url).text  # rendered for everyone first
    browser = as_user(alice)
    block(browser, mallory)
    page = browser.get(url).text
    assert "MALLORY WAS HERE" not in page
    assert "MALLORY REPLIES" not in page
    assert "kind words" in page
    # The live comments are left out in the browser: the page names whom she blocked.
    assert f'data-blocked-authors="{mallory.pk}"' in page
    # More comments, another order: the same.
    more = browser.get(
        reverse("comment_list", args=[elsewhere.public_id]) + "?sort=newest",
        headers={"HX-Request": "true"},
    ).text
    assert "MALLORY WAS HERE" not in more
    assert "kind words" in more
    # Everyone else still sees them, visitors too.
    for other in (viewer, Client()):
        page = other.get(url).text
        assert "MALLORY WAS HERE" in page
        assert "MALLORY REPLIES" in page
        assert "data-blocked-authors" not in page


def test_unblocking_restores_the_comments(alice, mallory, video):
    Comment.objects.create(video=video, author=mallory, body="MALLORY WAS HERE")
    browser = as_user(alice)
    block(browser, mallory)
    assert "MALLORY WAS HERE" not in browser.get(video.get_absolute_url()).text
    page = browser.get(reverse("blocked_people")).text
    assert "@mallory" in page
    response = browser.post(
        reverse("unblock", args=["mallory"]), {"next": reverse("blocked_people")}
    )
    assert response["Location"] == reverse("blocked_people")
    assert not Block.objects.exists()
    assert "@mallory" not in browser.get(reverse("blocked_people")).text
    assert "MALLORY WAS HERE" in browser.get(video.get_absolute_url()).text


def test_the_blocked_person_cannot_comment_on_the_blockers_videos(alice, mallory, video):
    actions.do_block(alice, mallory)
    browser = as_user(mallory)
    page = browser.get(video.get_absolute_url()).text
    assert 'id="comment-form"' not in page
    assert "The owner of this video has blocked you" in page
    response = browser.post(
        reverse("post_comment", args=[video.public_id]),
        {"body": "let me in"},
        headers={"HX-Request": "true"},
    )
    assert "The owner of this video has blocked you" in response.text
    assert not Comment.objects.exists()
    # Elsewhere, and once unblocked, they can.
    actions.do_unblock(alice, mallory)
    browser.post(reverse("post_comment", args=[video.public_id]), {"body": "thanks"})
    assert Comment.objects.get().body == "thanks"


def test_others_still_comment_on_the_blockers_videos(alice, mallory, video):
    actions.do_block(alice, mallory)
    as_user(make_user("dan")).post(reverse("post_comment", args=[video.public_id]), {"body": "hi"})
    assert Comment.objects.get().body == "hi"


def test_the_blocker_gets_no_notifications_from_the_blocked_person(alice, mallory, video):
    mine = Comment.objects.create(video=make_video(mallory), author=alice, body="my comment")
    actions.do_block(alice, mallory)
    actions.do_post_comment(video=video, author=mallory, body="hello @alice")
    actions.do_post_comment(video=mine.video, author=mallory, body="a reply", parent=mine)
    actions.do_toggle_comment_like(mine, mallory)
    actions.do_subscribe(mallory, alice)
    assert not Notification.objects.filter(recipient=alice).exists()
    # Someone else's still arrive.
    actions.do_post_comment(video=video, author=make_user("dan"), body="hi")
    assert Notification.objects.filter(recipient=alice).count() == 1


def test_blocking_removes_the_unread_notifications_they_caused(alice, mallory, video):
    actions.do_post_comment(video=video, author=mallory, body="first")
    assert Notification.objects.filter(recipient=alice, actor=mallory).exists()
    actions.do_block(alice, mallory)
    assert not Notification.objects.filter(recipient=alice, actor=mallory).exists()


def test_a_blocked_channel_tells_the_blocker_nothing_of_new_videos(alice, mallory):
    actions.do_subscribe(alice, mallory)
    actions.do_block(alice, mallory)
    actions.fan_out_new_video(make_video(mallory, title="New"))
    assert not Notification.objects.filter(recipient=alice, kind="new_video").exists()


def test_unblocking_lets_notifications_through_again(alice, mallory, video):
    actions.do_block(alice, mallory)
    actions.do_unblock(alice, mallory)
    actions.do_post_comment(video=video, author=mallory, body="back")
    assert Notification.objects.filter(recipient=alice, actor=mallory).exists()


def test_the_blocked_list_is_for_its_owner(alice, mallory):
    actions.do_block(alice, mallory)
    assert "@mallory" not in as_user(make_user("eve")).get(reverse("blocked_people")).text
    assert Client().get(reverse("blocked_people")).status_code == 302  # to log in
