from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from .. import actions
from ..htmx import HtmxHttpRequest, navigate, wants_partial
from ..models import Playlist, Subscription, User, Video, blocks, handle_key
from ..pagination import page_of
from ..prepared import Prepared
from ..shared_pages import personal_part, personal_to, shared_page
from .feeds import feed_token

SORTS = ("latest", "popular", "oldest")


def _channel_for(username: str) -> User:
    return get_object_or_404(User, username_key=handle_key(username), is_active=True)


_SUBSCRIBED = Prepared(
    lambda user_id, channel_id: Subscription.objects.filter(
        subscriber=user_id, channel=channel_id
    ).values("pk")
)


def is_subscribed(user, channel: User) -> bool:
    return user.is_authenticated and _SUBSCRIBED.exists(user_id=user.pk, channel_id=channel.pk)


@personal_part("subscription")
def subscription_part(request, context) -> dict:
    return {"subscribed": is_subscribed(request.user, context["owner"])}


def _channel_context(request, owner: User, tab: str) -> dict:
    # Their own channel shows its owner every video, with tools.
    personal_to(request, lambda person: person.user.pk == owner.pk)
    own = request.user.is_authenticated and request.user.pk == owner.pk
    videos = Video.objects.filter(owner=owner)
    if not own:
        videos = videos.listed()
    return {
        "owner": owner,
        "tab": tab,
        "own_channel": own,
        "video_count": videos.count(),
        "videos_queryset": videos,
    }


@shared_page
@require_safe
def channel(request: HtmxHttpRequest, username: str):
    owner = _channel_for(username)
    if owner.username != username:
        return redirect(owner, permanent=True)
    context = _channel_context(request, owner, "videos")
    sort = request.GET.get("sort") if request.GET.get("sort") in SORTS else "latest"
    videos = context.pop("videos_queryset").for_cards().sorted_by(sort)
    context |= {"sort": sort, "sorts": SORTS, "page": page_of(request, videos)}
    if wants_partial(request):
        return render(request, "video_share/channel.html#video-page", context)
    return render(request, "video_share/channel.html", context)


@shared_page
@require_safe
def channel_about(request: HtmxHttpRequest, username: str):
    owner = _channel_for(username)
    context = _channel_context(request, owner, "about")
    context.pop("videos_queryset")
    return render(request, "video_share/channel.html", context)


@shared_page
@require_safe
def channel_playlists(request: HtmxHttpRequest, username: str):
    owner = _channel_for(username)
    context = _channel_context(request, owner, "playlists")
    context.pop("videos_queryset")
    playlists = Playlist.objects.made_by(owner)
    if not context["own_channel"]:
        playlists = playlists.listed()
    context["playlists"] = playlists.with_summary_for(request.user)
    return render(request, "video_share/channel.html", context)


def _subscription_changed(request: HtmxHttpRequest, channel: User):
    if wants_partial(request):
        context = {"owner": channel, "count_oob": True}
        return render(request, "video_share/channel.html#subscribe-button", context)
    return _back(request, channel)


def _back(request: HtmxHttpRequest, channel: User):
    """Back to the page the form was on (its `next`), or else to the channel."""
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = channel.get_absolute_url()
    return navigate(request, back)


@personal_part("block")
def block_part(request, context) -> dict:
    return {"blocking": blocks(request.user, context["owner"])}


@login_required
@require_POST
def block(request: HtmxHttpRequest, username: str):
    person = _channel_for(username)
    if person.pk == request.user.pk:
        messages.error(request, _("You cannot block yourself."))
    else:
        actions.do_block(request.user, person)
        messages.success(
            request,
            _(
                "You blocked %(name)s: you will not see their comments or hear from them, "
                "and they cannot comment on your videos."
            )
            % {"name": person.name},
        )
    return _back(request, person)


@login_required
@require_POST
def unblock(request: HtmxHttpRequest, username: str):
    person = _channel_for(username)
    actions.do_unblock(request.user, person)
    messages.success(request, _("You unblocked %(name)s.") % {"name": person.name})
    return _back(request, person)


@login_required
@require_safe
def blocked_people(request: HtmxHttpRequest):
    """The people one blocked, each with a way to unblock them."""
    people = User.objects.filter(blocked_by__blocker=request.user, is_active=True).order_by(
        "display_name", "username"
    )
    return render(request, "video_share/blocked_people.html", {"people": people})


@login_required
@require_POST
def subscribe(request: HtmxHttpRequest, username: str):
    channel = _channel_for(username)
    actions.do_subscribe(request.user, channel)
    return _subscription_changed(request, channel)


@login_required
@require_POST
def unsubscribe(request: HtmxHttpRequest, username: str):
    channel = _channel_for(username)
    actions.do_unsubscribe(request.user, channel)
    return _subscription_changed(request, channel)


@login_required
@require_safe
def subscriptions(request: HtmxHttpRequest):
    followed = User.objects.filter(subscribers__subscriber=request.user).order_by(
        "display_name", "username"
    )
    feed = reverse("subscription_feed", args=[feed_token(request.user)])
    context = {"channels": followed, "feed_url": request.build_absolute_uri(feed)}
    return render(request, "video_share/subscriptions.html", context)
