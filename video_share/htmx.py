from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from .models import User


class HtmxHttpRequest(HttpRequest):
    """The request as our views see it, for type checkers and readers."""

    htmx: HtmxDetails
    user: User | AnonymousUser
