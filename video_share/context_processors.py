from django.utils.functional import SimpleLazyObject

from .actions import unread_count


def notifications(request):
    """The bell's unread count, counted only if the page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_count": SimpleLazyObject(lambda: unread_count(user))}
