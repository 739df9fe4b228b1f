"""Actions: the only place where writes with side effects happen.

Each runs in a transaction and publishes its live events only after commit.
"""

from .comments import (
    do_delete_comment,
    do_edit_comment,
    do_heart_comment,
    do_hide_comment,
    do_pin_comment,
    do_post_comment,
    do_react,
    do_toggle_comment_like,
)
from .moderation import do_ban, do_delete_reported, do_hide, do_report
from .notifications import announce, fan_out_new_video, unread_count
from .people import (
    do_mark_read,
    do_note_language,
    do_reset_feed_key,
    do_save_notification_settings,
    do_send_email_verification,
    do_subscribe,
    do_unsubscribe,
    do_update_profile,
    do_verify_email,
)
from .processing import (
    close_dead_task_results,
    do_add_rendition,
    do_fail_video,
    do_report_progress,
    do_retry_video,
    do_set_frames,
    do_start_job,
    recover_stalled_jobs,
)
from .videos import (
    do_clear_history,
    do_count_view,
    do_delete_video,
    do_edit_video,
    do_forget_progress,
    do_save_progress,
    do_set_poster,
    do_upload_video,
)

__all__ = [
    "announce",
    "fan_out_new_video",
    "unread_count",
    "do_add_rendition",
    "do_ban",
    "do_delete_reported",
    "do_hide",
    "do_mark_read",
    "do_reset_feed_key",
    "do_note_language",
    "do_report",
    "do_clear_history",
    "do_count_view",
    "do_delete_comment",
    "do_delete_video",
    "do_edit_comment",
    "do_edit_video",
    "do_fail_video",
    "do_forget_progress",
    "do_heart_comment",
    "do_hide_comment",
    "do_pin_comment",
    "do_post_comment",
    "do_react",
    "do_save_notification_settings",
    "do_send_email_verification",
    "do_report_progress",
    "do_retry_video",
    "do_save_progress",
    "do_set_frames",
    "do_set_poster",
    "do_start_job",
    "do_subscribe",
    "do_toggle_comment_like",
    "do_unsubscribe",
    "do_update_profile",
    "do_verify_email",
    "do_upload_video",
    "recover_stalled_jobs",
    "close_dead_task_results",
]
