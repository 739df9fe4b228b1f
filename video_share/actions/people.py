"""Actions on people: profiles, subscriptions, blocks and notifications."""

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .. import search, storage, verification
from ..models import Block, MutedNotification, Notification, Subscription, User, Video, new_feed_key
from ..throttle import HOUR, allowed
from . import notifications


def do_update_profile(form) -> User:
    """Save a profile form; the channel's name is part of its videos' searchable text. A new
    email address gets its verification link."""
    new_avatar = form.store_avatar()
    try:
        with transaction.atomic():
            user = form.save()
            if {"display_name"} & set(form.changed_data):
                search.index_videos(Video.objects.filter(owner=user))
            if "email" in form.changed_data:
                do_send_email_verification(user)
    except BaseException:
        storage.delete_quietly(new_avatar)
        raise
    return user


def do_send_email_verification(user: User) -> bool:
    """Email the user's address a link that verifies it, once the transaction commits.
    False, and nothing sent, if they were sent too many this hour."""
    limit = settings.VIDEO_SHARE_VERIFICATION_EMAILS_PER_HOUR
    if not allowed("email-verifications", user.pk, limit, HOUR):
        return False
    transaction.on_commit(lambda: verification.send_verification(user))
    return True


def do_verify_email(user: User) -> None:
    """Mark the user's current address as theirs (its link was opened)."""
    # Only if the address is still the one the link was for.
    User.objects.filter(pk=user.pk, email=user.email).update(verified_email=user.email)
    user.verified_email = user.email


def do_subscribe(subscriber: User, channel: User) -> bool:
    """Follow a channel. Idempotent; True if this created the subscription."""
    if subscriber.pk == channel.pk:
        return False
    with transaction.atomic():
        _subscription, created = Subscription.objects.get_or_create(
            subscriber=subscriber, channel=channel
        )
        if created:
            User.objects.filter(pk=channel.pk).update(subscriber_count=F("subscriber_count") + 1)
            notifications.notify(channel, Notification.Kind.SUBSCRIBER, actor=subscriber)
    channel.refresh_from_db(fields=["subscriber_count"])
    return created


def do_block(blocker: User, blocked: User) -> bool:
    """Block someone: their comments are hidden for `blocker`, they notify them no more (the
    unread notifications they caused go), and they may not comment on `blocker`'s videos.
    Idempotent; True if this created the block."""
    if blocker.pk == blocked.pk:
        return False
    with transaction.atomic():
        _block, created = Block.objects.get_or_create(blocker=blocker, blocked=blocked)
        deleted, _ = Notification.objects.filter(
            recipient=blocker, actor=blocked, read_at__isnull=True
        ).delete()
        if deleted:
            notifications.announce([blocker.pk])
    return created


def do_unblock(blocker: User, blocked: User) -> bool:
    """Take a block back. Idempotent; True if a block was removed."""
    deleted, _ = Block.objects.filter(blocker=blocker, blocked=blocked).delete()
    return bool(deleted)


def do_unsubscribe(subscriber: User, channel: User) -> bool:
    """Stop following a channel. Idempotent; True if a subscription was removed."""
    with transaction.atomic():
        deleted, _ = Subscription.objects.filter(subscriber=subscriber, channel=channel).delete()
        if deleted:
            User.objects.filter(pk=channel.pk, subscriber_count__gt=0).update(
                subscriber_count=F("subscriber_count") - 1
            )
            notifications.withdraw(Notification.Kind.SUBSCRIBER, channel.pk, subscriber)
    channel.refresh_from_db(fields=["subscriber_count"])
    return bool(deleted)


def do_reset_feed_key(user: User) -> None:
    """A new key for the person's subscription feed: its old address stops working."""
    user.feed_key = new_feed_key()
    user.save(update_fields=["feed_key"])


def do_mark_read(user: User, ids: list[int] | None = None) -> int:
    """Mark some (or all) of a user's notifications read; returns how many changed."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    with transaction.atomic():
        changed = unread.update(read_at=timezone.now())
        if changed:
            notifications.announce([user.pk])
    return changed


def do_note_language(user: User, language: str) -> None:
    """Remember the language someone uses the site in: their live updates and emails are
    rendered in it."""
    if user.is_authenticated and user.language != language:
        User.objects.filter(pk=user.pk).update(language=language)
        user.language = language


def do_save_notification_settings(user: User, data: dict) -> None:
    """Save which kinds of notification a user wants ("muted": those they do not) and
    whether they get the daily digest."""
    with transaction.atomic():
        if "muted" in data:
            muted = set(data["muted"])
            MutedNotification.objects.filter(user=user).exclude(kind__in=muted).delete()
            MutedNotification.objects.bulk_create(
                [MutedNotification(user=user, kind=kind) for kind in muted],
                ignore_conflicts=True,
            )
        if "email_digest" in data and data["email_digest"] != user.email_digest:
            user.email_digest = data["email_digest"]
            # The first digest covers what arrives from now on.
            user.digest_sent_at = timezone.now()
            user.save(update_fields=["email_digest", "digest_sent_at"])
