from django.utils.functional import SimpleLazyObject

from .actions import unread_count
from .models import Report
from .shared_pages import CSRF_PLACEHOLDER, personal_part, renders_shared_copy


def notifications(request):
    """The bell's unread count (and for staff, beside it, the count of open reports), counted
    only if the page shows it. A boosted page change keeps the bell it has (hx-preserve, live
    over its stream), so its count is not counted again: a bell that is new there asks for its
    count as soon as its stream opens."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    htmx = getattr(request, "htmx", None)
    if htmx and htmx.boosted:
        return {"unread_count": 0, "open_reports": 0}
    counts = {"unread_count": SimpleLazyObject(lambda: unread_count(user))}
    if user.is_staff:
        counts["open_reports"] = SimpleLazyObject(Report.objects.open_items)
    return counts


def _account_shows(request, context) -> tuple:
    """All that the account menu and the bell show of a person."""
    user = request.user
    if not user.is_authenticated:
        return ()
    unread = 0 + context.get("unread_count", 0)  # counted now (it is lazy)
    reports = 0 + context.get("open_reports", 0)
    return (user.pk, user.username, user.name, str(user.avatar), user.is_staff, unread, reports)


# The account menu and the bell take what they need from the context processors; rendered
# once for what they show of a person, they are served again to them on every page.
personal_part("account", cache_key=_account_shows)(lambda request, context: {})


def shared_page_csrf_token(request):
    """In a page rendered for everyone, a placeholder for the CSRF token, which each response
    replaces with its own request's (video_share.shared_pages). Listed after Django's csrf
    context processor, which it overrides."""
    return {"csrf_token": CSRF_PLACEHOLDER} if renders_shared_copy(request) else {}
