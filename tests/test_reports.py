import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from video_share.models import Comment, Report, User, Video

from .factories import make_user, make_video

pytestmark = pytest.mark.django_db


@pytest.fixture
def troll(video):
    return make_user("troll")


@pytest.fixture
def nasty(video, troll):
    return Comment.objects.create(video=video, author=troll, body="something nasty")


@pytest.fixture
def staff(client):
    admin = make_user("moderator", is_staff=True, is_superuser=True)
    client.force_login(admin)
    return admin


def test_reporting_a_comment(client, nasty):
    client.force_login(make_user("reader"))
    url = reverse("report_comment", args=[nasty.pk])
    assert "something nasty" in client.get(url).content.decode()
    response = client.post(url, {"reason": "harassment", "note": "rude"})
    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.comment, report.video, report.reason) == (nasty, nasty.video, "harassment")


def test_reporting_twice_files_one_report(client, video):
    client.force_login(make_user("reader"))
    url = reverse("report_video", args=[video.public_id])
    client.post(url, {"reason": "spam"})
    client.post(url, {"reason": "spam"})
    assert Report.objects.count() == 1


def test_reports_are_limited_per_person(client, settings, owner):
    settings.VIDEO_SHARE_REPORTS_PER_USER_PER_HOUR = 2
    client.force_login(make_user("reader"))
    videos = [make_video(owner, title=f"Video {n}") for n in range(3)]
    for video in videos[:2]:
        client.post(reverse("report_video", args=[video.public_id]), {"reason": "spam"})
    response = client.post(reverse("report_video", args=[videos[2].public_id]), {"reason": "spam"})
    assert response.status_code == 200
    assert "You have sent many reports in a short time" in response.content.decode()
    assert Report.objects.count() == 2
    # Someone else is not held back.
    client.force_login(make_user("another"))
    client.post(reverse("report_video", args=[videos[2].public_id]), {"reason": "spam"})
    assert Report.objects.count() == 3


def test_nobody_reports_their_own_video(client, video, owner):
    client.force_login(owner)
    client.post(reverse("report_video", args=[video.public_id]), {"reason": "spam"})
    assert not Report.objects.exists()


def test_a_report_sent_from_the_boosted_form_lands_on_the_whole_video_page(client, nasty):
    """The boost sends the form through htmx: the answer is an htmx navigation to the comment,
    which asks for the whole page, as a link does."""
    client.force_login(make_user("reader"))
    response = client.post(
        reverse("report_comment", args=[nasty.pk]),
        {"reason": "harassment"},
        headers={"HX-Request": "true", "HX-Boosted": "true"},
    )
    spec = json.loads(response["HX-Location"])
    assert spec["path"] == f"{nasty.video.get_absolute_url()}#comment-{nasty.pk}"
    assert (spec["target"], spec["headers"]) == ("body", {"HX-Boosted": "true"})
    assert Report.objects.filter(comment=nasty).exists()


def test_a_report_needs_a_reason(client, video):
    client.force_login(make_user("reader"))
    response = client.post(reverse("report_video", args=[video.public_id]), {"reason": "meh"})
    assert response.status_code == 200
    assert not Report.objects.exists()


def test_private_videos_cannot_be_reported_by_strangers(client, owner):
    private = make_video(owner, visibility="private")
    client.force_login(make_user("reader"))
    assert client.get(reverse("report_video", args=[private.public_id])).status_code == 404


def admin_action(client, action, reports):
    return client.post(
        reverse("admin:video_share_report_changelist"),
        {"action": action, "_selected_action": [r.pk for r in reports]},
    )


def test_the_admin_lists_reports(client, staff, nasty):
    Report.objects.create(
        reporter=make_user("reader"), video=nasty.video, comment=nasty, reason="hate"
    )
    page = client.get(reverse("admin:video_share_report_changelist")).content.decode()
    assert "Hateful or abusive" in page


def test_hiding_a_reported_comment(client, staff, nasty, owner):
    report = Report.objects.create(reporter=owner, video=nasty.video, comment=nasty, reason="hate")
    admin_action(client, "hide", [report])
    nasty.refresh_from_db()
    report.refresh_from_db()
    assert nasty.hidden
    assert report.resolved
    page = client.get(nasty.video.get_absolute_url()).content.decode()
    assert "something nasty" not in page


def test_hiding_a_reported_video_makes_it_private(client, staff, video, owner):
    report = Report.objects.create(reporter=make_user("reader"), video=video, reason="spam")
    admin_action(client, "hide", [report])
    video.refresh_from_db()
    assert video.visibility == Video.Visibility.PRIVATE


def test_deleting_what_was_reported(client, staff, nasty, owner):
    report = Report.objects.create(reporter=owner, video=nasty.video, comment=nasty, reason="hate")
    admin_action(client, "delete_target", [report])
    assert not Comment.objects.exists()


def test_banning_the_author(client, staff, nasty, owner, troll):
    other = Comment.objects.create(video=nasty.video, author=troll, body="more of it")
    report = Report.objects.create(reporter=owner, video=nasty.video, comment=nasty, reason="hate")
    admin_action(client, "ban_author", [report])
    assert not User.objects.get(pk=troll.pk).is_active
    other.refresh_from_db()
    assert other.hidden


def test_a_banned_users_videos_are_out_of_sight_for_everyone_else(client, staff, troll):
    public = make_video(troll, title="Troll public")
    unlisted = make_video(troll, title="Troll unlisted", visibility="unlisted")
    report = Report.objects.create(reporter=make_user("reader"), video=public, reason="spam")
    admin_action(client, "ban_author", [report])
    visitor = Client()
    visitor.force_login(make_user("viewer"))
    assert "Troll public" not in visitor.get(reverse("home")).content.decode()
    assert "Troll public" not in visitor.get(reverse("search"), {"q": "Troll"}).content.decode()
    for video in (public, unlisted):
        assert visitor.get(video.get_absolute_url()).status_code == 404
        video.refresh_from_db()
        assert video.visibility == Video.Visibility.PRIVATE


def test_the_report_form_offers_only_real_reasons_none_chosen_and_one_required(client, video):
    client.force_login(make_user("reader"))
    page = client.get(reverse("report_video", args=[video.public_id])).content.decode()
    radios = re.findall(r"<input[^>]*type=\"radio\"[^>]*>", page)
    values = [re.search(r'value="([^"]*)"', radio).group(1) for radio in radios]
    assert values == [value for value, _label in Report.Reason.choices]
    assert not any("checked" in radio for radio in radios)
    assert all(" required" in radio for radio in radios)
    assert "Select an option" not in page
