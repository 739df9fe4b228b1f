"""Playlists and Watch later: making them, saving videos to them, their order, and what each
person is shown of them (a private video or list never shows to others)."""

import pytest
from django.urls import reverse

from video_share import actions
from video_share.models import Playlist, PlaylistItem

from .factories import make_user, make_video

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def _order(playlist) -> list[str]:
    return list(playlist.items.order_by("position").values_list("video__title", flat=True))


def _list_of(owner, *titles, visibility="public", **fields):
    playlist = actions.do_create_playlist(owner, title="Term 1", visibility=visibility, **fields)
    for title in titles:
        actions.do_add_to_playlist(playlist, make_video(owner, title=title))
    return playlist


def test_a_playlist_is_made_from_its_form_and_opens(client):
    alice = make_user("alice")
    client.force_login(alice)
    response = client.post(
        reverse("playlist_create"),
        {"title": "Algebra", "description": "Week by week", "visibility": "unlisted"},
    )
    playlist = Playlist.objects.get(owner=alice, title="Algebra")
    assert response.url == playlist.get_absolute_url()
    assert playlist.visibility == "unlisted"
    assert playlist.description == "Week by week"
    page = client.get(playlist.get_absolute_url())
    assert "Algebra" in page.text
    assert "Week by week" in page.text


def test_a_playlist_form_without_a_title_or_with_a_forged_visibility_makes_nothing(client):
    client.force_login(make_user("alice"))
    for data in ({"title": "", "visibility": "public"}, {"title": "X", "visibility": "everyone"}):
        response = client.post(reverse("playlist_create"), data)
        assert response.status_code == 200
        assert 'aria-invalid="true"' in response.text
    assert not Playlist.objects.exists()


def test_one_cannot_have_more_playlists_than_the_limit(client, monkeypatch):
    monkeypatch.setattr("video_share.forms.MAX_PLAYLISTS", 2)
    alice = make_user("alice")
    client.force_login(alice)
    for title in ("One", "Two", "Three"):
        response = client.post(reverse("playlist_create"), {"title": title, "visibility": "public"})
    assert "as many as one can have" in response.text
    assert list(Playlist.objects.made_by(alice).values_list("title", flat=True)) == ["Two", "One"]


def test_the_save_menu_ticks_the_lists_that_hold_the_video_and_changes_only_those_offered(client):
    alice, bob = make_user("alice"), make_user("bob")
    video = make_video(bob, title="Lecture 1")
    mine = actions.do_create_playlist(alice, title="Maths", visibility="public")
    other = actions.do_create_playlist(alice, title="Later list", visibility="private")
    actions.do_add_to_playlist(other, video)
    bobs = actions.do_create_playlist(bob, title="Bob's", visibility="public")
    client.force_login(alice)

    menu = client.get(reverse("video_save", args=[video.public_id]), headers=HTMX)
    assert menu.text.lstrip().startswith('<div id="save-menu"')
    assert f'value="{other.public_id}" id="save-{other.public_id}" checked' in menu.text
    assert "Bob&#x27;s" not in menu.text
    assert "Watch later" in menu.text

    # Maths ticked; "Later list" was not offered by this form, so it keeps the video; Bob's
    # list, forged into the form, is not alice's to change.
    response = client.post(
        reverse("video_save", args=[video.public_id]),
        {
            "offered": [mine.public_id, bobs.public_id],
            "playlist": [mine.public_id, bobs.public_id],
        },
        headers=HTMX,
    )
    assert "Saved to Maths." in response.text
    assert _order(mine) == ["Lecture 1"]
    assert _order(other) == ["Lecture 1"]
    assert not bobs.items.exists()

    # Without JavaScript: the form's button, then back to the video with a message.
    watch_later = actions.watch_later_of(alice)
    response = client.post(
        reverse("video_save", args=[video.public_id]),
        {"offered": [mine.public_id, watch_later.public_id], "playlist": [watch_later.public_id]},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == video.get_absolute_url()
    assert "Saved to Watch later." in response.text
    assert "Removed from Maths." in response.text
    assert _order(watch_later) == ["Lecture 1"]
    assert not mine.items.exists()


def test_a_video_one_may_not_see_cannot_be_saved(client):
    alice, bob = make_user("alice"), make_user("bob")
    hidden = make_video(bob, visibility="private")
    client.force_login(alice)
    watch_later = actions.watch_later_of(alice)
    assert client.get(reverse("video_save", args=[hidden.public_id])).status_code == 404
    response = client.post(
        reverse("video_save", args=[hidden.public_id]),
        {"offered": [watch_later.public_id], "playlist": [watch_later.public_id]},
    )
    assert response.status_code == 404
    assert client.post(reverse("video_watch_later", args=[hidden.public_id])).status_code == 404
    assert not PlaylistItem.objects.exists()


def test_new_playlist_from_the_save_menu_holds_the_video(client):
    alice = make_user("alice")
    video = make_video(make_user("bob"), title="Lecture 2")
    client.force_login(alice)
    response = client.post(
        reverse("playlist_create"),
        {"title": "Physics", "visibility": "private", "video": video.public_id},
        headers={**HTMX, "HX-Target": "save-menu"},
    )
    playlist = Playlist.objects.get(title="Physics")
    assert _order(playlist) == ["Lecture 2"]
    assert "Saved to Physics." in response.text
    assert f'value="{playlist.public_id}" id="save-{playlist.public_id}" checked' in response.text
    # An invalid one comes back in the menu, open, with its error, and makes nothing.
    response = client.post(
        reverse("playlist_create"),
        {"title": "", "visibility": "private", "video": video.public_id},
        headers={**HTMX, "HX-Target": "save-menu"},
    )
    assert 'class="save-menu__new" open' in response.text
    assert 'aria-invalid="true"' in response.text
    assert Playlist.objects.filter(watch_later=False).count() == 1


def test_watch_later_adds_once_and_removes(client):
    alice = make_user("alice")
    video = make_video(make_user("bob"), title="Talk")
    client.force_login(alice)
    url = reverse("video_watch_later", args=[video.public_id])
    # From a card (which does not know the state): it adds, and says it is saved.
    for _twice in range(2):
        response = client.post(url, {"card": "1"}, headers=HTMX)
        assert 'aria-pressed="true"' in response.text
        assert "watch-later--card" in response.text
    playlist = Playlist.objects.get(owner=alice, watch_later=True)
    assert _order(playlist) == ["Talk"]
    assert playlist.visibility == "private"
    response = client.post(url, {"action": "remove"}, headers=HTMX)
    assert 'aria-pressed="false"' in response.text
    assert "watch-later--card" not in response.text
    assert not playlist.items.exists()
    # Without JavaScript, back where the person was.
    response = client.post(url, {"next": "/somewhere-else"})
    assert response.url == "/somewhere-else"
    assert _order(playlist) == ["Talk"]
    response = client.post(url, {"next": "https://evil.example/"})
    assert response.url == video.get_absolute_url()


def test_watch_later_asks_a_visitor_to_log_in(client):
    video = make_video(make_user("bob"))
    response = client.post(reverse("video_watch_later", args=[video.public_id]), headers=HTMX)
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(reverse("login"))
    assert not PlaylistItem.objects.exists()


def test_the_owner_moves_videos_up_and_down_and_to_a_place(client):
    alice = make_user("alice")
    playlist = _list_of(alice, "A", "B", "C", "D")
    client.force_login(alice)
    url = reverse("playlist_move", args=[playlist.public_id])
    b = playlist.items.get(video__title="B").video
    response = client.post(url, {"video": b.public_id, "to": "up"}, headers=HTMX)
    assert _order(playlist) == ["B", "A", "C", "D"]
    assert "“B” is now number 1 of 4." in response.text
    assert response.text.lstrip().startswith('<div id="playlist-items"')
    client.post(url, {"video": b.public_id, "to": "up"}, headers=HTMX)  # first already
    assert _order(playlist) == ["B", "A", "C", "D"]
    client.post(url, {"video": b.public_id, "to": "3"}, headers=HTMX)
    assert _order(playlist) == ["A", "C", "B", "D"]
    response = client.post(url, {"video": b.public_id, "to": "down"})  # without JavaScript
    assert response.url == f"{playlist.get_absolute_url()}#item-{b.public_id}"
    assert _order(playlist) == ["A", "C", "D", "B"]
    assert client.post(url, {"video": b.public_id, "to": "sideways"}).status_code == 400


def test_only_the_owner_changes_a_playlist(client):
    alice, bob = make_user("alice"), make_user("bob")
    playlist = _list_of(alice, "A", "B")
    a = playlist.items.get(video__title="A").video
    client.force_login(bob)
    for name, data in (
        ("playlist_move", {"video": a.public_id, "to": "down"}),
        ("playlist_remove", {"video": a.public_id}),
        ("playlist_edit", {"title": "Mine now", "visibility": "public"}),
        ("playlist_delete", {}),
    ):
        assert client.post(reverse(name, args=[playlist.public_id]), data).status_code == 404
    playlist.refresh_from_db()
    assert playlist.title == "Term 1"
    assert _order(playlist) == ["A", "B"]


def test_the_owner_removes_a_video_and_deletes_a_list_but_never_watch_later(client):
    alice = make_user("alice")
    playlist = _list_of(alice, "A", "B")
    client.force_login(alice)
    a = playlist.items.get(video__title="A").video
    response = client.post(
        reverse("playlist_remove", args=[playlist.public_id]), {"video": a.public_id}, headers=HTMX
    )
    assert "Removed “A” from Term 1." in response.text
    assert _order(playlist) == ["B"]
    watch_later = actions.watch_later_of(alice)
    for name in ("playlist_edit", "playlist_delete"):
        assert client.get(reverse(name, args=[watch_later.public_id])).status_code == 404
    response = client.post(reverse("playlist_delete", args=[playlist.public_id]))
    assert response.url == reverse("playlists")
    assert not Playlist.objects.filter(pk=playlist.pk).exists()
    assert a.__class__.objects.filter(pk=a.pk).exists()  # the videos stay


@pytest.mark.parametrize("viewer", ["anonymous", "bob"])
def test_a_private_playlist_is_hidden_from_others(client, viewer):
    alice = make_user("alice")
    playlist = _list_of(alice, "A", visibility="private")
    unlisted = _list_of(alice, "B", visibility="unlisted")
    if viewer == "bob":
        client.force_login(make_user("bob"))
    assert client.get(playlist.get_absolute_url()).status_code == 404
    assert client.get(unlisted.get_absolute_url()).status_code == 200
    a = playlist.items.get().video
    watch = client.get(f"{a.get_absolute_url()}?list={playlist.public_id}")
    assert watch.status_code == 200
    assert "playlist-panel" not in watch.text
    channel = client.get(reverse("channel_playlists", args=["alice"]))
    assert playlist.public_id not in channel.text
    assert unlisted.public_id not in channel.text


def test_others_see_only_the_videos_they_may_watch_and_the_owner_sees_what_became_private(
    client,
):
    alice, bob, carol = make_user("alice"), make_user("bob"), make_user("carol")
    playlist = actions.do_create_playlist(alice, title="Mixed", visibility="public")
    shown = make_video(bob, title="Open lecture")
    hidden = make_video(bob, title="Secret title")
    gone = make_video(bob, title="Deleted one")
    for video in (shown, hidden, gone):
        actions.do_add_to_playlist(playlist, video)
    actions.do_edit_video(
        hidden, {"title": hidden.title, "description": "", "visibility": "private", "tags_text": []}
    )
    actions.do_delete_video(gone)

    client.force_login(carol)
    page = client.get(playlist.get_absolute_url())
    assert "Open lecture" in page.text
    assert "1 video" in page.text
    assert "Secret title" not in page.text
    assert "Private video" not in page.text
    assert "Deleted one" not in page.text
    card = client.get(reverse("channel_playlists", args=["alice"]))
    assert "1 video" in card.text

    client.force_login(alice)
    page = client.get(playlist.get_absolute_url())
    assert "2 videos" in page.text
    assert "Private video" in page.text
    assert "Secret title" not in page.text  # not hers to show, even to her
    assert client.get(reverse("playlists")).text.count("2 videos") == 1


def test_the_channel_lists_its_public_playlists_and_its_owner_all_of_theirs(client):
    alice = make_user("alice")
    public = _list_of(alice, "A")
    private = _list_of(alice, "B", visibility="private")
    actions.do_add_to_playlist(actions.watch_later_of(alice), public.items.get().video)
    url = reverse("channel_playlists", args=["alice"])
    page = client.get(url)
    assert public.get_absolute_url() in page.text
    assert private.public_id not in page.text
    client.force_login(alice)
    page = client.get(url)
    assert public.get_absolute_url() in page.text
    assert private.get_absolute_url() in page.text
    assert "Watch later" not in page.text.split('aria-label="Playlists"', 1)[1]


def test_the_watch_page_plays_from_a_list_with_the_next_video(client):
    alice = make_user("alice")
    playlist = _list_of(alice, "First", "Second", "Third")
    first, second, third = (item.video for item in playlist.items.order_by("position"))
    page = client.get(f"{second.get_absolute_url()}?list={playlist.public_id}")
    assert 'class="playlist-panel"' in page.text
    assert "2 of 3" in page.text
    assert f'href="{third.get_absolute_url()}?list={playlist.public_id}" data-playlist-next' in (
        page.text.replace('rel="next" ', "")
    )
    assert (
        f'<a href="{second.get_absolute_url()}?list={playlist.public_id}" aria-current="true"'
        in page.text
    )
    last = client.get(f"{third.get_absolute_url()}?list={playlist.public_id}")
    assert "data-playlist-next" not in last.text
    assert "3 of 3" in last.text
    # A video that is not in the list: the page as usual.
    elsewhere = make_video(alice, title="Elsewhere")
    page = client.get(f"{elsewhere.get_absolute_url()}?list={playlist.public_id}")
    assert "playlist-panel" not in page.text


def test_the_owner_plays_their_private_list_and_watch_later(client):
    alice = make_user("alice")
    playlist = _list_of(alice, "Mine", visibility="private")
    video = playlist.items.get().video
    actions.do_add_to_playlist(actions.watch_later_of(alice), video)
    # Rendered for everyone first (a visitor), then asked by the owner: hers has the list.
    url = f"{video.get_absolute_url()}?list={playlist.public_id}"
    assert "playlist-panel" not in client.get(url).text
    client.force_login(alice)
    assert "playlist-panel" in client.get(url).text
    page = client.get(reverse("watch_later"))
    assert f"{video.get_absolute_url()}?list=" in page.text
    watch = client.get(video.get_absolute_url())
    assert (
        'aria-pressed="true"' in watch.text.split('class="watch-later"', 1)[1].split("</form>")[0]
    )


def test_positions_stay_in_order_when_videos_come_and_go(client):
    alice = make_user("alice")
    playlist = _list_of(alice, "A", "B", "C")
    actions.do_remove_from_playlist(playlist, playlist.items.get(video__title="B").video)
    d = make_video(alice, title="D")
    assert actions.do_add_to_playlist(playlist, d) is True
    assert actions.do_add_to_playlist(playlist, d) is False
    assert _order(playlist) == ["A", "C", "D"]
    actions.do_move_in_playlist(playlist, d, 0)
    assert list(playlist.items.order_by("position").values_list("position", flat=True)) == [0, 1, 2]
    assert _order(playlist) == ["D", "A", "C"]


def test_a_full_playlist_says_so(client, monkeypatch):
    monkeypatch.setattr("video_share.actions.playlists.MAX_ITEMS", 1)
    monkeypatch.setattr("video_share.views.playlists.MAX_ITEMS", 1)
    alice = make_user("alice")
    playlist = _list_of(alice, "A")
    video = make_video(alice, title="B")
    client.force_login(alice)
    response = client.post(
        reverse("video_save", args=[video.public_id]),
        {"offered": [playlist.public_id], "playlist": [playlist.public_id]},
        headers=HTMX,
    )
    assert "Term 1 is full: a playlist holds at most 1 videos." in response.text
    assert _order(playlist) == ["A"]


def test_cards_offer_watch_later_to_everyone_and_the_library_lists_the_lists(client):
    alice = make_user("alice")
    video = make_video(make_user("bob"), title="Card")
    home = client.get(reverse("home"))
    assert f'id="watch-later-card-{video.public_id}"' in home.text
    client.force_login(alice)
    library = client.get(reverse("playlists"))
    assert library.status_code == 200
    assert "Watch later" in library.text
    assert 'name="title"' in library.text


def test_a_playlist_has_feeds_of_its_listed_videos_in_its_order(client):
    from .test_feeds import xml_of

    alice = make_user("alice")
    playlist = _list_of(alice, "First", "Second")
    second = playlist.items.get(video__title="Second").video
    actions.do_move_in_playlist(playlist, second, 0)
    hidden = make_video(alice, title="Hidden one", visibility="unlisted")
    actions.do_add_to_playlist(playlist, hidden)
    rss = client.get(reverse("playlist_feed", args=[playlist.public_id]))
    titles = [item.findtext("title") for item in xml_of(rss).iter("item")]
    assert titles == ["Second", "First"]
    atom = client.get(reverse("playlist_atom_feed", args=[playlist.public_id]))
    assert atom["Content-Type"].startswith("application/atom+xml")
    page = client.get(playlist.get_absolute_url())
    assert reverse("playlist_feed", args=[playlist.public_id]) in page.text
    private = _list_of(alice, "Third", visibility="private")
    assert client.get(reverse("playlist_feed", args=[private.public_id])).status_code == 404
    client.force_login(alice)  # not even to its owner: a feed reader has no session
    assert client.get(reverse("playlist_feed", args=[private.public_id])).status_code == 404


def test_ticking_one_list_leaves_the_order_of_the_others(client):
    alice = make_user("alice")
    older = actions.do_create_playlist(alice, title="Older", visibility="public")
    newer = actions.do_create_playlist(alice, title="Newer", visibility="public")
    video = make_video(alice)
    client.force_login(alice)
    offered = [older.public_id, newer.public_id]
    client.post(
        reverse("video_save", args=[video.public_id]),
        {"offered": offered, "playlist": [older.public_id]},
        headers=HTMX,
    )
    # Older changed: it comes first now; Newer was not touched.
    assert list(Playlist.objects.made_by(alice).values_list("title", flat=True)) == [
        "Older",
        "Newer",
    ]
    before = Playlist.objects.get(pk=newer.pk).updated_at
    client.post(
        reverse("video_save", args=[video.public_id]),
        {"offered": offered, "playlist": [older.public_id]},
        headers=HTMX,
    )
    assert Playlist.objects.get(pk=newer.pk).updated_at == before
    assert list(Playlist.objects.made_by(alice).values_list("title", flat=True))[0] == "Older"
