from urllib.parse import quote

import pytest
from django.urls import reverse

from video_share import actions
from video_share.models import Comment

from .factories import make_user, make_video
from .streams import read_stream

pytestmark = pytest.mark.django_db


@pytest.fixture
def bob():
    return make_user("bob")


def post(client, video, body, headers=None, **extra):
    return client.post(
        reverse("post_comment", args=[video.public_id]), {"body": body, **extra}, headers=headers
    )


def test_posting_a_comment_without_javascript_redirects_to_it(client, video, bob):
    client.force_login(bob)
    response = post(client, video, "First!")
    comment = Comment.objects.get()
    assert response["Location"] == f"{video.get_absolute_url()}#comment-{comment.pk}"
    assert comment.author == bob


def test_posting_with_htmx_keeps_the_form_and_sends_the_comment(client, video, bob):
    client.force_login(bob)
    response = post(client, video, "Hello <b>there</b>", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html
    # The form stays (the reader may be typing again); only its one-time token is renewed.
    assert response["HX-Reswap"] == "none"
    assert 'id="comment-form"' not in html
    assert 'id="client-token" value="' in html
    assert 'hx-swap-oob="afterbegin:#comment-list"' in html
    assert "Hello &lt;b&gt;there&lt;/b&gt;" in html


def test_a_posted_comment_empties_the_error_of_an_earlier_try(client, video, bob):
    client.force_login(bob)
    response = post(client, video, "Second try", headers={"HX-Request": "true"})
    html = response.content.decode()
    errors = '<div class="field__errors" id="id_body-errors" aria-live="polite" hx-swap-oob="true">'
    assert errors + "</div>" in html


@pytest.mark.parametrize("body", ["", "   \n  "])
def test_an_empty_comment_is_refused(client, video, bob, body):
    client.force_login(bob)
    response = post(client, video, body, headers={"HX-Request": "true"})
    assert "Write something first." in response.content.decode()
    assert not Comment.objects.exists()


def test_a_too_long_comment_is_refused(client, video, bob):
    client.force_login(bob)
    post(client, video, "x" * 5001)
    assert not Comment.objects.exists()


def test_a_double_submit_posts_once(client, video, bob):
    client.force_login(bob)
    post(client, video, "Once", client_token="tok-1")
    post(client, video, "Once", client_token="tok-1")
    assert Comment.objects.count() == 1


def test_comments_are_rate_limited(client, video, bob, settings):
    settings.VIDEO_SHARE_COMMENTS_PER_MINUTE = 3
    client.force_login(bob)
    for index in range(3):
        post(client, video, f"c{index}")
    response = post(client, video, "one too many", headers={"HX-Request": "true"})
    assert "too fast" in response.content.decode()
    assert Comment.objects.count() == 3


def test_replies_are_one_level_deep(client, video, bob):
    top = Comment.objects.create(video=video, author=bob, body="top")
    reply = Comment.objects.create(video=video, author=bob, body="reply", parent=top)
    client.force_login(bob)
    post(client, video, "reply to a reply", parent=reply.pk)
    newest = Comment.objects.latest("pk")
    assert newest.parent == top
    top.refresh_from_db()
    assert top.reply_count == 1  # counted by the action; the fixture's own row was not


def test_signed_out_users_cannot_comment(client, video):
    response = post(client, video, "hi")
    assert response.status_code == 302
    assert not Comment.objects.exists()


def test_no_comments_on_private_videos_of_others(client, owner, bob):
    private = make_video(owner, visibility="private")
    client.force_login(bob)
    assert post(client, private, "hi").status_code == 404
    client.force_login(owner)
    post(client, private, "note to self")
    assert Comment.objects.count() == 1


def test_no_comments_on_unfinished_videos(client, owner):
    processing = make_video(owner, status="processing")
    client.force_login(owner)
    assert post(client, processing, "hi").status_code == 404


def test_only_the_author_edits(client, video, bob):
    comment = Comment.objects.create(video=video, author=bob, body="mine")
    client.force_login(make_user("mallory"))
    response = client.post(reverse("edit_comment", args=[comment.pk]), {"body": "hacked"})
    assert response.status_code == 404
    client.force_login(bob)
    client.post(reverse("edit_comment", args=[comment.pk]), {"body": "fixed typo"})
    comment.refresh_from_db()
    assert comment.body == "fixed typo"
    assert comment.edited_at is not None


def test_author_and_video_owner_delete_others_do_not(client, video, owner, bob):
    first = Comment.objects.create(video=video, author=bob, body="one")
    second = Comment.objects.create(video=video, author=bob, body="two")
    client.force_login(make_user("mallory"))
    assert client.post(reverse("delete_comment", args=[first.pk])).status_code == 404
    client.force_login(bob)
    client.post(reverse("delete_comment", args=[first.pk]))
    client.force_login(owner)
    client.post(reverse("delete_comment", args=[second.pk]))
    assert not Comment.objects.exists()


def test_only_the_video_owner_pins_and_hearts(client, video, owner, bob):
    comment = Comment.objects.create(video=video, author=bob, body="pin me")
    client.force_login(bob)
    assert client.post(reverse("pin_comment", args=[comment.pk])).status_code == 404
    assert client.post(reverse("heart_comment", args=[comment.pk])).status_code == 404
    client.force_login(owner)
    client.post(reverse("pin_comment", args=[comment.pk]))
    client.post(reverse("heart_comment", args=[comment.pk]))
    comment.refresh_from_db()
    assert comment.pinned
    assert comment.hearted


def test_one_pinned_comment_at_a_time(video, bob):
    first = Comment.objects.create(video=video, author=bob, body="a")
    second = Comment.objects.create(video=video, author=bob, body="b")
    actions.do_pin_comment(first)
    actions.do_pin_comment(second)
    first.refresh_from_db()
    assert not first.pinned
    assert Comment.objects.filter(pinned=True).get() == second


def test_likes_toggle_and_never_go_negative(video, bob):
    comment = Comment.objects.create(video=video, author=bob, body="like me")
    fan = make_user("fan")
    assert actions.do_toggle_comment_like(comment, fan)
    assert not actions.do_toggle_comment_like(comment, fan)
    comment.refresh_from_db()
    assert comment.like_count == 0


def test_a_comment_is_broadcast_after_commit_in_every_language(
    video, bob, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        comment = actions.do_post_comment(video=video, author=bob, body="Hi <script>")
    channels = sorted(channel for channel, _kind, _html in published if channel.startswith("video"))
    assert channels == [f"video-{video.public_id}~ar", f"video-{video.public_id}~en"]
    by_channel = {channel: html for channel, _kind, html in published}
    html = by_channel[f"video-{video.public_id}~en"]
    assert f'id="comment-{comment.pk}"' in html
    assert "&lt;script&gt;" in html
    assert "csrfmiddlewaretoken" not in html  # nothing per user in a broadcast
    assert 'id="comment-count" hx-swap-oob="true"' in html


def test_a_rolled_back_comment_is_never_published(video, bob, published):
    from django.db import transaction

    def post_then_fail():
        with transaction.atomic():
            actions.do_post_comment(video=video, author=bob, body="never")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        post_then_fail()
    assert published == []


@pytest.mark.parametrize(
    ("act", "marker"),
    [
        (lambda c: actions.do_edit_comment(c, "new words"), 'hx-swap-oob="outerHTML"'),
        (actions.do_delete_comment, 'hx-swap-oob="delete"'),
        (actions.do_pin_comment, 'hx-swap-oob="afterbegin:#comment-list"'),
        (lambda c: actions.do_heart_comment(c, True), "♥"),
        (lambda c: actions.do_toggle_comment_like(c, make_user("fan")), 'id="comment-likes-'),
    ],
)
def test_every_comment_event_is_published(
    video, bob, published, django_capture_on_commit_callbacks, act, marker
):
    comment = Comment.objects.create(video=video, author=bob, body="subject")
    with django_capture_on_commit_callbacks(execute=True):
        act(comment)
    published[:] = [event for event in published if event[0].startswith("video-")]
    assert published
    assert all(kind == "comments" for _channel, kind, _html in published)
    assert marker in published[0][2]


def test_watch_page_shows_comments_with_the_live_stream(client, video, bob):
    Comment.objects.create(video=video, author=bob, body="Visible comment")
    html = client.get(video.get_absolute_url()).content.decode()
    assert "Visible comment" in html
    assert f'sse-connect="/events/v/{video.public_id}?lastEventId=video-{video.public_id}' in html
    assert 'sse-close="stream-error"' in html


def test_load_more_and_sort_fragments(client, video, bob):
    for index in range(25):
        Comment.objects.create(video=video, author=bob, body=f"c{index}")
    url = reverse("comment_list", args=[video.public_id])
    page_two = client.get(url, {"page": 2}, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in page_two
    assert page_two.count('class="comment"') == 5
    newest = client.get(url, {"sort": "newest"}, headers={"HX-Request": "true"}).content.decode()
    assert newest.index("c24") < newest.index("c23")


def test_the_video_stream_of_a_private_video_is_forbidden_to_others(owner, bob):
    private = make_video(owner, visibility="private")
    path = reverse("video_stream", args=[private.public_id])
    assert "stream-error" in read_stream(path, user=bob, until="stream-error")
    assert "stream-error" in read_stream(path, until="stream-error")
    assert "stream-open" in read_stream(path, user=owner, until="stream-open")


def test_the_video_stream_replays_missed_comments(video, bob, django_capture_on_commit_callbacks):
    from django_eventstream import get_current_event_id

    before = get_current_event_id([f"video-{video.public_id}~en"])
    with django_capture_on_commit_callbacks(execute=True):
        for body in ("one", "two", "three"):
            actions.do_post_comment(video=video, author=bob, body=body)
    last = Comment.objects.latest("pk")
    text = read_stream(
        reverse("video_stream", args=[video.public_id]),
        until=f'id="comment-{last.pk}"',
        headers={"Last-Event-ID": before},
    )
    for comment in Comment.objects.all():
        assert text.count(f'id="comment-{comment.pk}"') == 1


def test_editing_without_javascript_has_its_own_page(client, video, bob):
    comment = Comment.objects.create(video=video, author=bob, body="first words")
    client.force_login(bob)
    page = client.get(reverse("edit_comment", args=[comment.pk])).content.decode()
    assert "<html" in page
    assert "first words" in page
    response = client.post(reverse("edit_comment", args=[comment.pk]), {"body": ""})
    assert "Write something first." in response.content.decode()
    comment.refresh_from_db()
    assert comment.body == "first words"


def test_editing_with_htmx_swaps_the_body_for_a_form(client, video, bob):
    comment = Comment.objects.create(video=video, author=bob, body="first words")
    client.force_login(bob)
    fragment = client.get(
        reverse("edit_comment", args=[comment.pk]), headers={"HX-Request": "true"}
    ).content.decode()
    assert "<html" not in fragment
    assert "Edit your comment" in fragment


@pytest.mark.django_db(transaction=True)
def test_when_live_delivery_fails_the_comment_is_saved_and_the_poster_told(
    client, video, bob, monkeypatch
):
    # A real commit (no test transaction around the view): on_commit runs inside the request.
    def redis_down(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr("video_share.events.send_event", redis_down)
    client.force_login(bob)
    response = post(client, video, "Still saved", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "others will only see it when they reload" in response.content.decode()
    assert Comment.objects.filter(body="Still saved").exists()
    response = post(client, video, "Saved too")
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "others will only see it when they reload" in page


def test_video_reactions_toggle_switch_and_count(client, video, bob):
    client.force_login(bob)
    url = reverse("react", args=[video.public_id])
    client.post(url, {"value": "like"})
    video.refresh_from_db()
    assert (video.like_count, video.dislike_count) == (1, 0)
    client.post(url, {"value": "dislike"})  # switches
    video.refresh_from_db()
    assert (video.like_count, video.dislike_count) == (0, 1)
    response = client.post(url, {"value": "dislike"}, headers={"HX-Request": "true"})  # back
    video.refresh_from_db()
    assert (video.like_count, video.dislike_count) == (0, 0)
    html = response.content.decode()
    assert 'id="reactions"' in html
    assert 'value="like" class="button" aria-pressed="false"' in html


def test_a_forged_reaction_is_refused(client, video, bob):
    client.force_login(bob)
    response = client.post(reverse("react", args=[video.public_id]), {"value": "love"})
    assert response.status_code == 400
    video.refresh_from_db()
    assert video.like_count == 0


def test_reactions_need_log_in_and_a_visible_video(client, owner, video, bob):
    assert (
        client.post(reverse("react", args=[video.public_id]), {"value": "like"}).status_code == 302
    )
    private = make_video(owner, visibility="private")
    client.force_login(bob)
    response = client.post(reverse("react", args=[private.public_id]), {"value": "like"})
    assert response.status_code == 404


def test_reaction_counts_are_broadcast(video, bob, published, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_react(video, bob, 1)
    html = published[0][2]
    assert '<span id="video-likes" hx-swap-oob="true">1</span>' in html


def test_another_order_updates_the_sort_chips(client, video, bob):
    Comment.objects.create(video=video, author=bob, body="c")
    html = client.get(
        reverse("comment_list", args=[video.public_id]),
        {"sort": "newest"},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert 'id="comment-sort" aria-label="Sort comments" hx-swap-oob="true"' in html
    assert 'hx-swap-oob="True"' not in html  # comments themselves are not out of band


def test_an_htmx_request_that_needs_a_log_in_gets_the_whole_log_in_page(client, video):
    """Signed out in another tab: the page goes to log in, and comes back to itself."""
    watch = video.get_absolute_url()
    response = client.post(
        reverse("post_comment", args=[video.public_id]),
        {"body": "Typed before the session ended"},
        headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{watch}"},
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{reverse('login')}?next={quote(watch, safe='')}"
    assert response.content == b""
    # Without htmx: the usual redirect.
    response = client.post(reverse("post_comment", args=[video.public_id]), {"body": "x"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_log_in_redirect_never_leads_to_another_site(client, video):
    response = client.post(
        reverse("react", args=[video.public_id]),
        {"value": "like"},
        headers={"HX-Request": "true", "HX-Current-URL": "https://evil.example/v/x"},
    )
    assert response["HX-Redirect"] == f"{reverse('login')}?next=%2F"


# Without JavaScript, a form on the watch page comes back to where the reader was on it.


def test_without_javascript_liking_the_video_returns_to_its_reactions(client, video, bob):
    client.force_login(bob)
    url, watch = reverse("react", args=[video.public_id]), video.get_absolute_url()
    response = client.post(url, {"value": "like", "next": f"{watch}?sort=newest"})
    assert response["Location"] == f"{watch}?sort=newest#reactions"
    response = client.post(url, {"value": "like"})
    assert response["Location"] == f"{watch}#reactions"


@pytest.mark.parametrize(
    "elsewhere",
    ["https://evil.example/v/x", "//evil.example/", "/somewhere/else", "/v/other?x=1", "\\\\x"],
)
def test_going_back_never_leaves_the_videos_watch_page(client, video, bob, elsewhere):
    client.force_login(bob)
    response = client.post(
        reverse("react", args=[video.public_id]), {"value": "like", "next": elsewhere}
    )
    assert response["Location"] == f"{video.get_absolute_url()}#reactions"


def test_without_javascript_liking_or_hearting_a_comment_returns_to_it_on_its_page(
    client, video, bob
):
    comment = actions.do_post_comment(video=video, author=bob, body="Nice")
    watch = video.get_absolute_url()
    where = f"{watch}?sort=top&page=2"  # the page of comments the reader was on
    client.force_login(bob)
    response = client.post(reverse("like_comment", args=[comment.pk]), {"next": where})
    assert response["Location"] == f"{where}#comment-{comment.pk}"
    client.force_login(video.owner)
    response = client.post(reverse("heart_comment", args=[comment.pk]), {"next": where})
    assert response["Location"] == f"{where}#comment-{comment.pk}"


def test_without_javascript_a_pinned_comment_is_shown_where_it_went(client, video, bob):
    comment = actions.do_post_comment(video=video, author=bob, body="Nice")
    client.force_login(video.owner)
    response = client.post(
        reverse("pin_comment", args=[comment.pk]),
        {"next": f"{video.get_absolute_url()}?page=3"},
    )
    # Pinned, it moved to the top of the first page; unpinned, anywhere: it comes first.
    assert response["Location"] == (
        f"{video.get_absolute_url()}?comment={comment.pk}#comment-{comment.pk}"
    )


def test_the_watch_pages_forms_say_where_the_reader_is(client, video, bob):
    actions.do_post_comment(video=video, author=bob, body="Nice")
    client.force_login(bob)
    where = f"{video.get_absolute_url()}?sort=newest"
    html = client.get(where).content.decode()
    back = f'<input type="hidden" name="next" value="{where}">'
    assert html.count(back) >= 2  # the video's reactions, the comment's like
    assert (
        f'<input type="hidden" name="next" value="{where}#subscribe-button">' in html
    )  # subscribing from here comes back here
    channel_url = video.owner.get_absolute_url()
    channel = client.get(channel_url).content.decode()
    assert f'<input type="hidden" name="next" value="{channel_url}">' in channel


def test_without_javascript_subscribing_from_the_watch_page_returns_to_the_button(
    client, video, bob
):
    client.force_login(bob)
    back = f"{video.get_absolute_url()}#subscribe-button"
    response = client.post(reverse("subscribe", args=[video.owner.username]), {"next": back})
    assert response["Location"] == back


def test_a_broadcast_shows_the_comment_as_committed_not_as_its_transaction_saw_it(
    video, bob, published, django_capture_on_commit_callbacks
):
    comment = Comment.objects.create(video=video, author=bob, body="Words before")
    with django_capture_on_commit_callbacks() as callbacks:
        actions.do_heart_comment(comment, True)
    # An edit commits between the heart's commit and its broadcast.
    Comment.objects.filter(pk=comment.pk).update(body="Words after")
    for callback in callbacks:
        callback()
    broadcasts = [html for channel, _kind, html in published if channel.startswith("video-")]
    assert broadcasts
    assert all("Words after" in html and "Words before" not in html for html in broadcasts)
