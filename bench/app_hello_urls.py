from django.http import HttpResponse
from django.template import RequestContext, Template
from django.urls import path

from video_project.urls import urlpatterns as site

SMALL = Template(
    "<!doctype html><title>{{ title }}</title>"
    "<ul>{% for item in items %}<li>{{ item }}</li>{% endfor %}</ul>"
)


def hello(request):
    """A trivial page view (the site's pages are synchronous views)."""
    return HttpResponse("Hello")


def small(request):
    """A small template, rendered in a (synchronous) view: one thread hop, no query."""
    context = RequestContext(request, {"title": "Small", "items": range(10)})
    return HttpResponse(SMALL.render(context))


urlpatterns = [path("bench/hello", hello), path("bench/small", small), *site]
