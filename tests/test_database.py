import pytest
from django.db import connection

from video_share.models import Video
from video_share.worker import refresh_planner_statistics

from .factories import make_user


@pytest.mark.django_db
def test_planner_statistics_make_a_list_of_ids_a_primary_key_lookup():
    if connection.vendor != "sqlite":
        pytest.skip("the plan asserted is SQLite's")
    owner = make_user("alice")
    Video.objects.bulk_create(
        [
            Video(owner=owner, public_id=f"v{index:09d}", title="v", status="ready")
            for index in range(300)
        ]
    )
    ids = list(Video.objects.values_list("pk", flat=True)[:3])
    listed = Video.objects.listed().order_by().filter(pk__in=ids)
    refresh_planner_statistics()
    assert "PRIMARY KEY" in listed.explain()
