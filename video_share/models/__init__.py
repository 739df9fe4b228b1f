from .accounts import (
    HandleUserManager,
    HandleValidator,
    User,
    avatar_path,
    handle_key,
    handle_skeleton,
    new_feed_key,
)
from .channels import Subscription
from .comments import Comment, CommentLike
from .notifications import MutedNotification, Notification, comment_url
from .reports import Report
from .search import VideoSearch
from .uploads import PartialUpload
from .videos import Rendition, Tag, Video
from .watching import Reaction, View, WatchProgress

__all__ = [
    "Comment",
    "CommentLike",
    "HandleUserManager",
    "HandleValidator",
    "MutedNotification",
    "PartialUpload",
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
    "comment_url",
    "handle_key",
    "handle_skeleton",
    "new_feed_key",
]
