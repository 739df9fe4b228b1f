"""The background tasks, under the import paths they had before they moved next to the actions
they take (actions/processing.py, actions/notifications.py).

A queued job names its task by its import path: jobs queued under these paths before an upgrade
still find their task here. Jobs queued since name the new paths, so this module can go once no
job under the old paths is left in any queue.
"""

from .actions.notifications import notify_subscribers
from .actions.processing import encode_rendition, process_video

__all__ = ["encode_rendition", "notify_subscribers", "process_video"]
