from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.shortcuts import redirect
from django_htmx.http import HttpResponseLocation
from django_htmx.middleware import HtmxDetails

from .models import User


class HtmxHttpRequest(HttpRequest):
    """The request as our views see it, for type checkers and readers."""

    htmx: HtmxDetails
    user: User | AnonymousUser


def navigate(request: HtmxHttpRequest, url: str):
    """Go to `url` after a change: a redirect, or for htmx a navigation that swaps the whole
    new page into the body and pushes its URL (keeping any #anchor). It asks as a boosted link
    does, so the view answers with its whole page, never with the fragment it gives to htmx
    requests from inside its own page."""
    if request.htmx:
        return HttpResponseLocation(url, target="body", headers={"HX-Boosted": "true"})
    return redirect(url)
