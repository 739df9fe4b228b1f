"""The moderation area: the queue, its actions and their log, timed bans, and the staff badge
of open reports."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from video_share import actions
from video_share.events import ChannelManager, reports_stream_name
from video_share.models import Comment, ModerationEntry, Report, User, Video

from .factories import PASSWORD, make_user, make_video

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def troll(db):
    return make_user("troll")


@pytest.fixture
def nasty(video, troll):
    return Comment.objects.create(video=video, author=troll, body="something nasty")


@pytest.fixture
def moderator(client):
    person = make_user("moderator", is_staff=True)
    client.force_login(person)
    return person


def report(thing, by="reader", reason="spam"):
    reporter = User.objects.filter(username=by).first() or make_user(by)
    if isinstance(thing, Comment):
        actions.do_report(reporter, reason=reason, comment=thing)
    else:
        actions.do_report(reporter, reason=reason, video=thing)
    return Report.objects.filter(reporter=reporter).latest("pk")


def act(client, a_report, action, **data):
    url = reverse("moderation_act", args=[a_report.pk])
    return client.post(url, {"action": action, **data})


@pytest.mark.parametrize("url_name", ["moderation", "moderation_log"])
def test_the_moderation_pages_are_not_there_for_anyone_but_staff(client, url_name):
    url = reverse(url_name)
    assert Client().get(url).status_code == 404
    client.force_login(make_user("someone"))
    assert client.get(url).status_code == 404
    client.force_login(make_user("boss", is_staff=True))
    assert client.get(url).status_code == 200


def test_moderation_actions_are_refused_to_anyone_but_staff(client, nasty):
    a_report = report(nasty)
    client.force_login(make_user("someone"))
    assert act(client, a_report, "hide").status_code == 404
    assert Client().post(reverse("moderation_act", args=[a_report.pk])).status_code == 404
    nasty.refresh_from_db()
    assert not nasty.hidden
    assert not ModerationEntry.objects.exists()


def test_a_moderation_action_needs_the_csrf_token(nasty):
    a_report = report(nasty)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(make_user("boss", is_staff=True))
    assert act(browser, a_report, "hide").status_code == 403


def test_the_queue_gathers_the_reports_of_each_thing_newest_first(client, moderator, nasty, video):
    report(nasty, by="ann", reason="spam")
    report(nasty, by="ben", reason="harassment")
    report(nasty, by="cat", reason="spam")
    report(video, by="dan", reason="violence")
    page = client.get(reverse("moderation")).content.decode()
    assert page.count('class="reported"') == 2
    assert page.index("A talk") < page.index("something nasty")  # the video was reported last
    assert "Reported by 3 people" in page
    assert "Spam or misleading</span> × 2" in page
    assert f"?comment={nasty.pk}#comment-{nasty.pk}" in page
    assert "@troll" in page
    assert "@owner" in page


def test_dismissing_resolves_every_report_of_the_thing_and_is_logged(client, moderator, nasty):
    first = report(nasty, by="ann")
    report(nasty, by="ben")
    response = act(client, first, "dismiss", reason="Not against the rules")
    assert response.status_code == 302
    assert not Report.objects.open().exists()
    nasty.refresh_from_db()
    assert not nasty.hidden
    entry = ModerationEntry.objects.get()
    assert (entry.moderator, entry.action, entry.comment, entry.user) == (
        moderator,
        "dismiss",
        nasty,
        nasty.author,
    )
    assert entry.reason == "Not against the rules"
    log = client.get(reverse("moderation_log")).content.decode()
    assert "Not against the rules" in log
    assert "@moderator" in log


def test_hiding_a_reported_comment_is_logged(client, moderator, nasty):
    act(client, report(nasty), "hide", reason="rude")
    nasty.refresh_from_db()
    assert nasty.hidden
    entry = ModerationEntry.objects.get()
    assert (entry.action, entry.kind, entry.target, entry.reason) == (
        "hide",
        "comment",
        "something nasty",
        "rude",
    )


def test_hiding_a_reported_video_makes_it_private_and_is_logged(client, moderator, video):
    act(client, report(video), "hide")
    video.refresh_from_db()
    assert video.visibility == Video.Visibility.PRIVATE
    assert ModerationEntry.objects.get().action == "hide"


def test_deleting_a_reported_video_keeps_its_log_entry(client, moderator, video):
    act(client, report(video), "delete", reason="copyright")
    assert not Video.objects.filter(pk=video.pk).exists()
    entry = ModerationEntry.objects.get()
    assert (entry.action, entry.kind, entry.target) == ("delete", "video", "A talk")
    assert entry.video is None
    assert "A talk" in client.get(reverse("moderation_log")).content.decode()


def test_deleting_a_reported_comment_is_logged(client, moderator, nasty):
    act(client, report(nasty), "delete")
    assert not Comment.objects.filter(pk=nasty.pk).exists()
    assert ModerationEntry.objects.get().action == "delete"


def test_a_ban_needs_a_reason(client, moderator, nasty, troll):
    act(client, report(nasty), "ban", ban_for="7", reason="")
    assert User.objects.get(pk=troll.pk).is_active
    assert Report.objects.open().exists()


def test_a_timed_ban_is_logged_and_told_at_log_in_then_ends(client, moderator, nasty, troll):
    act(client, report(nasty), "ban", ban_for="1", reason="Insults in comments")
    troll.refresh_from_db()
    assert not troll.is_active
    assert timezone.now() + timedelta(hours=23) < troll.banned_until
    entry = ModerationEntry.objects.get()
    assert (entry.action, entry.user, entry.until) == ("ban", troll, troll.banned_until)
    nasty.refresh_from_db()
    assert nasty.hidden
    assert not Report.objects.open().exists()

    login = Client().post(reverse("login"), {"username": "troll", "password": PASSWORD})
    page = login.content.decode()
    assert "Your account is banned until" in page
    assert "Insults in comments" in page
    # A wrong password learns nothing of the ban.
    wrong = Client().post(reverse("login"), {"username": "troll", "password": "nope"})
    assert "banned" not in wrong.content.decode()

    User.objects.filter(pk=troll.pk).update(banned_until=timezone.now() - timedelta(seconds=1))
    login = Client().post(reverse("login"), {"username": "troll", "password": PASSWORD})
    assert login.status_code == 302
    troll.refresh_from_db()
    assert troll.is_active
    assert troll.banned_until is None
    assert ModerationEntry.objects.filter(action="lift_ban", user=troll).exists()


def test_the_watchdogs_lifting_ends_only_the_bans_whose_time_has_passed(troll):
    forever, later = make_user("forever"), make_user("later")
    actions.do_ban(forever, reason="spam bot")
    actions.do_ban(later, reason="x", until=timezone.now() + timedelta(days=1))
    actions.do_ban(troll, reason="x", until=timezone.now() - timedelta(minutes=1))
    assert actions.do_lift_expired_bans() == 1
    assert list(User.objects.filter(is_active=False).order_by("username")) == [forever, later]


def test_a_ban_for_good_says_so_at_log_in(troll):
    actions.do_ban(troll, reason="spam bot")
    page = Client().post(reverse("login"), {"username": "troll", "password": PASSWORD})
    assert "Your account is banned. Reason: spam bot" in page.content.decode()


def test_staff_cannot_be_banned_from_the_queue(client, moderator, video):
    other = make_user("other_mod", is_staff=True)
    comment = Comment.objects.create(video=video, author=other, body="hm")
    act(client, report(comment), "ban", ban_for="", reason="x")
    assert User.objects.get(pk=other.pk).is_active


def test_an_action_on_reports_already_handled_changes_nothing(client, moderator, nasty):
    a_report = report(nasty)
    actions.do_dismiss(a_report)
    response = act(client, a_report, "delete")
    assert response.status_code == 302
    assert Comment.objects.filter(pk=nasty.pk).exists()


def badge_events(published):
    return [(stream, html) for stream, kind, html in published if kind == "reports"]


def test_the_badge_count_is_published_when_a_report_is_filed_and_when_it_is_resolved(
    published, on_commit, nasty, video
):
    with on_commit():
        report(video)
    with on_commit():
        a_report = report(nasty)
    events = badge_events(published)
    assert {stream for stream, _html in events} == {"reports~en", "reports~ar"}
    assert "2 reported items to review" in dict(events)["reports~en"]
    published.clear()
    with on_commit():
        actions.do_hide(a_report)
    assert "1 reported item to review" in dict(badge_events(published))["reports~en"]
    published.clear()
    with on_commit():
        actions.do_dismiss(Report.objects.open().get())
    assert dict(badge_events(published))["reports~en"] == ""


def test_the_badge_count_is_not_published_before_commit(published, video):
    report(video)  # the test's transaction never commits
    assert badge_events(published) == []


def test_only_staff_may_read_the_open_reports_stream():
    manager = ChannelManager()
    stream = reports_stream_name("en")
    assert manager.can_read_channel(make_user("boss", is_staff=True), stream)
    assert not manager.can_read_channel(make_user("someone"), stream)
    assert not manager.can_read_channel(None, stream)


def test_staff_pages_show_the_count_and_others_do_not(client, video):
    report(video)
    client.force_login(make_user("boss", is_staff=True))
    assert "1 reported item to review" in client.get(reverse("home")).content.decode()
    client.force_login(make_user("someone"))
    page = client.get(reverse("home")).content.decode()
    assert "reports-count" not in page
    assert client.get(reverse("open_report_count")).status_code == 204


def test_the_badge_asks_for_its_count_when_its_stream_opens(client, video):
    report(video)
    client.force_login(make_user("boss", is_staff=True))
    response = client.get(reverse("open_report_count"), headers={"HX-Request": "true"})
    assert "1 reported item to review" in response.content.decode()


def test_a_private_video_reported_shows_in_the_queue(client, moderator, owner):
    private = make_video(owner, title="Hidden one", visibility="private")
    # Filed before it went private.
    Report.objects.create(reporter=owner, video=private, reason="other")
    assert "Hidden one" in client.get(reverse("moderation")).content.decode()
