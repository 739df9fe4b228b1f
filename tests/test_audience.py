"""'N watching now' across web processes, counted in Redis (video_share.audience).

Against the Redis on 127.0.0.1:6379 (a database of its own); skipped where none answers.
"""

import pytest

from bench.common import redis_answers
from video_share import audience

REDIS = "redis://127.0.0.1:6379/12"


@pytest.fixture
def shared(settings):
    if not redis_answers():
        pytest.skip("no Redis on 127.0.0.1:6379")
    from video_project.settings import redis_cache

    settings.REDIS_URL = REDIS
    settings.CACHES = {"default": redis_cache(REDIS)}
    audience._redis().flushdb()
    yield
    audience._redis().flushdb()


def as_process(monkeypatch, name: str) -> None:
    monkeypatch.setattr(audience, "PROCESS", name)


def test_people_on_several_processes_are_counted_once_each(shared, monkeypatch):
    as_process(monkeypatch, "a")
    assert audience.share("vid", {"user:1", "visitor:x"}) == 2
    as_process(monkeypatch, "b")
    # user 1 has a tab on this process too: still one person.
    assert audience.share("vid", {"user:1", "user:2"}) == 3
    assert audience.total("vid") == 3
    as_process(monkeypatch, "a")
    assert audience.share("vid", set()) == 2  # everyone on "a" left
    assert audience.total("other") == 0


def test_a_process_that_stopped_sharing_drops_out_of_the_count(shared, monkeypatch):
    as_process(monkeypatch, "gone")
    monkeypatch.setattr(audience, "EXPIRE_SECONDS", -1)  # as if its time had passed
    audience.share("vid", {"user:9"})
    monkeypatch.setattr(audience, "EXPIRE_SECONDS", 90)
    as_process(monkeypatch, "alive")
    assert audience.share("vid", {"user:1"}) == 1


def test_without_redis_each_process_counts_its_own(settings):
    settings.REDIS_URL = ""
    assert audience.share("vid", {"user:1", "user:2"}) == 2
    assert audience.total("vid") is None


def test_with_redis_down_a_process_counts_its_own(settings):
    from video_project.settings import redis_cache

    from .tcp_proxy import Refuser

    refuser = Refuser()
    try:
        settings.REDIS_URL = f"redis://127.0.0.1:{refuser.port}/0"
        settings.CACHES = {"default": redis_cache(settings.REDIS_URL)}
        assert audience.share("vid", {"user:1"}) == 1
        assert audience.total("vid") is None
    finally:
        refuser.close()


def test_a_stream_only_this_process_knows_is_its_own_person():
    assert audience.person_key(("stream", 5)) != audience.person_key(("stream", 6))
    assert audience.person_key(("user", 5)) == "user:5"
    assert audience.PROCESS in audience.person_key(("stream", 5))
