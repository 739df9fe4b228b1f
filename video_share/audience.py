"""A video's audience counted across web processes, in Redis (when REDIS_URL is set).

Each process knows the people whose streams it holds (video_share.presence). With several
processes, each writes its own people of a video to Redis — a set per process
(``watching:<public id>:<process>``), listed in ``watching:<public id>`` — and counts the
union of every process's set: someone with tabs on two processes counts once, and every
process announces the same number. A process's set expires unless it writes it again
(`presence` does every REFRESH_SECONDS while it has viewers), so a process that died drops
out of the count by itself.

Without Redis, or while it does not answer, each process counts its own people alone.
"""

import logging
import secrets
import time

from django.conf import settings

logger = logging.getLogger(__name__)

PROCESS = secrets.token_hex(6)  # this process, in the keys it writes
REFRESH_SECONDS = 30.0
EXPIRE_SECONDS = 90


def shared() -> bool:
    """Whether counts are shared between processes."""
    return bool(settings.REDIS_URL)


def _redis():
    from django_redis import get_redis_connection

    return get_redis_connection("default")


def _keys(public_id: str, process: str | None = None) -> tuple[str, str]:
    return f"watching:{public_id}", f"watching:{public_id}:{process or PROCESS}"


def person_key(person: tuple) -> str:
    """A reader's person (sse.Listener.person) as one string, the same in every process."""
    kind, key = person
    if kind == "stream":
        return f"stream:{PROCESS}:{key}"  # unique in this process only
    return f"{kind}:{key}"


def share(public_id: str, people: set[str]) -> int:
    """Write this process's `people` of a video, and count everyone's (blocking: call from a
    thread)."""
    if not shared():
        return len(people)
    index, mine = _keys(public_id)
    now = time.time()
    try:
        redis = _redis()
        with redis.pipeline() as pipe:
            pipe.delete(mine)
            if people:
                pipe.sadd(mine, *people)
                pipe.expire(mine, EXPIRE_SECONDS)
                pipe.zadd(index, {PROCESS: now + EXPIRE_SECONDS})
            else:
                pipe.zrem(index, PROCESS)
            pipe.zremrangebyscore(index, "-inf", now)
            pipe.expire(index, EXPIRE_SECONDS)
            pipe.zrange(index, 0, -1)
            processes = pipe.execute()[-1]
        return _union_size(redis, public_id, processes)
    except Exception as error:  # Redis down: this process's own count
        logger.info("Counting the audience of %s in this process only: %s", public_id, error)
        return len(people)


def total(public_id: str) -> int | None:
    """Everyone's count of a video, or None without Redis (blocking: call from a thread)."""
    if not shared():
        return None
    index, _mine = _keys(public_id)
    try:
        redis = _redis()
        processes = redis.zrangebyscore(index, time.time(), "+inf")
        return _union_size(redis, public_id, processes)
    except Exception as error:
        logger.info("Could not count the audience of %s: %s", public_id, error)
        return None


def _union_size(redis, public_id: str, processes: list) -> int:
    keys = [_keys(public_id, process.decode())[1] for process in processes]
    if not keys:
        return 0
    if len(keys) == 1:
        return redis.scard(keys[0])
    # Counted in Redis, without sending the members here.
    union = f"watching:{public_id}:union:{PROCESS}"
    with redis.pipeline() as pipe:
        pipe.sunionstore(union, keys)
        pipe.delete(union)
        return pipe.execute()[0]
