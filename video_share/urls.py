from django.contrib.auth import views as auth_views
from django.urls import path

from .forms import LoginForm
from .views import accounts, channels, comments, media, pages, reports, streams, videos

urlpatterns = [
    path("", pages.home, name="home"),
    path("search", pages.search, name="search"),
    path("@<str:username>", channels.channel, name="channel"),
    path("@<str:username>/about", channels.channel_about, name="channel_about"),
    path("@<str:username>/subscribe", channels.subscribe, name="subscribe"),
    path("@<str:username>/unsubscribe", channels.unsubscribe, name="unsubscribe"),
    path("subscriptions/", channels.subscriptions, name="subscriptions"),
    path("notifications/", pages.notifications, name="notifications"),
    path("signup/", accounts.signup, name="signup"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/profile/", accounts.profile_edit, name="profile_edit"),
    path("account/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "account/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("account/reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
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
    path("v/<str:public_id>", videos.watch, name="watch"),
    path("v/<str:public_id>/edit", videos.edit, name="video_edit"),
    path("v/<str:public_id>/poster", videos.poster, name="video_poster"),
    path("v/<str:public_id>/delete", videos.delete, name="video_delete"),
    path("v/<str:public_id>/retry", videos.retry, name="video_retry"),
    path("v/<str:public_id>/view", videos.count_view, name="video_view"),
    path("v/<str:public_id>/comments", comments.comment_list, name="comment_list"),
    path("v/<str:public_id>/comments/new", comments.post_comment, name="post_comment"),
    path("v/<str:public_id>/events", comments.video_stream, name="video_stream"),
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
    path("history/", videos.history, name="history"),
    path("history/<int:video_id>/remove", videos.history_remove, name="history_remove"),
    path("history/clear", videos.history_clear, name="history_clear"),
    path("tags/<str:tag>", pages.tag, name="tag"),
    path("media/v/<str:public_id>/<str:name>", media.video_media, name="video_media"),
    path("events/me/", streams.user_stream, name="user_stream"),
    path("media/<path:name>", media.public_media, name="media"),
]
