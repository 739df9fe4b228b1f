"""Live events between processes, through Redis (when REDIS_URL is set).

django-eventstream publishes every event to Redis (its `send_event`), and each web process
subscribes and puts what it hears in the queues of its open streams. Its own subscriber
(RedisListener) ends for good when its connection breaks (Redis restarted, a network
blip): the process then hears nothing from the others, while its streams stay open and
browsers never reconnect. `RedisBus` takes its place on the listener manager: it connects
again, after a pause that grows while Redis stays away, and it notices a connection that
stopped answering (a ping when nothing came for PING_SECONDS).

Nothing is lost meanwhile. Events are stored before they are published, so:
- once subscribed for the first time, every open stream reads storage again (anything
  published before the subscription began);
- once subscribed again after a loss, every open stream of the process ends: browsers
  reconnect at once with Last-Event-ID, and get from storage what was published meanwhile,
  the current unread and watching counts (never stored), and a fresh permission check (a
  video made private, a user banned meanwhile).
"""

import asyncio
import json
import logging

from django.conf import settings
from django_eventstream.event import Event
from django_eventstream.views import get_listener_manager

from . import sse

logger = logging.getLogger(__name__)

# Where django-eventstream's send_event publishes, and what: {channel, event_type, data,
# pub_id} as JSON (held by tests/test_bus.py).
TOPIC = "events_channel"
PING_SECONDS = 5.0
PAUSES = (0.2, 0.5, 1.0, 2.0, 5.0)


class Silent(ConnectionError):
    """Redis answered nothing, not even a ping."""


class RedisBus:
    """Stands in for django-eventstream's RedisListener on its listener manager, which
    starts it (`start`) on the event loop of the first stream that opens."""

    def __init__(self):
        self.lost = False
        self.task = None

    async def start(self) -> None:
        # The listener manager keeps no reference to the task that runs this: without one,
        # the task may be collected as garbage while it waits.
        self.task = asyncio.current_task()
        from redis.asyncio import Redis
        from redis.exceptions import RedisError

        # A subscription waits for messages as long as it must: no read timeout; the pings
        # find a connection that no longer answers.
        options = {**settings.EVENTSTREAM_REDIS, "socket_timeout": None}
        failures = 0
        while True:
            client = Redis(**options)
            try:
                async with client.pubsub() as pubsub:
                    await pubsub.subscribe(TOPIC)
                    failures = 0
                    await self.listen(pubsub)
            except (RedisError, OSError) as error:
                if not self.lost:
                    logger.warning(
                        "Lost the connection to Redis (%s): this process does not hear the "
                        "others' live events until it is back.",
                        error,
                    )
                self.lost = True
            except Exception:
                logger.exception("The Redis subscriber failed; starting it again.")
                self.lost = True
            finally:
                await client.aclose()
            await asyncio.sleep(PAUSES[min(failures, len(PAUSES) - 1)])
            failures += 1

    async def listen(self, pubsub) -> None:
        manager = get_listener_manager()
        unanswered = 0
        while True:
            message = await pubsub.get_message(timeout=PING_SECONDS)
            if message is None:
                unanswered += 1
                if unanswered > 2:
                    raise Silent("Redis did not answer a ping.")
                await pubsub.ping()
                continue
            unanswered = 0
            if message["type"] == "subscribe":
                if self.lost:
                    logger.warning("Connected to Redis again: ending this process's streams.")
                    self.lost = False
                    sse.end_all_streams()
                else:
                    sse.catch_up_all_streams()
            elif message["type"] == "message":
                published = json.loads(message["data"])
                event = Event(
                    published["channel"],
                    published["event_type"],
                    published["data"],
                    id=published["pub_id"],
                )
                manager.add_to_queues(published["channel"], event)


def install() -> None:
    """Put RedisBus in place of django-eventstream's subscriber, where Redis is set."""
    if hasattr(settings, "EVENTSTREAM_REDIS"):
        get_listener_manager().redis_listener = RedisBus()
