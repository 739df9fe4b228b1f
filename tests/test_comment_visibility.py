"""What staff hide, authors delete and authors edit stays out of sight: in pages, in answers to
comment actions, in live broadcasts and in what a reconnecting reader is replayed."""

import json
import re

import pytest
from django.test import Client
from django.urls import reverse
from django_eventstream.models import Event

from tests.factories import make_user, make_video
from tests.streams import read_stream
from video_share import actions, media_access
from video_share.models import Comment, Report, Video

pytestmark = pytest.mark.django_db(transaction=True)

HX = {"HX-Request": "true"}


def _stored(video) -> str:
    """Every event stored for the video's channels, decoded."""
    return "\n".join(
        json.loads(event.data)
        for event in Event.objects.filter(channel__startswith=f"video-{video.public_id}").exclude(
            data=""
        )
    )


def _hide(comment, staff):
    report = Report.objects.create(
        reporter=staff, video=comment.video, comment=comment, reason="spam"
    )
    actions.do_hide(report)


@pytest.fixture
def conversation():
    """A video with a hidden reply, a hidden thread, a deleted comment and an edited one."""
    owner = make_user("owner")
    alice, bob, carol = make_user("alice"), make_user("bob"), make_user("carol")
    staff = make_user("staff", is_staff=True)
    video = make_video(owner)
    kept = actions.do_post_comment(video=video, author=alice, body="original words")
    hidden_reply = actions.do_post_comment(
        video=video, author=bob, body="hidden reply text", parent=kept
    )
    hidden_thread = actions.do_post_comment(video=video, author=bob, body="hidden thread text")
    reply_under_hidden = actions.do_post_comment(
        video=video, author=carol, body="reply under hidden thread", parent=hidden_thread
    )
    deleted = actions.do_post_comment(video=video, author=carol, body="deleted words")
    actions.do_heart_comment(kept, hearted=True)  # a broadcast carrying the whole thread
    actions.do_pin_comment(hidden_thread)  # the pinned one is in a broadcast of its own
    _hide(hidden_reply, staff)
    _hide(hidden_thread, staff)
    actions.do_delete_comment(deleted)
    kept.refresh_from_db()
    actions.do_edit_comment(kept, "new words")
    return {
        "video": video,
        "owner": owner,
        "alice": alice,
        "bob": bob,
        "staff": staff,
        "kept": kept,
        "hidden_reply": hidden_reply,
        "hidden_thread": hidden_thread,
        "reply_under_hidden": reply_under_hidden,
    }


GONE = ("hidden reply text", "hidden thread text", "reply under hidden thread", "deleted words")


def test_stored_events_keep_nothing_hidden_deleted_or_from_before_an_edit(conversation):
    stored = _stored(conversation["video"])
    assert "new words" in stored
    for text in (*GONE, "original words"):
        assert text not in stored


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("reader", [None, "bob", "staff"])
@pytest.mark.parametrize("how", ["header", "query"])
def test_a_replay_from_the_start_shows_only_what_the_page_shows_now(
    conversation, language, reader, how
):
    video = conversation["video"]
    # The last event: the replay has been read once it arrives.
    actions.do_react(video, conversation["alice"], 1)
    resume = f"video-{video.public_id}~{language}:1"
    path = reverse("video_stream", args=[video.public_id])
    headers = {"Accept-Language": language, "Cookie": f"django_language={language}"}
    if how == "header":
        headers["Last-Event-ID"] = resume
    else:
        path += f"?lastEventId={resume}"
    text = read_stream(
        path,
        user=conversation[reader] if reader else None,
        until='id="video-likes"',
        headers=headers,
    )
    assert "new words" in text
    for gone in (*GONE, "original words"):
        assert gone not in text


def test_the_replay_keeps_the_live_removals(conversation):
    """Readers who saw a comment before it went get told it is gone."""
    stored = _stored(conversation["video"])
    for comment in ("hidden_reply", "hidden_thread"):
        pk = conversation[comment].pk
        assert re.search(rf'id="comment-{pk}" hx-swap-oob="delete"', stored)


# The lookup behind every comment action finds visible comments only.


@pytest.fixture
def hidden_reply():
    owner, alice, bob = make_user("owner"), make_user("alice"), make_user("bob")
    video = make_video(owner)
    parent = actions.do_post_comment(video=video, author=alice, body="visible parent")
    reply = actions.do_post_comment(video=video, author=bob, body="secret reply", parent=parent)
    actions.do_hide_comment(reply)
    return {"owner": owner, "alice": alice, "bob": bob, "parent": parent, "reply": reply}


@pytest.mark.parametrize("action", ["like", "heart", "pin", "edit", "delete"])
def test_comment_actions_do_not_find_a_hidden_comment(hidden_reply, action):
    client = Client()
    # The owner may heart and pin; the author may edit and delete.
    client.force_login(hidden_reply["owner" if action in ("heart", "pin") else "bob"])
    url = reverse(f"{action}_comment", args=[hidden_reply["reply"].pk])
    response = client.post(url, {"body": "changed"}, headers=HX)
    assert response.status_code == 404
    assert b"secret reply" not in response.content
    reply = Comment.objects.get(pk=hidden_reply["reply"].pk)
    assert (reply.body, reply.like_count, reply.hearted, reply.pinned) == (
        "secret reply",
        0,
        False,
        False,
    )


@pytest.mark.parametrize("action", ["like", "heart", "pin"])
def test_answers_about_a_visible_parent_leave_its_hidden_replies_out(hidden_reply, action):
    client = Client()
    client.force_login(hidden_reply["owner"])
    response = client.post(
        reverse(f"{action}_comment", args=[hidden_reply["parent"].pk]), headers=HX
    )
    assert response.status_code == 200
    assert b"visible parent" in response.content
    assert b"secret reply" not in response.content


@pytest.mark.parametrize("change", ["edit", "heart", "pin"])
def test_broadcasts_about_a_visible_parent_leave_its_hidden_replies_out(hidden_reply, change):
    parent = Comment.objects.get(pk=hidden_reply["parent"].pk)
    if change == "edit":
        actions.do_edit_comment(parent, "visible parent, edited")
    elif change == "heart":
        actions.do_heart_comment(parent, hearted=True)
    else:
        actions.do_pin_comment(parent)
    stored = _stored(parent.video)
    assert "visible parent" in stored
    assert "secret reply" not in stored


def test_the_edit_page_of_a_hidden_comment_is_not_found(hidden_reply):
    client = Client()
    client.force_login(hidden_reply["bob"])
    response = client.get(reverse("edit_comment", args=[hidden_reply["reply"].pk]))
    assert response.status_code == 404


def test_no_template_reads_replies_unfiltered():
    """Replies reach templates through Comment.visible_replies only."""
    from pathlib import Path

    templates = Path(__file__).resolve().parent.parent / "templates"
    for path in templates.rglob("*.html"):
        assert "replies.all" not in path.read_text(), path


def test_a_private_video_channel_replays_nothing_to_others(conversation):
    video = conversation["video"]
    Video.objects.filter(pk=video.pk).update(visibility=Video.Visibility.PRIVATE)
    media_access.forget(video.public_id)
    text = read_stream(
        reverse("video_stream", args=[video.public_id])
        + f"?lastEventId=video-{video.public_id}~en:1",
        user=conversation["bob"],
        until="stream-error",
    )
    assert "new words" not in text
