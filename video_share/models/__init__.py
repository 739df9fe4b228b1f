from .accounts import HandleUserManager, HandleValidator, User, avatar_path, handle_key
from .channels import Subscription
from .comments import Comment, CommentLike
from .notifications import Notification
from .reports import Report
from .search import VideoSearch
from .videos import Rendition, Tag, Video
from .watching import Reaction, View, WatchProgress

__all__ = [
    "Comment",
    "CommentLike",
    "HandleUserManager",
    "HandleValidator",
    "Notification",
    "Reaction",
    "Rendition",
    "Report",
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
