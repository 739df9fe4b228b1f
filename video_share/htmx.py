from urllib.parse import urlencode, urlsplit

from asgiref.sync import iscoroutinefunction
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.shortcuts import redirect, render, resolve_url
from django.utils.cache import patch_vary_headers
from django.utils.decorators import sync_and_async_middleware
from django_htmx.http import HttpResponseClientRedirect, HttpResponseLocation
from django_htmx.middleware import HtmxDetails

from .models import User


class HtmxHttpRequest(HttpRequest):
    """The request as our views see it, for type checkers and readers."""

    htmx: HtmxDetails
    user: User | AnonymousUser


def wants_partial(request: HtmxHttpRequest) -> bool:
    """Whether to answer with a part of the page: htmx asked from inside a page, for the part
    it swaps. A boosted request (a link or form that the boost sends through htmx) wants the
    whole page, as it would without htmx."""
    return bool(request.htmx) and not request.htmx.boosted


def navigate(request: HtmxHttpRequest, to):
    """How a view sends the person on to another page, after a change or when there is
    nothing for it to show: `to` is a URL, a URL name or an object, as for Django's
    `redirect()`. Without htmx, a redirect; for htmx, a navigation that swaps the whole new
    page into the body and pushes its URL (keeping any #anchor). It asks as a boosted link
    does, so the view answers with its whole page, never with the part it gives to htmx
    requests from inside its own page.

    Django's `redirect()` stays for an address that moved for good, and `redirect_to_login()`
    for a page that needs a log-in (htmx_middleware turns it into a whole-page visit)."""
    url = resolve_url(to)
    if request.htmx:
        # At the top of the new page, as a page load lands (its messages are there), unless
        # the URL names a place in it: htmx scrolls to that anchor itself.
        swap = "innerHTML" if "#" in url else "innerHTML show:window:top"
        return HttpResponseLocation(url, target="body", swap=swap, headers={"HX-Boosted": "true"})
    return redirect(url)


def field_errors(request: HtmxHttpRequest, form):
    """Inline validation: when htmx posts the form because one of its fields changed (the
    field's name comes as HX-Trigger-Name), the error list of that field alone, else None.
    An empty field shows no error while it is being filled in."""
    name = request.htmx.trigger_name if wants_partial(request) else None
    if name not in form.fields:
        return None
    form.is_valid()
    field = form[name]
    if not field.value():
        form.errors.pop(name, None)
    return render(request, "includes/field.html#field-errors", {"field": field})


@sync_and_async_middleware
def htmx_middleware(get_response):
    """What every answer needs because htmx may have asked (no I/O: under ASGI it runs on the
    event loop). Above SharedPageMiddleware, so that shared copies get it too."""
    if iscoroutinefunction(get_response):

        async def middleware(request):
            return _for_htmx(request, await get_response(request))

    else:

        def middleware(request):
            return _for_htmx(request, get_response(request))

    return middleware


def _for_htmx(request, response):
    # Any page may be answered to htmx differently (one of its partials, or, boosted, without
    # the bell's count): a browser or a cache must never reuse that answer for a full page
    # load, nor the other way round.
    if request.method in ("GET", "HEAD") and response.get("Content-Type", "").startswith(
        "text/html"
    ):
        patch_vary_headers(response, ("HX-Request",))
    # An htmx request that needs a log-in (the session ended in another tab) gets the whole
    # log-in page, coming back to the page the person was on, not the log-in form swapped
    # into a part of that page and a `next` pointing at the endpoint of a button.
    if not request.htmx or response.status_code != 302:
        return response
    login = resolve_url(settings.LOGIN_URL)
    if urlsplit(response["Location"]).path != login:
        return response
    back = request.htmx.current_url_abs_path or "/"
    return HttpResponseClientRedirect(f"{login}?{urlencode({'next': back})}")
