from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import actions
from .models import Comment, Report, User, Video


@admin.register(User)
class VideoShareUserAdmin(UserAdmin):
    list_display = ("username", "display_name", "email", "is_active", "is_staff", "date_joined")
    search_fields = ("username", "display_name", "email")
    fieldsets = (
        *UserAdmin.fieldsets,
        (_("Channel"), {"fields": ("display_name", "bio", "avatar")}),
    )


@admin.register(Video)
class VideoAdmin(admin.ModelAdmin):
    list_display = ("title", "owner", "visibility", "status", "view_count", "created_at")
    list_filter = ("visibility", "status")
    search_fields = ("title", "public_id", "owner__username")
    raw_id_fields = ("owner",)
    readonly_fields = ("public_id", "source", "status", "failure_reason", "view_count")
    exclude = ("tags", "pending_heights", "frames", "heartbeat_at", "queue_priority")


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("__str__", "author", "video", "hidden", "created_at")
    list_filter = ("hidden",)
    search_fields = ("body", "author__username")
    raw_id_fields = ("author", "video", "parent")


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "reason",
        "target_kind",
        "target",
        "author",
        "reporter",
        "resolved",
    )
    list_filter = ("resolved", "reason")
    raw_id_fields = ("reporter", "video", "comment")
    actions = ("hide", "delete_target", "ban_author", "mark_resolved")

    @admin.display(description=_("what"))
    def target_kind(self, report):
        return _("comment") if report.comment_id else _("video")

    @admin.action(description=_("Hide what was reported"))
    def hide(self, request, queryset):
        for report in queryset.select_related("video", "comment__video", "comment__parent"):
            actions.do_hide(report, request.user)
        self._done(request, queryset.count())

    @admin.action(description=_("Delete what was reported"))
    def delete_target(self, request, queryset):
        for report in list(queryset.select_related("video", "comment__video")):
            if report.comment_id and not Comment.objects.filter(pk=report.comment_id).exists():
                continue
            if not Video.objects.filter(pk=report.video_id).exists():
                continue
            actions.do_delete_reported(report, request.user)
        self._done(request, len(queryset))

    @admin.action(description=_("Ban the author"))
    def ban_author(self, request, queryset):
        authors = {
            report.author for report in queryset.select_related("video__owner", "comment__author")
        }
        for author in authors:
            actions.do_ban(author, moderator=request.user)
        self.message_user(
            request,
            ngettext("%(count)d user banned.", "%(count)d users banned.", len(authors))
            % {"count": len(authors)},
            messages.SUCCESS,
        )

    @admin.action(description=_("Mark as resolved"))
    def mark_resolved(self, request, queryset):
        reports = list(queryset.filter(resolved=False).select_related("video", "comment"))
        for report in reports:
            actions.do_dismiss(report, request.user)
        self._done(request, len(reports))

    def _done(self, request, count):
        self.message_user(
            request,
            ngettext("%(count)d report handled.", "%(count)d reports handled.", count)
            % {"count": count},
            messages.SUCCESS,
        )
