from django.utils.functional import SimpleLazyObject


def notifications(request):
    """The bell's unread count, counted only if the page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_count": SimpleLazyObject(lambda: user.notifications.filter(read_at=None).count())
    }
