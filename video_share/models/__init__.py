from .accounts import (
    HandleUserManager,
    HandleValidator,
    User,
    avatar_path,
    handle_key,
    handle_skeleton,
    new_feed_key,
)
from .captions import Caption
from .channels import Block, Subscription, blocks
from .comments import Comment, CommentLike
from .exports import DataExport
from .notifications import MutedNotification, Notification, comment_url
from .playlists import Playlist, PlaylistItem
from .reports import ModerationEntry, Report
from .search import VideoSearch
from .uploads import PartialUpload
from .videos import Rendition, Tag, Video
from .watching import Reaction, View, WatchProgress, WatchTime

__all__ = [
    "Block",
    "ModerationEntry",
    "blocks",
    "Caption",
    "Comment",
    "DataExport",
    "CommentLike",
    "HandleUserManager",
    "HandleValidator",
    "MutedNotification",
    "PartialUpload",
    "Playlist",
    "PlaylistItem",
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
    "WatchTime",
    "avatar_path",
    "comment_url",
    "handle_key",
    "handle_skeleton",
    "new_feed_key",
]
