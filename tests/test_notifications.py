from urllib.parse import quote

import pytest
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone
from django_eventstream import send_event

from video_share import actions
from video_share.digests import UNSUBSCRIBE_SALT, send_due_digests
from video_share.events import ChannelManager, bell_stream_name
from video_share.models import Comment, MutedNotification, Notification, User, Video

from .factories import PASSWORD, make_user, make_video
from .jobs import run_jobs
from .streams import read_stream

pytestmark = pytest.mark.django_db
Kind = Notification.Kind


@pytest.fixture
def alice():
    return make_user("alice")


@pytest.fixture
def bob():
    return make_user("bob")


@pytest.fixture
def carol():
    return make_user("carol")


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run the block's on-commit callbacks (published events) as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def notify(user, video, read=False):
    return Notification.objects.create(
        recipient=user,
        kind=Kind.VIDEO_READY,
        video=video,
        read_at=timezone.now() if read else None,
    )


def kinds_of(user):
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def post(video, author, body, parent=None):
    return actions.do_post_comment(video=video, author=author, body=body, parent=parent)


# Who gets what, and who does not.


def test_a_comment_notifies_the_videos_owner_but_never_its_author(alice, bob):
    video = make_video(alice)
    post(video, bob, "Nice one")
    post(video, alice, "Thanks")  # one's own comment on one's own video
    [notification] = Notification.objects.all()
    assert (notification.recipient, notification.kind, notification.actor) == (
        alice,
        Kind.COMMENT,
        bob,
    )


def test_a_reply_notifies_the_parents_author_and_the_owner_once_each(alice, bob, carol):
    video = make_video(alice)
    parent = post(video, bob, "First")
    Notification.objects.all().delete()
    reply = post(video, carol, "Agreed", parent=parent)
    assert kinds_of(bob) == [Kind.REPLY]
    assert kinds_of(alice) == [Kind.COMMENT]
    assert Notification.objects.get(recipient=bob).comment == reply
    # The owner replying to a comment on their video: only the comment's author hears of it.
    Notification.objects.all().delete()
    post(video, alice, "Thanks!", parent=parent)
    assert kinds_of(bob) == [Kind.REPLY]
    assert kinds_of(alice) == []


def test_a_mention_notifies_who_is_mentioned_once(alice, bob, carol):
    video = make_video(alice)
    post(video, bob, "@Carol look, @carol! And @nobody, and me: @bob")
    assert kinds_of(carol) == [Kind.MENTION]
    assert kinds_of(bob) == []
    # Mentioning the owner: a mention, not a second notification for the comment.
    Notification.objects.all().delete()
    post(video, bob, "@alice great")
    assert kinds_of(alice) == [Kind.MENTION]


def test_nobody_hears_of_what_they_cannot_see(alice, bob, carol):
    private = make_video(alice, visibility=Video.Visibility.PRIVATE)
    post(private, alice, "note to self, @carol")
    assert kinds_of(carol) == []


def test_people_who_cannot_log_in_get_no_notifications(alice, bob, carol):
    video = make_video(alice)
    comment = post(video, bob, "Hello @carol")
    Notification.objects.all().delete()
    User.objects.filter(pk__in=[alice.pk, bob.pk, carol.pk]).update(is_active=False)
    for person in (alice, bob, carol):
        person.refresh_from_db()
    post(video, make_user("dave"), "Hi @carol", parent=comment)
    actions.do_toggle_comment_like(comment, make_user("erin"))
    assert not Notification.objects.exists()


def test_likes_on_a_comment_gather_in_one_notification(alice, bob, carol):
    video = make_video(alice)
    comment = post(video, bob, "Hello")
    Notification.objects.all().delete()
    actions.do_toggle_comment_like(comment, alice)
    actions.do_toggle_comment_like(comment, carol)
    [notification] = Notification.objects.filter(recipient=bob)
    assert (notification.kind, notification.actor, notification.others) == (
        Kind.COMMENT_LIKE,
        carol,
        1,
    )
    actions.do_toggle_comment_like(comment, bob)  # one's own like: nothing
    assert Notification.objects.filter(recipient=bob).count() == 1
    # Once read, the next like starts a new one.
    actions.do_mark_read(bob)
    dave = make_user("dave")
    actions.do_toggle_comment_like(comment, dave)
    assert Notification.objects.filter(recipient=bob, read_at=None).get().others == 0


def test_gathered_likes_tell_the_likes_that_still_stand(alice, bob, carol):
    video = make_video(alice)
    comment = post(video, bob, "Hello")
    Notification.objects.all().delete()
    actions.do_toggle_comment_like(comment, alice)
    actions.do_toggle_comment_like(comment, carol)
    actions.do_toggle_comment_like(comment, carol)  # carol takes hers back
    notification = Notification.objects.get(recipient=bob)
    assert (notification.actor, notification.others) == (alice, 0)
    actions.do_toggle_comment_like(comment, alice)
    assert not Notification.objects.filter(recipient=bob).exists()


def test_liking_again_and_again_does_not_notify_again_and_again(alice, bob):
    comment = post(make_video(alice), bob, "Hello")
    Notification.objects.all().delete()
    for _ in range(3):
        actions.do_toggle_comment_like(comment, alice)  # like
        actions.do_mark_read(bob)
        actions.do_toggle_comment_like(comment, alice)  # and take it back
    assert Notification.objects.filter(recipient=bob).count() == 1


def test_a_like_taken_back_takes_its_notification_with_it(alice, bob):
    video = make_video(alice)
    comment = post(video, bob, "Hello")
    Notification.objects.all().delete()
    actions.do_toggle_comment_like(comment, alice)
    actions.do_toggle_comment_like(comment, alice)
    assert not Notification.objects.exists()


def test_a_heart_from_the_owner(alice, bob):
    video = make_video(alice)
    comment = post(video, bob, "Hello")
    actions.do_heart_comment(comment, True)
    notification = Notification.objects.get(recipient=bob)
    assert (notification.kind, notification.actor) == (Kind.HEART, alice)
    actions.do_heart_comment(comment, False)
    assert not Notification.objects.filter(recipient=bob).exists()


def test_a_new_subscriber(alice, bob):
    actions.do_subscribe(bob, alice)
    assert kinds_of(alice) == [Kind.SUBSCRIBER]
    actions.do_unsubscribe(bob, alice)
    assert kinds_of(alice) == []


def test_a_new_public_video_reaches_subscribers_from_the_worker_once(alice, bob, carol, on_commit):
    actions.do_subscribe(bob, alice)
    actions.do_subscribe(carol, alice)
    MutedNotification.objects.create(user=carol, kind=Kind.NEW_VIDEO)
    video = make_video(alice, status=Video.Status.UPLOADED)
    # The video becomes ready: the fan-out is a background task, not part of the request.
    Video.objects.filter(pk=video.pk).update(status=Video.Status.READY)
    video.refresh_from_db()
    with on_commit():
        actions.notifications.notify_subscribers_when_public(video)  # as do_add_rendition does
    assert kinds_of(bob) == []
    run_jobs()
    assert kinds_of(bob) == [Kind.NEW_VIDEO]
    assert kinds_of(carol) == []  # turned off
    video.refresh_from_db()
    assert video.announced_at is not None
    # Private, then public again: announced once only.
    with on_commit():
        actions.do_edit_video(video, {**_edits(video), "visibility": Video.Visibility.PRIVATE})
        actions.do_edit_video(video, {**_edits(video), "visibility": Video.Visibility.PUBLIC})
    run_jobs()
    assert kinds_of(bob) == [Kind.NEW_VIDEO]


def test_making_a_video_public_through_its_form_tells_subscribers(client, alice, bob, on_commit):
    actions.do_subscribe(bob, alice)
    video = make_video(alice, visibility=Video.Visibility.PRIVATE)
    client.force_login(alice)
    form = {"title": video.title, "description": "", "tags_text": "", "visibility": "public"}
    with on_commit():
        response = client.post(reverse("video_edit", args=[video.public_id]), form)
    assert response.status_code == 302
    assert kinds_of(bob) == []  # not in the request: in the worker
    run_jobs()
    assert kinds_of(bob) == [Kind.NEW_VIDEO]


def test_making_a_video_private_through_its_form_cuts_its_viewers_off(
    client, alice, on_commit, published
):
    video = make_video(alice)
    client.force_login(alice)
    form = {"title": video.title, "description": "", "tags_text": "", "visibility": "private"}
    with on_commit():
        client.post(reverse("video_edit", args=[video.public_id]), form)
    # Its open streams, in every process, ask again who may read them
    # (tests/test_video_permissions.py).
    assert (f"control-video-{video.public_id}", "recheck", "") in published


def test_unlisted_and_private_videos_are_not_announced(alice, bob):
    actions.do_subscribe(bob, alice)
    for visibility in (Video.Visibility.UNLISTED, Video.Visibility.PRIVATE):
        assert actions.fan_out_new_video(make_video(alice, visibility=visibility)) == 0
    assert kinds_of(bob) == []


def test_fan_out_goes_in_batches(alice, monkeypatch, django_assert_max_num_queries):
    from video_share.actions import notifications as notifying

    monkeypatch.setattr(notifying, "FAN_OUT_BATCH", 10)
    fans = [make_user(f"fan{i}") for i in range(25)]
    for fan in fans:
        actions.do_subscribe(fan, alice)
    video = make_video(alice)
    # Per batch: read the batch, insert it (and the savepoints): a fixed number, whatever its size.
    with django_assert_max_num_queries(16):
        assert actions.fan_out_new_video(video) == 25
    assert Notification.objects.filter(kind=Kind.NEW_VIDEO).count() == 25


def test_turned_off_kinds_are_not_created(alice, bob):
    MutedNotification.objects.create(user=alice, kind=Kind.COMMENT)
    post(make_video(alice), bob, "Hello")
    assert kinds_of(alice) == []


def _edits(video):
    return {
        "title": video.title,
        "description": video.description,
        "visibility": video.visibility,
        "tags_text": "",
    }


def test_live_counts_follow_the_language_the_person_switched_to(client, alice):
    client.force_login(alice)
    client.post(reverse("set_language"), {"language": "ar", "next": "/"})
    alice.refresh_from_db()
    assert alice.language == "ar"


def test_logging_in_remembers_the_language_in_use(client, alice):
    client.cookies["django_language"] = "ar"
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.language == "ar"


# Deleted or hidden targets leave no broken links.


def test_a_deleted_comment_takes_its_notifications_with_it(alice, bob):
    video = make_video(alice)
    comment = post(video, bob, "Hello @alice")
    assert Notification.objects.exists()
    actions.do_delete_comment(comment)
    assert not Notification.objects.exists()


def test_notifications_about_what_went_out_of_sight_are_not_shown(client, alice, bob):
    video = make_video(bob, title="Secret soon")
    actions.do_subscribe(alice, bob)
    actions.fan_out_new_video(video)
    hidden = post(make_video(bob), alice, "hi")
    actions.do_toggle_comment_like(hidden, bob)
    assert actions.unread_count(alice) == 2
    actions.do_edit_video(video, {**_edits(video), "visibility": Video.Visibility.PRIVATE})
    Comment.objects.filter(pk=hidden.pk).update(hidden=True)
    assert actions.unread_count(alice) == 0
    client.force_login(alice)
    assert "Secret soon" not in client.get(reverse("notifications")).content.decode()


# The unread count, live.


def test_the_unread_count_is_sent_after_commit_on_the_users_channel(
    alice, bob, published, on_commit
):
    video = make_video(alice)
    with on_commit():
        post(video, bob, "One")
    with on_commit():
        post(video, bob, "Two")
    counts = [(c, html) for c, kind, html in published if kind == "unread"]
    assert [c for c, _ in counts] == [bell_stream_name(alice.pk)] * 2
    assert "2 unread" in counts[-1][1]
    published.clear()
    with on_commit():
        actions.do_mark_read(alice)
    [(channel, kind, html)] = published
    assert (channel, kind, html) == (bell_stream_name(alice.pk), "unread", "")


def test_the_count_is_sent_in_the_recipients_language(alice, bob, published, on_commit):
    alice.language = "ar"
    alice.save()
    with on_commit():
        post(make_video(alice), bob, "مرحبا")
    [html] = [html for _c, kind, html in published if kind == "unread"]
    assert "غير مقروء" in html


def test_a_rolled_back_action_sends_no_count(alice, bob, published):
    from django.db import transaction

    video = make_video(alice)

    def post_then_fail():
        with transaction.atomic():
            post(video, bob, "never")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        post_then_fail()
    assert published == []


def test_the_bell_channel_is_its_users_only_and_not_stored(alice, bob):
    manager = ChannelManager()
    assert manager.can_read_channel(alice, bell_stream_name(alice.pk))
    assert not manager.can_read_channel(bob, bell_stream_name(alice.pk))
    assert not manager.can_read_channel(None, bell_stream_name(alice.pk))
    assert not manager.is_channel_reliable(bell_stream_name(alice.pk))


def test_the_count_reaches_the_users_open_stream(alice):
    text = read_stream(
        reverse("notification_stream"),
        user=alice,
        until="event: unread",
        publish=lambda: send_event(bell_stream_name(alice.pk), "unread", "3", json_encode=False),
    )
    assert "event: unread\ndata: 3" in text


def test_the_notification_stream_is_forbidden_without_a_user():
    text = read_stream(reverse("notification_stream"), until="stream-error")
    assert "forbidden" in text


# Pages.


def test_the_bell_shows_the_unread_count_on_every_page(client, alice):
    video = make_video(alice, title="Mine")
    notify(alice, video)
    notify(alice, video)
    notify(alice, video, read=True)
    client.force_login(alice)
    html = client.get(reverse("home")).content.decode()
    assert 'aria-label="Notifications" aria-describedby="bell-count"' in html
    assert "2 unread" in html
    # One stream per tab, kept across boosted navigation.
    assert 'id="bell" class="bell" data-popup hx-preserve="true"' in html
    assert f'sse-connect="{reverse("notification_stream")}"' in html


def test_signed_out_pages_have_no_bell(client):
    assert 'id="bell"' not in client.get(reverse("home")).content.decode()


def test_the_page_lists_filters_and_marks_read(client, alice):
    video = make_video(alice, title="Sunset clip")
    first = notify(alice, video)
    notify(alice, video, read=True)
    client.force_login(alice)
    page = client.get(reverse("notifications")).content.decode()
    assert page.count('<li class="notification') == 2
    assert "Your video “<bdi>Sunset clip</bdi>” is ready" in page
    unread = client.get(reverse("notifications"), {"show": "unread"}).content.decode()
    assert unread.count('<li class="notification') == 1
    response = client.get(reverse("open_notification", args=[first.pk]))
    assert response["Location"] == video.get_absolute_url()
    first.refresh_from_db()
    assert first.read_at is not None


def test_opening_a_reply_goes_to_its_anchor_in_its_open_thread(client, alice, bob):
    video = make_video(alice)
    parent = post(video, alice, "Question")
    for n in range(4):  # enough replies to be collapsed normally
        post(video, alice, f"more {n}", parent=parent)
    reply = post(video, bob, "Answer", parent=parent)
    notification = Notification.objects.get(recipient=alice, kind=Kind.REPLY)
    client.force_login(alice)
    response = client.get(reverse("open_notification", args=[notification.pk]))
    url = f"{video.get_absolute_url()}?comment={reply.pk}#comment-{reply.pk}"
    assert response["Location"] == url
    html = client.get(url).content.decode()
    assert f'id="comment-{reply.pk}" class="comment comment--reply comment--highlighted"' in html
    assert '<details class="replies" open>' in html


def test_a_linked_comment_comes_first_and_only_once(client, alice, bob):
    video = make_video(alice)
    old = post(video, bob, "The old one")
    for n in range(25):
        post(video, alice, f"filler {n}")
    client.force_login(alice)
    html = client.get(video.get_absolute_url(), {"comment": old.pk, "sort": "newest"})
    html = html.content.decode()
    assert html.count(f'id="comment-{old.pk}"') == 1
    assert html.index(f'id="comment-{old.pk}"') < html.index("filler 24")
    more = client.get(
        reverse("comment_list", args=[video.public_id]),
        {"sort": "newest", "page": 2, "comment": old.pk},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert f'id="comment-{old.pk}"' not in more


def test_nobody_opens_another_users_notification(client, alice, bob):
    notification = notify(alice, make_video(alice))
    client.force_login(bob)
    assert client.get(reverse("open_notification", args=[notification.pk])).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_all_as_read(client, alice):
    notify(alice, make_video(alice))
    client.force_login(alice)
    response = client.post(reverse("mark_all_read"))
    assert response["Location"] == reverse("notifications")
    assert not Notification.objects.filter(read_at=None).exists()


def test_mark_all_as_read_needs_the_csrf_token(alice):
    from django.test import Client

    notify(alice, make_video(alice))
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.post(reverse("mark_all_read")).status_code == 403
    assert Notification.objects.filter(read_at=None).exists()


def test_the_dropdown_shows_the_latest_ten(client, alice):
    video = make_video(alice)
    for _ in range(12):
        notify(alice, video)
    client.force_login(alice)
    html = client.get(reverse("notification_menu"), headers={"HX-Request": "true"})
    html = html.content.decode()
    assert "<html" not in html
    assert html.count('<li class="notification') == 10
    assert reverse("notifications") in html
    # Without htmx it is the page.
    assert client.get(reverse("notification_menu"))["Location"] == reverse("notifications")
    # Marking all read from the dropdown answers with the dropdown.
    html = client.post(
        reverse("mark_all_read"), headers={"HX-Request": "true", "HX-Target": "bell-panel"}
    ).content.decode()
    assert 'id="bell-panel-title"' in html
    assert "notification--unread" not in html


def test_the_count_view_answers_the_current_count(client, alice):
    notify(alice, make_video(alice))
    client.force_login(alice)
    assert "1 unread" in client.get(reverse("unread_count")).content.decode()


def test_notification_pages_need_a_login(client):
    for name in ("notifications", "notification_menu", "notification_settings"):
        assert client.get(reverse(name)).status_code == 302
    # What the bell asks for in the background never swaps a log-in page into it.
    assert client.get(reverse("unread_count")).status_code == 204
    menu = client.get(reverse("notification_menu"), headers={"HX-Request": "true"})
    assert menu["HX-Redirect"].startswith(reverse("login"))


def test_the_bell_of_a_session_ended_elsewhere_logs_in_back_to_the_page_it_was_on(client, alice):
    watch = make_video(alice).get_absolute_url()
    menu = client.get(
        reverse("notification_menu"),
        headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{watch}"},
    )
    assert menu["HX-Redirect"] == f"{reverse('login')}?next={quote(watch, safe='')}"


# Preferences and the email digest.


def test_settings_turn_kinds_off_and_the_digest_on(client, alice):
    client.force_login(alice)
    page = client.get(reverse("notification_settings")).content.decode()
    assert "Replies to your comments" in page
    data = {f"kind_{kind}": "on" for kind in Kind.values if kind != Kind.COMMENT_LIKE}
    response = client.post(reverse("notification_settings"), {**data, "email_digest": "on"})
    assert response.status_code == 302
    assert list(MutedNotification.objects.values_list("kind", flat=True)) == [Kind.COMMENT_LIKE]
    alice.refresh_from_db()
    assert alice.email_digest
    # And back on.
    client.post(reverse("notification_settings"), {f"kind_{k}": "on" for k in Kind.values})
    assert not MutedNotification.objects.exists()


def test_the_daily_digest_goes_once_a_day_with_an_unsubscribe_link(client, alice, bob):
    actions.do_save_notification_settings(alice, {"email_digest": True})
    assert send_due_digests() == 0  # nothing has happened yet
    alice.refresh_from_db()
    alice.digest_sent_at -= timezone.timedelta(days=1, minutes=1)
    alice.save()
    post(make_video(alice, title="Cats & dogs"), bob, "Hello")
    assert send_due_digests() == 1
    assert send_due_digests() == 0  # not twice
    [email] = mail.outbox
    assert email.to == ["alice@example.com"]
    assert "1 new notification" in email.subject
    assert "bob commented on “Cats & dogs”" in email.body
    assert "Cats &amp; dogs" in email.alternatives[0].content
    unsubscribe = email.extra_headers["List-Unsubscribe"].strip("<>")
    path = unsubscribe.removeprefix("http://localhost:8000")
    assert "Unsubscribe" in client.get(path).content.decode()
    client.post(path)
    alice.refresh_from_db()
    assert not alice.email_digest


def test_a_digest_whose_email_fails_stays_due_and_goes_later(alice, bob, monkeypatch):
    actions.do_save_notification_settings(alice, {"email_digest": True})
    day_ago = timezone.now() - timezone.timedelta(days=1, minutes=1)
    User.objects.filter(pk=alice.pk).update(digest_sent_at=day_ago)
    post(make_video(alice, title="Cats"), bob, "Hello")

    def mail_server_down(message, fail_silently=False):
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", mail_server_down)
    assert send_due_digests() == 0
    alice.refresh_from_db()
    assert alice.digest_sent_at == day_ago
    monkeypatch.undo()
    assert send_due_digests() == 1
    assert "bob commented on “Cats”" in mail.outbox[0].body
    assert send_due_digests() == 0


def test_the_digest_goes_only_to_a_verified_address(alice, bob):
    actions.do_save_notification_settings(alice, {"email_digest": True})
    User.objects.filter(pk=alice.pk).update(
        verified_email="", digest_sent_at=timezone.now() - timezone.timedelta(days=2)
    )
    post(make_video(alice), bob, "Hello")
    assert send_due_digests() == 0
    assert len(mail.outbox) == 0
    User.objects.filter(pk=alice.pk).update(verified_email=alice.email)
    assert send_due_digests() == 1
    assert mail.outbox[0].to == ["alice@example.com"]


def test_a_forged_unsubscribe_link_changes_nothing(client, alice):
    actions.do_save_notification_settings(alice, {"email_digest": True})
    forged = signing.dumps(alice.pk, salt="something else")
    assert client.post(reverse("digest_unsubscribe", args=[forged])).status_code == 404
    alice.refresh_from_db()
    assert alice.email_digest


def test_the_unsubscribe_token_is_signed_for_this_purpose(alice):
    token = signing.dumps(alice.pk, salt=UNSUBSCRIBE_SALT)
    assert signing.loads(token, salt=UNSUBSCRIBE_SALT) == alice.pk


def test_a_boosted_page_change_does_not_count_the_bell_again(client, alice):
    notify(alice, make_video(alice))
    client.force_login(alice)
    full = client.get(reverse("home")).content.decode()
    assert "1 unread" in full
    boosted = client.get(reverse("home"), headers={"HX-Request": "true", "HX-Boosted": "true"})
    # The page keeps its live bell; a new one fetches its count when its stream opens.
    assert "1 unread" not in boosted.content.decode()


# The page follows the bell: its first page is asked for again whenever the bell hears.


def test_the_first_page_of_notifications_asks_for_itself_again_when_the_bell_hears(client, alice):
    video = make_video(alice)
    for _ in range(31):
        notify(alice, video)
    client.force_login(alice)
    for show in ("all", "unread"):
        page = client.get(reverse("notifications"), {"show": show}).content.decode()
        assert f'hx-get="{reverse("notifications")}?show={show}"' in page
        assert 'hx-trigger="htmx:sseOpen from:#bell, htmx:sseMessage from:#bell-count"' in page
    # An older page stays as it is: what is new goes on the first.
    older = client.get(reverse("notifications"), {"page": 2}).content.decode()
    assert 'id="notification-list"' in older
    assert "htmx:sseMessage" not in older


def test_the_list_of_notifications_alone_for_htmx(client, alice, bob):
    video = make_video(alice, title="Sunset clip")
    notify(alice, video, read=True)
    comment = post(video, bob, "Lovely light")
    client.force_login(alice)
    response = client.get(reverse("notifications"), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="notification-list"')
    assert "<html" not in html
    assert html.count('<li class="notification') == 2
    assert html.index("Lovely light") < html.index("is ready")  # the newest first
    assert "notification--unread" in html
    opened = reverse("open_notification", args=[Notification.objects.get(comment=comment).pk])
    assert f'href="{opened}"' in html
    unread = client.get(
        reverse("notifications"), {"show": "unread"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert unread.count('<li class="notification') == 1
    # A boosted request still gets the whole page.
    boosted = client.get(
        reverse("notifications"), headers={"HX-Request": "true", "HX-Boosted": "true"}
    )
    assert "<html" in boosted.content.decode()


def test_the_list_of_notifications_is_in_the_readers_language(client, alice, bob):
    post(make_video(alice), bob, "Lovely light")
    client.force_login(alice)
    client.cookies["django_language"] = "ar"
    html = client.get(reverse("notifications"), headers={"HX-Request": "true"}).content.decode()
    assert "commented" not in html
    assert 'id="notification-list"' in html
