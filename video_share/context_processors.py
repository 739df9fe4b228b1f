from django.utils.functional import SimpleLazyObject

from .actions import unread_count


def notifications(request):
    """The bell's unread count, counted only if the page shows it. A boosted page change keeps
    the bell it has (hx-preserve, live over its stream), so its count is not counted again:
    a bell that is new there asks for its count as soon as its stream opens."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    htmx = getattr(request, "htmx", None)
    if htmx and htmx.boosted:
        return {"unread_count": 0}
    return {"unread_count": SimpleLazyObject(lambda: unread_count(user))}
