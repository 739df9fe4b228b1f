from .accounts import HandleUserManager, HandleValidator, User, avatar_path, handle_key
from .channels import Subscription
from .notifications import Notification
from .search import VideoSearch
from .videos import Rendition, Tag, Video
from .watching import View, WatchProgress

__all__ = [
    "HandleUserManager",
    "HandleValidator",
    "Notification",
    "Rendition",
    "Subscription",
    "Tag",
    "User",
    "Video",
    "VideoSearch",
    "View",
    "WatchProgress",
    "avatar_path",
    "handle_key",
]
