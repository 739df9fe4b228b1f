import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from video_share.models import Video
from video_share.pagination import MAX_PAGE, page_of

from .factories import make_user, make_video


def page(number, items, per_page=3):
    request = RequestFactory().get("/", {"page": number} if number is not None else {})
    return page_of(request, items, per_page=per_page)


def test_a_page_knows_its_neighbours():
    items = list(range(7))
    first, second, last = page(None, items), page(2, items), page(3, items)
    assert list(first) == [0, 1, 2]
    assert first.has_next()
    assert not first.has_previous()
    assert list(second) == [3, 4, 5]
    assert second.has_next()
    assert second.previous_page_number() == 1
    assert list(last) == [6]
    assert not last.has_next()
    assert last.has_previous()
    assert first.next_page_number() == 2


def test_a_full_last_page_has_no_next():
    assert not page(2, list(range(6))).has_next()


@pytest.mark.parametrize(("number", "expected"), [("abc", 1), ("0", 1), ("-4", 1), ("", 1)])
def test_bad_page_numbers_mean_the_first_page(number, expected):
    assert page(number, list(range(10))).number == expected


def test_page_numbers_are_bounded():
    assert page(10**12, []).number == MAX_PAGE


def test_past_the_end_is_an_empty_page():
    beyond = page(9, list(range(7)))
    assert not beyond.object_list
    assert not beyond.has_next()
    assert beyond.has_previous()


@pytest.mark.django_db
def test_a_page_of_a_queryset_is_one_query_and_counts_nothing():
    owner = make_user("alice")
    for index in range(5):
        make_video(owner, title=f"Video {index}")
    with CaptureQueriesContext(connection) as queries:
        found = page(2, Video.objects.order_by("pk"), per_page=2)
    assert [video.title for video in found] == ["Video 2", "Video 3"]
    assert found.has_next()
    assert len(queries) == 1
    assert "COUNT(" not in queries[0]["sql"].upper()
    assert "LIMIT 3 OFFSET 2" in queries[0]["sql"]
