from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from video_share import search
from video_share.models import Tag, Video
from video_share.text import fold

from .factories import make_user, make_video

pytestmark = pytest.mark.django_db


def indexed(video, tags=()):
    if tags:
        video.tags.set(Tag.for_names(list(tags)))
    search.index_videos(Video.objects.filter(pk=video.pk))
    return video


@pytest.fixture
def owner():
    return make_user("owner", display_name="Layla Films")


def found(query, user=None, **filters):
    from django.contrib.auth.models import AnonymousUser

    return [v.title for v in search.search_videos(query, user=user or AnonymousUser(), **filters)]


@pytest.mark.parametrize(
    ("written", "typed"),
    [
        ("مُحَاضَرَة", "محاضره"),  # diacritics, ta marbuta
        ("إسلام", "اسلام"),  # hamza under alef
        ("أحمد", "احمد"),  # hamza above alef
        ("آمال", "امال"),  # madda
        ("كتـــاب", "كتاب"),  # tatweel
        ("مستشفى", "مستشفي"),  # alef maqsura
        ("CAFÉ Crème", "café crème"),
    ],
)
def test_folding_makes_written_forms_meet(written, typed):
    assert fold(written) == fold(typed)


@pytest.mark.parametrize(("written", "typed"), [("مُحَاضَرَة الفيزياء", "محاضره"), ("إسلام", "اسلام")])
def test_arabic_search_ignores_forms(owner, written, typed):
    indexed(make_video(owner, title=written))
    assert found(typed) == [written]


def test_search_as_you_type_matches_word_prefixes(owner):
    indexed(make_video(owner, title="Photography basics"))
    assert found("photo") == ["Photography basics"]
    assert found("PHOTOGRAPHY BAS") == ["Photography basics"]
    assert found("graphy") == []


def test_titles_rank_above_tags_channel_and_description(owner):
    indexed(make_video(owner, title="Cooking", description="all about gardens"))
    indexed(make_video(owner, title="Weekend"), tags=["garden"])
    indexed(make_video(owner, title="Garden tour"))
    assert found("garden") == ["Garden tour", "Weekend", "Cooking"]


def test_channel_names_and_tags_are_searched(owner):
    indexed(make_video(owner, title="Untitled"), tags=["astronomy"])
    assert found("layla") == ["Untitled"]
    assert found("astro") == ["Untitled"]


@pytest.mark.parametrize(
    "query",
    ['"', '""', "*", "OR", "a OR b", "NEAR(a b)", "-x", "title:x", "'); DROP TABLE x; --",
     "^", "a AND", "(", "%", "\\", "\x00", "٪", "x" * 5000],
)  # fmt: skip
def test_fts_syntax_in_queries_cannot_break_the_search(client, owner, query):
    indexed(make_video(owner, title="Anything"))
    assert client.get(reverse("search"), {"q": query}).status_code == 200
    found(query)


def test_empty_query_finds_nothing(owner):
    indexed(make_video(owner, title="Anything"))
    assert found("") == []
    assert found("   ?!") == []


def test_only_listed_videos_and_ones_own_are_found(owner):
    for visibility in ("public", "unlisted", "private"):
        indexed(make_video(owner, title=f"secret {visibility}", visibility=visibility))
    indexed(make_video(owner, title="secret processing", status="processing"))
    assert found("secret") == ["secret public"]
    mine = found("secret", user=owner)
    assert sorted(mine) == sorted(
        ["secret public", "secret unlisted", "secret private", "secret processing"]
    )
    assert found("secret", user=make_user("other")) == ["secret public"]


def test_filters_and_sorts(owner):
    short = indexed(make_video(owner, title="clip short", duration=60, view_count=5))
    indexed(make_video(owner, title="clip medium", duration=600, view_count=50))
    old = indexed(make_video(owner, title="clip long", duration=3600, view_count=1))
    Video.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    Video.objects.filter(pk=short.pk).update(created_at=timezone.now() - timedelta(days=3))
    assert found("clip", duration="short") == ["clip short"]
    assert found("clip", duration="medium") == ["clip medium"]
    assert found("clip", duration="long") == ["clip long"]
    assert found("clip", uploaded="today") == ["clip medium"]
    assert sorted(found("clip", uploaded="week")) == ["clip medium", "clip short"]
    assert found("clip", sort="views") == ["clip medium", "clip short", "clip long"]
    assert found("clip", sort="date") == ["clip medium", "clip short", "clip long"]


def test_editing_a_video_updates_the_index(client, owner):
    video = indexed(make_video(owner, title="Before"))
    client.force_login(owner)
    client.post(
        reverse("video_edit", args=[video.public_id]),
        {"title": "Renamed", "description": "", "visibility": "public", "tags_text": "zebra"},
    )
    assert found("before") == []
    assert found("renamed") == ["Renamed"]
    assert found("zebra") == ["Renamed"]


def test_renaming_a_channel_updates_the_index(client, owner):
    indexed(make_video(owner, title="Anything"))
    client.force_login(owner)
    client.post(
        reverse("profile_edit"), {"display_name": "Zaid Studio", "bio": "", "email": owner.email}
    )
    assert found("zaid") == ["Anything"]
    assert found("layla") == []


def test_deleted_videos_leave_the_index(owner):
    video = indexed(make_video(owner, title="Gone soon"))
    video.delete()
    assert found("gone") == []


def test_search_page_whole_and_partials(client, owner):
    indexed(make_video(owner, title="Sunset"))
    page = client.get(reverse("search"), {"q": "sun"}).content.decode()
    assert "<html" in page
    assert "Sunset" in page
    results = client.get(
        reverse("search"),
        {"q": "sun"},
        headers={"HX-Request": "true", "HX-Target": "search-results"},
    )
    assert "<html" not in results.content.decode()
    assert 'id="search-results"' in results.content.decode()
    # Typed in the header box while on the search page: only the results region changes.
    typed = client.get(
        reverse("search"),
        {"q": "sun"},
        headers={
            "HX-Request": "true",
            "HX-Target": "main",
            "HX-Current-URL": "http://testserver/search?q=su",
        },
    )
    assert typed["HX-Retarget"] == "#search-results"
    # Typed on another page: the page's content becomes the search page.
    elsewhere = client.get(
        reverse("search"),
        {"q": "sun"},
        headers={"HX-Request": "true", "HX-Target": "main", "HX-Current-URL": "http://testserver/"},
    )
    html = elsewhere.content.decode()
    assert "search-filters" in html
    assert "<html" not in html


def test_a_ranking_kept_from_an_earlier_search_follows_changes_to_the_index(owner):
    first = indexed(make_video(owner, title="Harbour lights"))
    assert found("harbour") == ["Harbour lights"]
    indexed(make_video(owner, title="Harbour at dawn"))
    assert sorted(found("harbour")) == ["Harbour at dawn", "Harbour lights"]
    Video.objects.filter(pk=first.pk).update(visibility="private")
    assert found("harbour") == ["Harbour at dawn"]  # who may see is checked every time


def test_a_page_of_results_skips_ranked_videos_filtered_out(owner, django_assert_max_num_queries):
    for index in range(150):
        indexed(make_video(owner, title=f"river {index}", duration=30))
    indexed(make_video(owner, title="river long one", duration=2000))
    from django.contrib.auth.models import AnonymousUser

    results = search.search_videos("river", user=AnonymousUser(), duration="long")
    with django_assert_max_num_queries(3):
        page = results[0:25]
    assert [video.title for video in page] == ["river long one"]


def test_search_runs_a_fixed_number_of_queries(client, owner, django_assert_max_num_queries):
    for index in range(30):
        indexed(make_video(owner, title=f"match {index}"))
    with django_assert_max_num_queries(6):
        client.get(reverse("search"), {"q": "match"})


def test_typing_on_the_search_page_updates_heading_and_filters(client, owner):
    indexed(make_video(owner, title="Sunset"))
    response = client.get(
        reverse("search"),
        {"q": "sunset"},
        headers={
            "HX-Request": "true",
            "HX-Target": "main",
            "HX-Current-URL": "http://testserver/search?q=old",
        },
    )
    html = response.content.decode()
    assert '<h1 id="search-heading" hx-swap-oob="true">' in html
    assert 'id="search-q" value="sunset" hx-swap-oob="true"' in html
