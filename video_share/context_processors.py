from django.utils.functional import SimpleLazyObject

from .actions import unread_count
from .shared_pages import personal_part


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


def _account_shows(request, context) -> tuple:
    """All that the account menu and the bell show of a person."""
    user = request.user
    if not user.is_authenticated:
        return ()
    unread = 0 + context.get("unread_count", 0)  # counted now (it is lazy)
    return (user.pk, user.username, user.name, str(user.avatar), user.is_staff, unread)


# The account menu and the bell take what they need from the context processors; rendered
# once for what they show of a person, they are served again to them on every page.
personal_part("account", same_for=_account_shows)(lambda request, context: {})
