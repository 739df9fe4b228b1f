from django.contrib.auth import views as auth_views
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path

from . import resumable
from .forms import LoginForm
from .sitemaps import SITEMAPS
from .views import (
    accounts,
    channels,
    comments,
    feeds,
    media,
    notifications,
    pages,
    reports,
    streams,
    videos,
)

# Every event stream lives under this prefix, and nothing else does: the ASGI application
# (video_project/asgi.py) and the proxy in front (README) tell streams apart by it alone.
STREAMS_PREFIX = "events/"
stream_patterns = [
    path("v/<str:public_id>", streams.video_stream, name="video_stream"),
    path("me", streams.user_stream, name="user_stream"),
    path("notifications", streams.notification_stream, name="notification_stream"),
]

urlpatterns = [
    path("", pages.home, name="home"),
    path("search", pages.search, name="search"),
    path("@<str:username>", channels.channel, name="channel"),
    path("@<str:username>/about", channels.channel_about, name="channel_about"),
    path("@<str:username>/feed", feeds.channel_feed, name="channel_feed"),
    path("@<str:username>/feed/atom", feeds.channel_atom_feed, name="channel_atom_feed"),
    path("@<str:username>/subscribe", channels.subscribe, name="subscribe"),
    path("@<str:username>/unsubscribe", channels.unsubscribe, name="unsubscribe"),
    path("subscriptions/", channels.subscriptions, name="subscriptions"),
    path("subscriptions/feed/<str:token>", feeds.subscription_feed, name="subscription_feed"),
    path(
        "subscriptions/new-feed-address",
        feeds.reset_subscription_feed,
        name="reset_subscription_feed",
    ),
    path("notifications/", notifications.notification_list, name="notifications"),
    path(
        "notifications/<int:notification_id>",
        notifications.open_notification,
        name="open_notification",
    ),
    path("notifications/read", notifications.mark_all_read, name="mark_all_read"),
    path("notifications/menu", notifications.notification_menu, name="notification_menu"),
    path("notifications/count", notifications.unread_count, name="unread_count"),
    path(
        "notifications/settings",
        notifications.notification_settings,
        name="notification_settings",
    ),
    path("unsubscribe/<str:token>", notifications.unsubscribe, name="digest_unsubscribe"),
    path("signup/", accounts.signup, name="signup"),
    path(
        "login/",
        accounts.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/profile/", accounts.profile_edit, name="profile_edit"),
    path("account/email/verify/<str:token>/", accounts.verify_email, name="verify_email"),
    path(
        "account/email/resend/",
        accounts.resend_email_verification,
        name="resend_email_verification",
    ),
    path("account/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "account/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("account/reset/", accounts.PasswordResetView.as_view(), name="password_reset"),
    path(
        "account/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "account/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "account/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("upload/", videos.upload, name="upload"),
    path("upload/files/", resumable.create, name="upload_files"),
    path("upload/files/<str:upload_id>", resumable.upload_file, name="upload_file"),
    path("v/<str:public_id>", videos.watch, name="watch"),
    path("v/<str:public_id>/edit", videos.edit, name="video_edit"),
    path("v/<str:public_id>/poster", videos.poster, name="video_poster"),
    path("v/<str:public_id>/delete", videos.delete, name="video_delete"),
    path("v/<str:public_id>/retry", videos.retry, name="video_retry"),
    path("v/<str:public_id>/view", videos.count_view, name="video_view"),
    path("v/<str:public_id>/storyboard.vtt", videos.storyboard, name="video_storyboard"),
    path("v/<str:public_id>/hls.m3u8", videos.hls_master, name="video_hls"),
    path("v/<str:public_id>/comments", comments.comment_list, name="comment_list"),
    path("v/<str:public_id>/comments/new", comments.post_comment, name="post_comment"),
    path("v/<str:public_id>/react", comments.react, name="react"),
    path("comments/<int:comment_id>/edit", comments.edit_comment, name="edit_comment"),
    path("comments/<int:comment_id>/delete", comments.delete_comment, name="delete_comment"),
    path("comments/<int:comment_id>/pin", comments.pin_comment, name="pin_comment"),
    path("comments/<int:comment_id>/heart", comments.heart_comment, name="heart_comment"),
    path("comments/<int:comment_id>/like", comments.like_comment, name="like_comment"),
    path("comments/<int:comment_id>/report", reports.report_comment, name="report_comment"),
    path("v/<str:public_id>/report", reports.report_video, name="report_video"),
    path("v/<str:public_id>/progress", videos.save_progress, name="video_progress"),
    path("embed/<str:public_id>", videos.embed, name="embed"),
    path("oembed", videos.oembed, name="oembed"),
    path("robots.txt", pages.robots_txt, name="robots_txt"),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap_section",
    ),
    path("history/", videos.history, name="history"),
    path("history/<int:video_id>/remove", videos.history_remove, name="history_remove"),
    path("history/clear", videos.history_clear, name="history_clear"),
    # Any tag, slashes included ("AC/DC", "24/7").
    path("tags/<path:tag>", pages.tag, name="tag"),
    path("media/v/<str:public_id>/<str:name>", media.video_media, name="video_media"),
    path(STREAMS_PREFIX, include(stream_patterns)),
    path("media/<path:name>", media.public_media, name="media"),
]
