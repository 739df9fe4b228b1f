"""Publishing: a video scheduled for later (in its owner's time zone), downloads the owner
allows, and comments turned off."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from video_share import actions
from video_share.models import Comment, Notification, Rendition, Video

from .factories import make_user, make_video
from .jobs import queued_jobs, run_jobs
from .media_files import make_video as make_clip
from .test_videos import post_upload

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    return make_clip(tmp_path_factory.mktemp("clips") / "Scheduled.mp4", size="320x240")


def edit_data(video, **changes) -> dict:
    data = {
        "title": video.title,
        "description": video.description,
        "tags_text": "",
        "visibility": video.visibility,
        "comment_policy": video.comment_policy,
    }
    return {key: value for key, value in (data | changes).items() if value is not None}


def test_an_upload_scheduled_for_later_is_private_until_then_in_the_uploaders_time_zone(
    client, clip
):
    client.force_login(make_user("alice"))
    client.cookies["vs_tz"] = "Asia/Riyadh"  # UTC+3, as the browser says (static/js/app.js)
    response = post_upload(client, clip, visibility="public", publish_at="2031-03-01T09:30")
    video = Video.objects.get()
    assert response.status_code == 302
    assert video.visibility == Video.Visibility.PRIVATE
    assert video.publish_at == datetime(2031, 3, 1, 6, 30, tzinfo=UTC)
    job = DBTaskResult.objects.get(task_path__endswith="publish_scheduled")
    assert job.run_after == video.publish_at
    assert "publish_scheduled" not in [name for name, _args in queued_jobs()]  # not yet
    # The edit form shows the time as it was entered, in the same zone.
    page = client.get(reverse("video_edit", args=[video.public_id]))
    assert 'value="2031-03-01T09:30"' in page.text
    assert "Time zone: Asia/Riyadh" in page.text


def test_a_publish_time_in_the_past_or_an_unknown_zone_is_handled(client):
    alice = make_user("alice")
    video = make_video(alice)
    client.force_login(alice)
    client.cookies["vs_tz"] = "Mars/Olympus"  # not a zone: the site's (UTC)
    url = reverse("video_edit", args=[video.public_id])
    response = client.post(url, edit_data(video, publish_at="2001-01-01T10:00"))
    assert "Choose a time in the future" in response.text
    video.refresh_from_db()
    assert video.publish_at is None
    assert video.visibility == "public"
    client.post(url, edit_data(video, publish_at="2031-01-01T10:00"))
    video.refresh_from_db()
    assert video.publish_at == datetime(2031, 1, 1, 10, 0, tzinfo=UTC)
    assert video.visibility == "private"


def test_the_worker_publishes_on_time_and_subscribers_are_told_then(
    client, django_capture_on_commit_callbacks
):
    alice, bob = make_user("alice"), make_user("bob")
    actions.do_subscribe(bob, alice)
    video = make_video(alice, visibility="private")
    soon = timezone.now() + timedelta(hours=1)
    actions.do_edit_video(
        video, edit_data(video, publish_at=soon, tags_text=[], allow_download=False)
    )
    run_jobs()
    video.refresh_from_db()
    assert video.visibility == "private"
    assert not Notification.objects.filter(recipient=bob).exists()
    assert client.get(video.get_absolute_url()).status_code == 404

    # The time comes: the job is ready, and the worker runs it.
    DBTaskResult.objects.filter(task_path__endswith="publish_scheduled").update(
        run_after=timezone.now()
    )
    Video.objects.filter(pk=video.pk).update(publish_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        run_jobs()
    run_jobs()  # the fan-out it queued
    video.refresh_from_db()
    assert video.visibility == "public"
    assert video.publish_at is None
    assert Notification.objects.filter(recipient=bob, video=video).count() == 1
    assert client.get(video.get_absolute_url()).status_code == 200


def test_a_job_of_a_time_that_was_changed_publishes_nothing():
    alice = make_user("alice")
    video = make_video(alice, visibility="private")
    later = timezone.now() + timedelta(days=2)
    actions.do_edit_video(
        video, edit_data(video, publish_at=later, tags_text=[], allow_download=False)
    )
    # The first job's moment has come, but the owner moved the time since.
    assert actions.do_publish_if_due(video.pk) is False
    video.refresh_from_db()
    assert video.visibility == "private"
    assert video.publish_at == later


def test_downloads_are_offered_only_when_the_owner_allows_them(client):
    alice = make_user("alice")
    video = make_video(alice, title="Lecture one")
    Rendition.objects.create(
        video=video,
        height=360,
        width=640,
        frame_height=360,
        file="videos/x/360p.mp4",
        size=2_000_000,
    )
    page = client.get(video.get_absolute_url())
    assert "Download" not in page.text
    client.force_login(alice)
    client.post(
        reverse("video_edit", args=[video.public_id]), edit_data(video, allow_download="on")
    )
    video.refresh_from_db()
    assert video.allow_download
    client.logout()
    page = client.get(video.get_absolute_url() + "?fresh")
    assert 'download="lecture-one-360p.mp4"' in page.text
    assert "360p.mp4?download" in page.text
    assert "MP4 360p (1.9\xa0MB)" in page.text


def test_comments_turned_off_hide_the_section_and_refuse_new_ones(client):
    alice, bob = make_user("alice"), make_user("bob")
    video = make_video(alice)
    client.force_login(alice)
    client.post(
        reverse("video_edit", args=[video.public_id]), edit_data(video, comment_policy="off")
    )
    video.refresh_from_db()
    assert video.comment_policy == "off"
    client.force_login(bob)
    page = client.get(video.get_absolute_url())
    assert "Comments are turned off for this video." in page.text
    assert 'id="comment-form"' not in page.text
    response = client.post(
        reverse("post_comment", args=[video.public_id]),
        {"body": "Hello", "client_token": "t1"},
        headers={"HX-Request": "true"},
    )
    assert "Comments are turned off for this video." in response.text
    assert not Comment.objects.exists()
    assert client.get(reverse("comment_list", args=[video.public_id])).status_code == 404


def test_comments_held_for_review_wait_for_the_owner(
    client, published, django_capture_on_commit_callbacks
):
    alice, bob, carol = make_user("alice"), make_user("bob"), make_user("carol")
    video = make_video(alice, comment_policy="held")
    client.force_login(bob)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("post_comment", args=[video.public_id]),
            {"body": "First!", "client_token": "t1"},
            headers={"HX-Request": "true"},
        )
    assert "will appear once the video’s owner approves it" in response.text
    held = Comment.objects.get()
    assert held.held
    assert not [event for event in published if event[1] == "comments"]  # sent to no stream
    assert Notification.objects.filter(recipient=alice, comment=held).count() == 1
    # Nobody else sees it, nor counts it; the owner is shown it, to decide.
    for person in (None, carol, bob):
        if person:
            client.force_login(person)
        else:
            client.logout()
        page = client.get(video.get_absolute_url())
        assert "First!" not in page.text
        assert "0 comments" in page.text
    client.force_login(alice)
    page = client.get(video.get_absolute_url())
    assert "1 comment held for your review" in page.text
    assert "First!" in page.text

    # Only the owner decides.
    client.force_login(carol)
    assert client.post(reverse("approve_comment", args=[held.pk])).status_code == 404
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("approve_comment", args=[held.pk]), headers=HTMX)
    assert f'id="comment-{held.pk}"' in response.text
    held.refresh_from_db()
    assert not held.held
    assert [event for event in published if event[1] == "comments"]  # everyone gets it now
    client.force_login(carol)
    assert "First!" in client.get(video.get_absolute_url()).text
    assert client.post(reverse("approve_comment", args=[held.pk])).status_code == 404  # done

    # The owner's own comments are never held; another one turned away is gone.
    client.force_login(bob)
    client.post(
        reverse("post_comment", args=[video.public_id]), {"body": "Spam", "client_token": "t2"}
    )
    spam = Comment.objects.get(body="Spam")
    client.force_login(alice)
    client.post(
        reverse("post_comment", args=[video.public_id]), {"body": "Mine", "client_token": "t3"}
    )
    assert not Comment.objects.get(body="Mine").held
    assert client.post(reverse("reject_comment", args=[spam.pk]), headers=HTMX).text == ""
    assert not Comment.objects.filter(pk=spam.pk).exists()


HTMX = {"HX-Request": "true"}


def test_a_banned_users_scheduled_video_is_never_published():
    alice = make_user("alice")
    video = make_video(alice, visibility="private")
    soon = timezone.now() + timedelta(hours=1)
    actions.do_edit_video(video, edit_data(video, publish_at=soon, tags_text=[]))
    actions.do_ban(alice)
    video.refresh_from_db()
    assert video.publish_at is None
    Video.objects.filter(pk=video.pk).update(publish_at=timezone.now())  # even if it were kept
    assert actions.do_publish_if_due(video.pk) is False
    video.refresh_from_db()
    assert video.visibility == "private"


def test_approving_twice_counts_once(client):
    alice, bob = make_user("alice"), make_user("bob")
    video = make_video(alice, comment_policy="held")
    top = actions.do_post_comment(video=video, author=alice, body="Questions below")
    reply = actions.do_post_comment(video=video, author=bob, body="One", parent=top)
    assert reply.held
    top.refresh_from_db()
    assert top.reply_count == 0
    stale = Comment.objects.get(pk=reply.pk)  # a second tab's copy
    actions.do_approve_comment(reply)
    actions.do_approve_comment(stale)
    top.refresh_from_db()
    assert top.reply_count == 1
    assert Notification.objects.filter(comment=reply, recipient=alice).count() == 1
