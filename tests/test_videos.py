import json
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from video_share import actions, media, media_access
from video_share.models import Notification, Video

from .factories import make_user
from .factories import make_video as make_video_row
from .jobs import queued_jobs, run_jobs
from .media_files import make_audio, make_video

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    return make_video(tmp_path_factory.mktemp("clips") / "My holiday_clip.mp4", size="854x480")


@pytest.fixture
def alice(client):
    user = make_user("alice")
    client.force_login(user)
    return user


def upload_file(path: Path, name=None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name or path.name, path.read_bytes(), content_type="video/mp4")


def post_upload(client, path, **data):
    data = {"title": "", "description": "", "tags_text": "", "visibility": "public"} | data
    return client.post(reverse("upload"), {"file": upload_file(path), **data})


def stored_files() -> list[str]:
    root = Path(settings.MEDIA_ROOT) / "videos"
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def temp_files() -> list[str]:
    return [name for name in os.listdir(settings.FILE_UPLOAD_TEMP_DIR) if not name.startswith(".")]


def test_upload_page_needs_log_in(client):
    response = client.get(reverse("upload"))
    assert response.status_code == 302


def test_upload_stores_the_file_under_our_own_id_and_queues_processing(client, alice, clip):
    response = post_upload(client, clip, tags_text="Travel, beach,travel", visibility="unlisted")
    video = Video.objects.get()
    assert response.status_code == 302
    assert response["Location"] == video.get_absolute_url()
    assert video.title == "My holiday clip"  # from the file name
    assert video.status == Video.Status.UPLOADED
    assert video.visibility == Video.Visibility.UNLISTED
    assert video.tag_names() == ["Travel", "beach"]
    assert video.source.name == f"videos/{video.public_id}/source"
    assert "holiday" not in video.source.name
    assert (video.width, video.height, video.audio_codec) == (854, 480, "aac")
    assert video.pending_heights == [360]
    assert queued_jobs() == [("process_video", [video.pk])]


def test_htmx_upload_navigates_to_the_watch_page(client, alice, clip):
    response = client.post(
        reverse("upload"),
        {"file": upload_file(clip), "title": "Hi", "visibility": "public"},
        headers={"HX-Request": "true"},
    )
    video = Video.objects.get()
    assert response.status_code == 200
    assert video.get_absolute_url() in response["HX-Location"]
    # The new page shows from its top, where its message is, wherever the form was scrolled.
    assert json.loads(response["HX-Location"])["swap"] == "innerHTML show:window:top"


def test_any_client_file_name_is_harmless(client, alice, clip, settings):
    settings.VIDEO_SHARE_PROCESSING_PER_USER = 0  # no limit
    for name in ["../../etc/passwd.mp4", "ملف فيديو.mp4", "x" * 300 + ".mp4", "a\x00b.mp4"]:
        client.post(
            reverse("upload"),
            {"file": upload_file(clip, name=name), "title": "t", "visibility": "public"},
        )
    for video in Video.objects.all():
        assert video.source.name == f"videos/{video.public_id}/source"
    assert Video.objects.count() == 4


def assert_refused(response, message):
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Video.objects.exists()
    assert stored_files() == []
    assert temp_files() == []


def test_a_text_file_is_refused_and_leaves_nothing_behind(client, alice, tmp_path):
    text = tmp_path / "notes.mp4"
    text.write_text("hello " * 1000)
    assert_refused(post_upload(client, text), "not a video we can read")


def test_an_empty_file_is_refused(client, alice, tmp_path):
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    response = post_upload(client, empty)
    assert response.status_code == 200
    assert not Video.objects.exists()


def test_an_audio_file_is_refused(client, alice, tmp_path):
    assert_refused(post_upload(client, make_audio(tmp_path / "song.m4a")), "sound but no picture")


def test_a_truncated_video_is_refused(client, alice, tmp_path):
    whole = make_video(tmp_path / "whole.mp4", seconds=3)
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    assert_refused(post_upload(client, cut), "damaged")


def test_an_oversized_file_is_refused(client, alice, clip, settings):
    settings.VIDEO_SHARE_MAX_UPLOAD_MB = 0
    assert_refused(post_upload(client, clip), "larger than the limit")


def test_an_upload_past_the_quota_is_refused(client, alice, clip, settings):
    settings.VIDEO_SHARE_USER_QUOTA_MB = 1
    make_video_row(alice, source_size=1024 * 1024 - 10)
    response = post_upload(client, clip)
    assert "storage quota" in response.content.decode()
    assert Video.objects.count() == 1


def test_a_video_longer_than_the_limit_is_refused_at_upload(client, alice, tmp_path, settings):
    settings.VIDEO_SHARE_MAX_DURATION_MINUTES = 1
    long = make_video(tmp_path / "long.mp4", size="64x64", rate=1, seconds=61, audio=False)
    assert_refused(post_upload(client, long), "longer than 1 minute")


def test_a_video_as_long_as_the_limit_is_accepted(client, alice, tmp_path, settings):
    settings.VIDEO_SHARE_MAX_DURATION_MINUTES = 1
    post_upload(client, make_video(tmp_path / "ok.mp4", size="64x64", rate=1, seconds=59))
    assert Video.objects.count() == 1


def test_the_duration_limit_has_a_sane_default():
    assert 0 < settings.VIDEO_SHARE_MAX_DURATION_MINUTES <= 240
    assert 0 < settings.VIDEO_SHARE_PROCESSING_PER_USER <= 4


@pytest.mark.parametrize("waiting", [{"status": "uploaded"}, {"status": "processing"}])
def test_an_upload_is_refused_while_the_user_has_enough_videos_in_processing(
    client, alice, clip, settings, waiting
):
    settings.VIDEO_SHARE_PROCESSING_PER_USER = 2
    make_video_row(alice, **waiting)
    make_video_row(alice, status="ready", pending_heights=[720])  # a rendition still to do
    make_video_row(alice, status="ready")
    make_video_row(alice, status="failed")
    make_video_row(make_user("bob"), status="processing")
    response = post_upload(client, clip, title="One more")
    assert "You have 2 videos being processed." in response.content.decode()
    assert not Video.objects.filter(title="One more").exists()
    assert temp_files() == []


def test_the_upload_page_says_when_the_user_must_wait(client, alice, settings):
    settings.VIDEO_SHARE_PROCESSING_PER_USER = 1
    assert "You have" not in client.get(reverse("upload")).content.decode()
    make_video_row(alice, status="uploaded")
    page = client.get(reverse("upload")).content.decode()
    assert "You have 1 video being processed. Upload another when it is ready." in page


def test_the_upload_page_states_the_limits(client, alice, settings):
    settings.VIDEO_SHARE_MAX_DURATION_MINUTES = 90
    page = client.get(reverse("upload")).content.decode()
    assert "Videos can be up to 90 minutes long." in page
    assert "You can have 2 videos being processed at a time." in page


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        (",".join(f"tag{i}" for i in range(11)), "at most 10 tags"),
        ("ok, x", "2 to 30 characters"),
        ("y" * 31, "2 to 30 characters"),
    ],
)
def test_bad_tags_are_refused(client, alice, clip, tags, message):
    response = post_upload(client, clip, tags_text=tags)
    assert message in response.content.decode()
    assert not Video.objects.exists()
    assert stored_files() == []


def test_every_bad_tag_is_named_not_only_the_first(alice):
    from video_share.forms import VideoEditForm

    data = {
        "title": "Title",
        "description": "",
        "tags_text": "fine, x, AC/DC, y, .., a/./b, ok/..",
        "visibility": "public",
    }
    form = VideoEditForm(data, instance=make_video_row(alice))
    assert not form.is_valid()
    errors = " ".join(form.errors["tags_text"])
    for bad in ("x", "y", "..", "a/./b", "ok/.."):
        assert f"“{bad}”" in errors
    assert "fine" not in errors
    assert "AC/DC" not in errors


def test_a_forged_visibility_is_refused(client, alice, clip):
    response = post_upload(client, clip, visibility="everyone")
    assert response.status_code == 200
    assert not Video.objects.exists()


def test_processing_makes_the_video_watchable_with_a_poster(
    client, alice, clip, published, django_capture_on_commit_callbacks
):
    post_upload(client, clip, title="Holiday")
    with django_capture_on_commit_callbacks(execute=True):
        run_jobs()
    video = Video.objects.get()
    assert video.status == Video.Status.READY
    assert video.heartbeat_at is None
    assert [r.height for r in video.renditions.all()] == [360]
    rendition = video.renditions.get()
    assert (rendition.width, rendition.frame_height) == (640, 360)
    assert default_storage.exists(rendition.file.name)
    assert video.poster.name.startswith(f"videos/{video.public_id}/poster-")
    assert len(video.frames) == 4
    assert Notification.objects.filter(
        recipient=alice, kind=Notification.Kind.VIDEO_READY, video=video
    ).exists()
    # Progress reached the owner's private channel, ending with the player; then what is
    # still being made of the playable video (its scrub previews), until nothing is.
    published[:] = [event for event in published if event[0].startswith("user-")]
    kinds = {(channel, kind) for channel, kind, _ in published}
    assert kinds == {(f"user-{alice.pk}", f"{k}-{video.public_id}") for k in ("video", "work")}
    states = [html for _, kind, html in published if kind.startswith("video-")]
    assert "%" in states[0]
    assert "<video" in states[-1]
    assert "sse-swap" not in states[-1]
    work = [html for _, kind, html in published if kind.startswith("work-")]
    assert any("Making the scrub previews" in html for html in work)
    assert "% done" not in work[-1]
    assert temp_files() == []


def test_higher_renditions_follow_in_one_job(
    client, alice, tmp_path, django_capture_on_commit_callbacks
):
    """After the first rendition (the video is watchable), the rest of the ladder is one job:
    one pass over one decode of the upload (media.transcode_ladder)."""
    hd = make_video(tmp_path / "hd.mp4", size="1920x1080", seconds=1, audio=False)
    post_upload(client, hd)
    video = Video.objects.get()
    assert video.pending_heights == [360, 720, 1080]
    run_jobs(max_jobs=1)
    video.refresh_from_db()
    assert video.status == Video.Status.READY
    assert video.pending_heights == [720, 1080]
    assert queued_jobs() == [("encode_ladder", [video.pk])]
    run_jobs(max_jobs=1)
    assert [r.height for r in video.renditions.all()] == [1080, 720, 360]
    assert all(r.hls for r in video.renditions.all())
    video.refresh_from_db()
    assert (video.pending_heights, video.heartbeat_at, video.attempts) == ([], None, 0)
    assert queued_jobs() == []


def test_a_rendition_job_queued_before_the_ladder_still_runs(alice, tmp_path):
    from video_share.actions.processing import encode_rendition

    from .factories import make_video as make_video_row

    clip = make_video(tmp_path / "hd.mp4", size="1280x720", seconds=1)
    video = make_video_row(alice, pending_heights=[720], width=1280, height=720, duration=1)
    video.source.save("source", open(clip, "rb"))  # noqa: SIM115
    encode_rendition.call(video.pk, 720)
    assert [r.height for r in video.renditions.all()] == [720]


def test_a_users_backlog_does_not_starve_other_users(client, alice, clip):
    post_upload(client, clip, title="first")
    post_upload(client, clip, title="second")
    bob = make_user("bob")
    client.force_login(bob)
    post_upload(client, clip, title="bobs")
    order = [Video.objects.get(pk=args[0]).title for _, args in queued_jobs_in_worker_order()]
    assert order == ["first", "bobs", "second"]


def queued_jobs_in_worker_order():
    from django_tasks_db.models import DBTaskResult

    results = DBTaskResult.objects.ready().order_by("-priority", "enqueued_at")
    return [(r.task_path, r.args_kwargs["args"]) for r in results]


def test_queue_position_counts_jobs_ahead(alice):
    bob = make_user("bob")
    first = make_video_row(bob, status="uploaded")
    second = make_video_row(alice, status="uploaded")
    assert first.queue_position() == 1
    assert second.queue_position() == 2


def test_a_video_that_fails_to_convert_shows_why_and_can_be_retried(
    client, alice, clip, monkeypatch, django_capture_on_commit_callbacks
):
    post_upload(client, clip)
    video = Video.objects.get()

    def broken(*args, **kwargs):
        raise media.FFmpegError("Invalid data found when processing input")

    monkeypatch.setattr(media, "transcode_ladder", broken)
    with django_capture_on_commit_callbacks(execute=True):
        run_jobs()
    video.refresh_from_db()
    assert video.status == Video.Status.FAILED
    assert "Invalid data found" in video.failure_reason
    assert Notification.objects.filter(kind=Notification.Kind.VIDEO_FAILED).exists()
    html = client.get(video.get_absolute_url()).content.decode()
    assert "Invalid data found" in html
    assert "Retry" in html

    monkeypatch.undo()
    client.post(reverse("video_retry", args=[video.public_id]))
    run_jobs()
    video.refresh_from_db()
    assert video.status == Video.Status.READY


def test_a_worker_that_does_not_see_the_upload_says_so_rather_than_blame_the_file(
    client, alice, clip, caplog
):
    # A second machine without the first one's media folder.
    post_upload(client, clip)
    video = Video.objects.get()
    default_storage.delete(video.source.name)
    run_jobs()
    video.refresh_from_db()
    assert video.status == Video.Status.FAILED
    assert "could not find the uploaded file" in video.failure_reason
    assert "damaged" not in video.failure_reason
    assert "must share the media" in caplog.text


def test_a_video_whose_conversion_runs_out_of_time_says_so(
    client, alice, clip, monkeypatch, django_capture_on_commit_callbacks
):
    post_upload(client, clip)

    def too_slow(*args, **kwargs):
        raise media.TimedOut("ffmpeg took too long")

    monkeypatch.setattr(media, "transcode_ladder", too_slow)
    with django_capture_on_commit_callbacks(execute=True):
        run_jobs()
    video = Video.objects.get()
    assert video.status == Video.Status.FAILED
    assert "took longer than we allow" in video.failure_reason
    assert "ffmpeg" not in video.failure_reason


def test_a_job_whose_worker_died_is_queued_again(alice, settings):
    video = make_video_row(
        alice, status="processing", attempts=1, pending_heights=[360],
        heartbeat_at=timezone.now() - timedelta(seconds=settings.VIDEO_SHARE_STALE_JOB_SECONDS + 1),
    )  # fmt: skip
    assert actions.recover_stalled_jobs() == 1
    video.refresh_from_db()
    assert video.status == Video.Status.UPLOADED
    assert video.heartbeat_at is None
    assert queued_jobs() == [("process_video", [video.pk])]


def test_a_job_that_keeps_dying_is_marked_failed(alice, settings):
    video = make_video_row(
        alice, status="processing", attempts=settings.VIDEO_SHARE_MAX_ATTEMPTS,
        heartbeat_at=timezone.now() - timedelta(hours=1),
    )  # fmt: skip
    actions.recover_stalled_jobs()
    video.refresh_from_db()
    assert video.status == Video.Status.FAILED
    assert "interrupted" in video.failure_reason
    assert queued_jobs() == []


def test_a_live_job_is_left_alone(alice):
    make_video_row(alice, status="processing", heartbeat_at=timezone.now())
    assert actions.recover_stalled_jobs() == 0


def test_deleting_a_video_deletes_every_file(
    client, alice, clip, django_capture_on_commit_callbacks
):
    post_upload(client, clip)
    run_jobs()
    video = Video.objects.get()
    assert len(stored_files()) >= 6
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("video_delete", args=[video.public_id]))
    assert response.status_code == 302
    assert not Video.objects.exists()
    assert stored_files() == []


def test_processing_a_deleted_video_does_nothing(alice):
    video = make_video_row(alice, status="uploaded")
    video_id = video.pk
    video.delete()
    from video_share.actions.processing import process_video

    process_video.call(video_id)


def test_jobs_queued_under_the_old_task_paths_still_find_their_tasks():
    from django.utils.module_loading import import_string

    from video_share.actions import notifications, processing

    for task in (processing.process_video, processing.encode_rendition):
        assert import_string(f"video_share.tasks.{task.name}") is task
    assert import_string("video_share.tasks.notify_subscribers") is notifications.notify_subscribers


def test_progress_is_published_only_after_commit(
    alice, published, django_capture_on_commit_callbacks
):
    video = make_video_row(alice, status="processing")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        actions.do_report_progress(video, 360, 42)
    assert published == []
    for callback in callbacks:
        callback()
    assert published[0][0] == f"user-{alice.pk}"
    assert "42%" in published[0][2]


def test_a_rolled_back_write_publishes_nothing(alice, published):
    from django.db import transaction

    video = make_video_row(alice, status="processing")

    def write_then_fail():
        with transaction.atomic():
            actions.do_report_progress(video, 360, 42)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        write_then_fail()
    assert published == []


def test_progress_events_are_rendered_in_the_owners_language(
    alice, published, django_capture_on_commit_callbacks
):
    alice.language = "ar"
    alice.save()
    video = make_video_row(alice, status="processing")
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_report_progress(video, 360, 42)
    assert "360" in published[0][2]
    assert "Converting" not in published[0][2]


def test_deleting_with_htmx_lands_on_the_whole_channel_page(
    client, alice, django_capture_on_commit_callbacks
):
    import json

    video = make_video_row(alice, status="ready")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("video_delete", args=[video.public_id]), headers={"HX-Request": "true"}
        )
    spec = json.loads(response["HX-Location"])
    assert spec["path"] == alice.get_absolute_url()
    assert spec["target"] == "body"
    # htmx follows it with the headers it names: the channel answers with its whole page.
    page = client.get(spec["path"], headers={"HX-Request": "true", **spec["headers"]})
    html = page.content.decode()
    assert "<header" in html
    assert "<title>" in html
    assert "was deleted" in html


def test_sizes_are_shown_in_decimal_units_as_file_managers_show_them():
    from django.utils import translation

    from video_share.templatetags.video_share import decimal_size

    assert decimal_size(94_000_000) == "94.0\xa0MB"
    assert decimal_size(4_000_000_000) == "4.0\xa0GB"
    assert decimal_size(1_500) == "1.5\xa0KB"
    assert decimal_size(999_999) == "1.0\xa0MB"
    assert decimal_size(5) == "5\xa0bytes"
    assert decimal_size(None) == "0\xa0bytes"
    with translation.override("ar"):
        assert decimal_size(94_000_000).startswith("94,0\xa0")


def test_size_settings_count_decimal_megabytes(settings):
    from video_share.body_limits import limit_for

    settings.VIDEO_SHARE_MAX_UPLOAD_MB = 94
    assert limit_for(reverse("upload")).file == 94_000_000


def test_the_upload_page_states_the_per_file_limit_in_decimal_units(client, alice, settings):
    settings.VIDEO_SHARE_MAX_UPLOAD_MB = 4000
    settings.VIDEO_SHARE_USER_QUOTA_MB = 0
    page = client.get(reverse("upload")).content.decode()
    assert "up to 4.0\xa0GB." in page
    assert 'data-max-bytes="4000000000"' in page
    assert "storage" not in page.lower()  # unlimited: only the per-file limit is stated


def test_the_upload_page_shows_storage_use_and_the_real_limit_left(client, alice, settings):
    settings.VIDEO_SHARE_MAX_UPLOAD_MB = 4000
    settings.VIDEO_SHARE_USER_QUOTA_MB = 1000
    make_video_row(alice, source_size=94_000_000)
    make_video_row(make_user("bob"), source_size=500_000_000)
    page = client.get(reverse("upload")).content.decode()
    assert "94.0\xa0MB of your 1.0\xa0GB of storage used" in page
    assert "up to 906.0\xa0MB." in page
    assert 'data-max-bytes="906000000"' in page


def test_the_upload_page_limit_is_the_per_file_limit_when_that_is_smaller(client, alice, settings):
    settings.VIDEO_SHARE_MAX_UPLOAD_MB = 100
    settings.VIDEO_SHARE_USER_QUOTA_MB = 1000
    page = client.get(reverse("upload")).content.decode()
    assert "0\xa0bytes of your 1.0\xa0GB of storage used" in page
    assert "up to 100.0\xa0MB." in page


def test_a_full_quota_is_said_on_the_upload_page(client, alice, settings):
    settings.VIDEO_SHARE_USER_QUOTA_MB = 100
    make_video_row(alice, source_size=100_000_000)
    page = client.get(reverse("upload")).content.decode()
    assert "Your storage is full. Delete some videos to upload more." in page


def test_profile_settings_show_storage_use(client, alice, settings):
    settings.VIDEO_SHARE_USER_QUOTA_MB = 1000
    make_video_row(alice, source_size=94_000_000)
    page = client.get(reverse("profile_edit")).content.decode()
    assert "94.0\xa0MB of your 1.0\xa0GB of storage used" in page
    settings.VIDEO_SHARE_USER_QUOTA_MB = 0
    settings.VIDEO_SHARE_MAX_UPLOAD_MB = 4000
    page = client.get(reverse("profile_edit")).content.decode()
    assert "storage" not in page.lower()
    assert "Each video can be up to 4.0\xa0GB." in page


def test_an_upload_field_is_validated_alone_without_the_file(client, alice):
    data = {"title": "", "description": "", "tags_text": "ok, x", "visibility": "public"}
    headers = {"HX-Request": "true", "HX-Trigger-Name": "tags_text"}
    response = client.post(reverse("upload"), data, headers=headers)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.strip().startswith('<div class="field__errors" id="id_tags_text-errors"')
    assert "“x”: each tag needs 2 to 30 characters." in html
    assert "<form" not in html
    assert "required" not in html  # the missing file is not this field's business
    assert not Video.objects.exists()


def test_a_valid_upload_field_gets_an_empty_error_list(client, alice):
    data = {"title": "Lecture 3", "tags_text": "maths", "visibility": "public"}
    headers = {"HX-Request": "true", "HX-Trigger-Name": "visibility"}
    response = client.post(reverse("upload"), data, headers=headers)
    assert "<p>" not in response.content.decode()
    headers["HX-Trigger-Name"] = "tags_text"
    response = client.post(reverse("upload"), data | {"tags_text": "a" * 31}, headers=headers)
    assert "2 to 30 characters" in response.content.decode()


def test_upload_fields_validate_inline_through_the_upload_view(client, alice):
    page = client.get(reverse("upload")).content.decode()
    for name in ("title", "description", "tags_text", "visibility"):
        assert f'hx-target="#id_{name}-errors"' in page
    assert page.count(f'hx-post="{reverse("upload")}"') >= 4
    # The file is never sent with a field's check.
    assert 'hx-params="not file"' in page


def test_processing_makes_scrub_previews_seen_like_the_video(
    client, alice, tmp_path, django_capture_on_commit_callbacks
):
    """After the first rendition, a storyboard: frames every 2 s in sheets of 10 × 10, a
    WebVTT thumbnails track pointing into them, and both only for who may see the video."""
    clip = make_video(tmp_path / "talk.mp4", size="640x360", seconds=7)
    post_upload(client, clip, title="Talk")
    with django_capture_on_commit_callbacks(execute=True):
        run_jobs(max_jobs=1)
    video = Video.objects.get()
    board = video.storyboard
    assert (board["interval"], board["width"], board["height"], board["count"]) == (2.0, 160, 90, 4)
    (sheet,) = board["sheets"]
    assert sheet.startswith(f"videos/{video.public_id}/storyboard-")
    assert default_storage.exists(sheet)
    vtt = client.get(reverse("video_storyboard", args=[video.public_id]))
    assert vtt["Content-Type"] == "text/vtt; charset=utf-8"
    text = vtt.content.decode()
    assert text.startswith("WEBVTT\n\n00:00:00.000 --> 00:00:02.000\n")
    name = sheet.rsplit("/", 1)[-1]
    assert f"/media/v/{video.public_id}/{name}#xywh=160,0,160,90" in text
    assert "00:00:06.000 --> 00:00:07.000" in text
    assert client.get(f"/media/v/{video.public_id}/{name}").status_code == 200
    # Private: the previews go with the video.
    Video.objects.filter(pk=video.pk).update(visibility=Video.Visibility.PRIVATE)
    media_access.forget(video.public_id)
    other = Client()
    other.force_login(make_user("mallory"))
    assert other.get(reverse("video_storyboard", args=[video.public_id])).status_code == 404
    assert other.get(f"/media/v/{video.public_id}/{name}").status_code == 404
    page = client.get(video.get_absolute_url()).content.decode()
    assert 'kind="metadata"' in page
    assert "data-scrubber" in page


def test_a_video_without_previews_has_no_track(client, alice):
    video = make_video_row(alice)
    assert client.get(reverse("video_storyboard", args=[video.public_id])).status_code == 404
    assert 'kind="metadata"' not in client.get(video.get_absolute_url()).content.decode()


def test_the_owner_sees_what_is_still_being_made_of_a_playable_video(client, alice):
    from datetime import timedelta

    from django.utils import timezone

    video = make_video_row(
        alice, pending_heights=[720], progress=40, progress_step=720,
        step_started_at=timezone.now() - timedelta(seconds=60),
    )  # fmt: skip
    page = client.get(video.get_absolute_url()).content.decode()
    assert "Converting to 720p… 40% done, about 1:30 left" in page
    assert f'sse-swap="work-{video.public_id}"' in page
    stranger = Client()
    stranger.force_login(make_user("bob"))
    assert "Converting to 720p" not in stranger.get(video.get_absolute_url()).content.decode()
