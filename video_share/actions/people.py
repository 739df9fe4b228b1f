"""Actions on people: profiles, subscriptions and notifications."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .. import search
from ..models import Notification, Subscription, User, Video


def do_update_profile(form) -> User:
    """Save a profile form; the channel's name is part of its videos' searchable text."""
    with transaction.atomic():
        user = form.save()
        if {"display_name"} & set(form.changed_data):
            search.index_videos(Video.objects.filter(owner=user))
    return user


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
    channel.refresh_from_db(fields=["subscriber_count"])
    return created


def do_unsubscribe(subscriber: User, channel: User) -> bool:
    """Stop following a channel. Idempotent; True if a subscription was removed."""
    with transaction.atomic():
        deleted, _ = Subscription.objects.filter(subscriber=subscriber, channel=channel).delete()
        if deleted:
            User.objects.filter(pk=channel.pk, subscriber_count__gt=0).update(
                subscriber_count=F("subscriber_count") - 1
            )
    channel.refresh_from_db(fields=["subscriber_count"])
    return bool(deleted)


def do_mark_read(user: User, ids: list[int] | None = None) -> int:
    """Mark some (or all) of a user's notifications read; returns how many changed."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())
