from django.contrib.auth.views import redirect_to_login
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe
from django_htmx.http import retarget

from ..htmx import HtmxHttpRequest, wants_partial
from ..models import Tag, User, Video
from ..pagination import page_of
from ..prepared import Prepared
from ..search import DURATIONS, SORTS, UPLOADED, search_videos
from ..shared_pages import personal_to, shared_page
from ..text import fold

SEARCH_MAX_LENGTH = 200


_NOT_LISTED = Prepared(lambda user_id: Video.objects.not_listed_of(user_id).order_by().values("pk"))

HOME_TABS = ("latest", "trending", "subscriptions")


@shared_page
@require_safe
def home(request: HtmxHttpRequest):
    tab = request.GET.get("tab") if request.GET.get("tab") in HOME_TABS else "latest"
    if tab == "subscriptions" and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    videos = Video.objects.listed().for_cards()
    if tab == "trending":
        videos = videos.trending()
    elif tab == "subscriptions":
        videos = videos.from_subscriptions(request.user).order_by("-created_at", "-pk")
    else:
        videos = videos.order_by("-created_at", "-pk")
    context = {"tab": tab, "page": page_of(request, videos)}
    if wants_partial(request):
        return render(request, "video_share/home.html#video-page", context)
    if tab == "subscriptions" and context["page"].number == 1 and not context["page"].object_list:
        context["suggestions"] = suggested_channels(request.user)
    context["site_is_empty"] = (
        tab == "latest" and context["page"].number == 1 and not context["page"].object_list
    )
    return render(request, "video_share/home.html", context)


def suggested_channels(user, count: int = 6):
    """Channels with public videos that `user` does not follow yet, most followed first."""
    return (
        User.objects.filter(is_active=True, videos__in=Video.objects.listed())
        .exclude(pk=user.pk)
        .exclude(subscribers__subscriber=user)
        .distinct()
        .order_by("-subscriber_count", "username")[:count]
    )


@shared_page
@require_safe
def tag(request: HtmxHttpRequest, tag: str):
    found = Tag.objects.filter(key=fold(tag)).first()
    if found is None:
        raise Http404
    videos = Video.objects.listed().filter(tags=found).select_related("owner")[:60]
    return render(request, "video_share/tag.html", {"tag": found, "videos": videos})


@shared_page
@require_safe
def search(request: HtmxHttpRequest):
    # Control characters (NUL above all, which PostgreSQL refuses) never reach a query.
    query = "".join(ch for ch in request.GET.get("q", "") if ch.isprintable())
    query = query.strip()[:SEARCH_MAX_LENGTH]
    filters = {
        "duration": request.GET.get("duration") if request.GET.get("duration") in DURATIONS else "",
        "uploaded": request.GET.get("uploaded") if request.GET.get("uploaded") in UPLOADED else "",
        "sort": request.GET.get("sort") if request.GET.get("sort") in SORTS else "relevance",
    }
    videos = search_videos(query, user=request.user, **filters).for_cards()
    # Besides what everyone finds, people find their own videos that are not listed.
    personal_to(request, lambda person: _NOT_LISTED.exists(user_id=person.user.pk))
    page = page_of(request, videos)
    channels = User.objects.none()
    if query and page.number == 1:
        channels = User.objects.filter(is_active=True).filter(
            Q(username__icontains=query) | Q(display_name__icontains=query)
        )[:6]
    context = {"search_query": query, "page": page, "channels": channels, **filters}
    if wants_partial(request):
        if request.htmx.target == "main":
            # Typed in the header box. On the search page, replace only the results.
            if request.htmx.current_url_abs_path.startswith(reverse("search")):
                context["oob"] = True
                response = render(request, "video_share/search.html#search-results", context)
                return retarget(response, "#search-results")
            return render(request, "video_share/search.html#search-main", context)
        if request.htmx.target == "search-results":
            return render(request, "video_share/search.html#search-results", context)
        return render(request, "video_share/search.html#video-page", context)
    return render(request, "video_share/search.html", context)


# Pages only for their person, or of no use to a search engine: kept out of search engines,
# with all of their first folder (reversed, so that a moved URL stays covered).
NOT_FOR_CRAWLERS = (
    ("admin:index", ()),
    ("profile_edit", ()),
    ("login", ()),
    ("signup", ()),
    ("logout", ()),
    ("upload", ()),
    ("notifications", ()),
    ("subscriptions", ()),
    ("history", ()),
    ("search", ()),
    ("set_language", ()),
    ("user_stream", ()),
    ("digest_unsubscribe", ("token",)),
)


@require_safe
def robots_txt(request):
    folders = dict.fromkeys(
        _first_folder(reverse(name, args=args)) for name, args in NOT_FOR_CRAWLERS
    )
    lines = [
        "User-agent: *",
        *(f"Disallow: {folder}" for folder in folders),
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def _first_folder(path: str) -> str:
    """/account/profile/ → /account/; /search → /search."""
    first, slash, _rest = path.removeprefix("/").partition("/")
    return f"/{first}{slash}"
