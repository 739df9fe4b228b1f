"""Your data: a copy of everything to download, and deleting one's account after a grace
period, with what one made or keeping it anonymised."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from video_share import actions
from video_share.models import Comment, DataExport, Notification, User, Video

from .factories import PASSWORD, make_user, make_video
from .jobs import run_jobs

pytestmark = pytest.mark.django_db


def test_a_copy_of_ones_data_is_prepared_by_the_worker_and_downloaded_by_its_owner(
    client, django_capture_on_commit_callbacks
):
    alice, bob = make_user("alice"), make_user("bob")
    video = make_video(alice, title="My lecture")
    Comment.objects.create(video=video, author=alice, body="Notes below")
    actions.do_subscribe(alice, bob)
    client.force_login(alice)
    client.post(reverse("request_export"))
    client.post(reverse("request_export"))  # one at a time
    assert DataExport.objects.count() == 1
    run_jobs()
    export = DataExport.objects.get()
    assert export.ready_at is not None
    assert Notification.objects.filter(recipient=alice, kind="export_ready").count() == 1
    assert "Your data export is ready to download" in client.get(reverse("notifications")).text

    response = client.get(reverse("download_export", args=[export.pk]))
    assert response["Content-Disposition"].startswith("attachment")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert sorted(archive.namelist()) == [
        "comments.json",
        "history.json",
        "playlists.json",
        "profile.json",
        "subscriptions.json",
        "videos.json",
    ]
    assert json.loads(archive.read("profile.json"))["email"] == "alice@example.com"
    assert json.loads(archive.read("videos.json"))[0]["title"] == "My lecture"
    assert json.loads(archive.read("comments.json"))[0]["text"] == "Notes below"
    assert json.loads(archive.read("subscriptions.json")) == ["http://localhost:8000/@bob"]

    client.force_login(bob)
    assert client.get(reverse("download_export", args=[export.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("download_export", args=[export.pk])).status_code == 302

    # A new copy replaces the old one, file and all.
    old_file = export.file.name
    client.force_login(alice)
    client.post(reverse("request_export"))
    with django_capture_on_commit_callbacks(execute=True):
        run_jobs()
    assert DataExport.objects.count() == 1
    assert not default_storage.exists(old_file)


def test_deleting_needs_the_password_and_waits_then_can_be_cancelled(client):
    alice = make_user("alice")
    client.force_login(alice)
    response = client.post(
        reverse("delete_account"), {"password": "wrong", "confirm": "on", "keep_content": ""}
    )
    assert "That is not your password." in response.text
    alice.refresh_from_db()
    assert alice.deletion_at is None
    client.post(
        reverse("delete_account"), {"password": PASSWORD, "confirm": "on", "keep_content": ""}
    )
    alice.refresh_from_db()
    assert alice.deletion_at > timezone.now() + timedelta(days=13)
    job = DBTaskResult.objects.get(task_path__endswith="delete_account")
    assert job.run_after == alice.deletion_at
    run_jobs()  # not yet
    assert User.objects.filter(pk=alice.pk).exists()
    assert "will be deleted on" in client.get(reverse("your_data")).text
    client.post(reverse("cancel_deletion"))
    alice.refresh_from_db()
    assert alice.deletion_at is None
    assert actions.do_delete_account_if_due(alice.pk) is False


def _due(user):
    User.objects.filter(pk=user.pk).update(deletion_at=timezone.now())


def test_a_deleted_account_takes_its_videos_files_and_comments_with_it(
    django_capture_on_commit_callbacks,
):
    alice, bob = make_user("alice"), make_user("bob")
    video = make_video(alice)
    stored = default_storage.save(f"{video.media_dir}/360p.mp4", ContentFile(b"video"))
    theirs = make_video(bob)
    Comment.objects.create(video=theirs, author=alice, body="Hello")
    actions.do_request_deletion(alice, keep_content=False)
    _due(alice)
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.do_delete_account_if_due(alice.pk) is True
    assert not User.objects.filter(pk=alice.pk).exists()
    assert not Video.objects.filter(pk=video.pk).exists()
    assert not default_storage.exists(stored)
    assert not Comment.objects.filter(video=theirs).exists()
    assert Video.objects.filter(pk=theirs.pk).exists()


def test_an_account_deleted_keeping_its_content_is_anonymised(client):
    alice, bob = make_user("alice", display_name="Alice A."), make_user("bob")
    video = make_video(alice, title="Kept lecture")
    theirs = make_video(bob)
    Comment.objects.create(video=theirs, author=alice, body="Kept comment")
    actions.do_request_deletion(alice, keep_content=True)
    _due(alice)
    actions.do_delete_account_if_due(alice.pk)
    alice.refresh_from_db()
    assert alice.username.startswith("deleted-")
    assert alice.email == ""
    assert alice.display_name == ""
    assert not alice.is_active
    assert not alice.has_usable_password()
    page = client.get(video.get_absolute_url())
    assert "Kept lecture" in page.text
    assert "Alice A." not in page.text
    assert "Kept comment" in client.get(theirs.get_absolute_url()).text
