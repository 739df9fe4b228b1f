import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from video_share import actions, stats
from video_share.models import Comment, View, WatchProgress, WatchTime

from .factories import make_user, make_video

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


def view_on(video, moment: datetime, *, user=None, address="") -> View:
    """A view of `video` counted as do_count_view counts it, moved to `moment`."""
    number = View.objects.count()
    if user is None:
        actions.do_count_view(video, address=address or f"10.0.0.{number + 1}")
    else:
        actions.do_count_view(video, address="", user=user)
    view = View.objects.latest("pk")
    View.objects.filter(pk=view.pk).update(created_at=moment, hour=moment)
    return view


def days_ago(days: int, hour: int = 12) -> datetime:
    today = timezone.localdate(timezone=timezone.get_default_timezone())
    moment = datetime.combine(today - timedelta(days=days), datetime.min.time())
    return timezone.make_aware(moment.replace(hour=hour), timezone.get_default_timezone())


def totals_of(html: str) -> list[str]:
    return re.findall(r"<strong data-total>(.*?)</strong>", html)


def charts_of(html: str) -> dict[str, tuple[ET.Element, list[tuple[str, str, str]]]]:
    """Each chart's SVG, parsed as XML, and the rows of its table: (datetime, label, value)."""
    charts = {}
    for figure in re.findall(r'<figure class="chart".*?</figure>', html, re.S):
        slug = re.search(r'id="chart-([\w-]+)-heading"', figure)[1]
        svg = ET.fromstring(  # noqa: S314 (our own page)
            re.search(r"<svg.*?</svg>", figure, re.S)[0]
        )
        rows = re.findall(
            r'<tr><th scope="row"><time datetime="(.*?)">(.*?)</time></th><td>(.*?)</td></tr>',
            figure,
        )
        charts[slug] = (svg, rows)
    return charts


@pytest.fixture
def channel(db):
    return make_user("maker", date_joined=days_ago(90))


@pytest.fixture
def watched(channel):
    """A video with known views on known days, likes, comments and subscribers."""
    video = make_video(channel, title="Counted", duration=60.0)
    video.created_at = days_ago(60)
    video.save()
    for days in (0, 0, 2, 40):
        view_on(video, days_ago(days))
    fans = [make_user(f"fan{n}") for n in range(3)]
    actions.do_react(video, fans[0], 1)
    actions.do_react(video, fans[1], 1)
    actions.do_react(video, fans[2], -1)  # a dislike is no like
    Comment.objects.create(video=video, author=fans[0], body="Shown")
    Comment.objects.create(video=video, author=fans[1], body="Hidden", hidden=True)
    Comment.objects.create(video=video, author=fans[1], body="Held", held=True)
    actions.do_subscribe(fans[0], channel)
    actions.do_subscribe(fans[1], channel)
    video.refresh_from_db()
    return video


def test_video_totals_match_the_counters_for_all_time_and_the_last_28_days(client, watched):
    client.force_login(watched.owner)
    page = client.get(reverse("video_stats", args=[watched.public_id]), {"period": "all"})
    assert page.status_code == 200
    # Views, watch time, average percentage, likes, comments (as the watch page counts them).
    assert watched.view_count == 4
    assert watched.like_count == 2
    assert totals_of(page.text) == ["4", "0.0", "—", "2", "1"]
    assert client.get(watched.get_absolute_url()).context["comment_count"] == 1

    recent = client.get(reverse("video_stats", args=[watched.public_id]))
    assert totals_of(recent.text)[0] == "3"  # the view of 40 days ago is older
    assert "4 all time" in recent.text
    assert 'aria-current="true">Last 28 days' in recent.text


def test_channel_totals_match_the_counters_and_list_the_top_videos(client, watched, channel):
    other = make_video(channel, title="Less seen")
    view_on(other, days_ago(1))
    client.force_login(channel)
    page = client.get(reverse("channel_stats", args=[channel.username]), {"period": "all"})
    channel.refresh_from_db()
    assert channel.subscriber_count == 2
    # Views, watch time, average percentage, likes, comments, subscribers.
    assert totals_of(page.text) == ["5", "0.0", "—", "2", "1", "2"]
    views_chart = charts_of(page.text)["views"][1]
    assert sum(int(n) for _, _, n in views_chart) == 5
    top = [video.title for video in page.context["top_videos"]]
    assert top == ["Counted", "Less seen"]
    assert reverse("video_stats", args=[watched.public_id]) in page.text


def test_views_per_day_cross_a_month_boundary_in_the_sites_time_zone(settings, channel):
    settings.TIME_ZONE = "Asia/Riyadh"  # UTC+3
    video = make_video(channel, duration=10.0)
    view_on(video, datetime(2025, 2, 27, 9, tzinfo=UTC))
    view_on(video, datetime(2025, 2, 27, 10, tzinfo=UTC))
    # 22:30 on the 28th in UTC is already the 1st of March in Riyadh.
    view_on(video, datetime(2025, 2, 28, 22, 30, tzinfo=UTC))
    view_on(video, datetime(2025, 1, 1, 12, tzinfo=UTC))  # before the period

    period = stats.period_of("28d", video.created_at, today=date(2025, 3, 2))
    figures = stats.video_stats(video, period)["figures"]
    series = dict(zip(period.buckets, figures["views"].values, strict=True))
    assert period.buckets[0] == date(2025, 2, 3)
    assert len(period.buckets) == 28
    assert series[date(2025, 2, 27)] == 2
    assert series[date(2025, 2, 28)] == 0
    assert series[date(2025, 3, 1)] == 1
    assert series[date(2025, 3, 2)] == 0
    assert figures["views"].total == 3

    # All time, longer than three months: month by month.
    video.created_at = datetime(2024, 11, 20, tzinfo=UTC)
    period = stats.period_of("all", video.created_at, today=date(2025, 3, 2))
    figures = stats.video_stats(video, period)["figures"]
    assert period.buckets == [
        date(2024, 11, 1),
        date(2024, 12, 1),
        date(2025, 1, 1),
        date(2025, 2, 1),
        date(2025, 3, 1),
    ]
    assert figures["views"].values == [0, 0, 1, 2, 1]


def test_each_chart_is_well_formed_svg_with_a_title_and_its_numbers_in_a_table(client, watched):
    client.force_login(watched.owner)
    page = client.get(reverse("video_stats", args=[watched.public_id]))
    charts = charts_of(page.text)
    assert set(charts) == {"views", "watch-time", "likes", "comments"}
    svg, rows = charts["views"]
    assert svg.find(f"{SVG}title").text == "Views per day"
    assert svg.find(f"{SVG}desc").text.startswith("3 in all")
    assert svg.get("role") == "img"
    # One bar per day, each titled with the numbers of the table, days without views too.
    bars = [rect.find(f"{SVG}title").text for rect in svg.iter(f"{SVG}rect")]
    assert len(bars) == len(rows) == 28
    days = [date.fromisoformat(when) for when, _, _ in rows]
    assert bars == [
        f"{date_format(day, 'j M')}: {n}" for day, (_, _, n) in zip(days, rows, strict=True)
    ]
    assert [n for _, _, n in rows].count("0") == 26
    today = timezone.localdate(timezone=timezone.get_default_timezone())
    assert rows[-1][0] == today.isoformat()
    assert rows[-1][2] == "2"
    assert rows[-3][2] == "1"


def test_statistics_are_for_the_owner_and_staff_only(client, watched, channel):
    pages = [
        reverse("video_stats", args=[watched.public_id]),
        reverse("channel_stats", args=[channel.username]),
    ]
    for url in pages:
        assert client.get(url).status_code == 404  # a visitor
    client.force_login(make_user("stranger"))
    for url in pages:
        assert client.get(url).status_code == 404
    client.force_login(make_user("moderator", is_staff=True))
    for url in pages:
        assert client.get(url).status_code == 200
    client.force_login(channel)
    for url in pages:
        assert client.get(url).status_code == 200


def test_a_private_videos_statistics_are_its_owners(client, channel):
    video = make_video(channel, visibility="private")
    url = reverse("video_stats", args=[video.public_id])
    client.force_login(make_user("stranger"))
    assert client.get(url).status_code == 404
    client.force_login(channel)
    assert client.get(url).status_code == 200


def test_the_owner_finds_statistics_on_the_watch_page_and_in_the_account_menu(client, watched):
    url = reverse("video_stats", args=[watched.public_id])
    client.force_login(make_user("viewer"))
    assert url not in client.get(watched.get_absolute_url()).text
    client.force_login(watched.owner)
    page = client.get(watched.get_absolute_url()).text
    assert f'href="{url}"' in page
    assert f'href="{reverse("channel_stats", args=[watched.owner.username])}"' in page


def test_progress_reports_add_what_was_played_to_the_days_watch_time(channel):
    video = make_video(channel, duration=60.0)
    viewer = make_user("viewer")

    def report(position, seconds_since_last=5.0):
        WatchProgress.objects.filter(user=viewer, video=video).update(
            updated_at=timezone.now() - timedelta(seconds=seconds_since_last)
        )
        actions.do_save_progress(viewer, video, position, 60.0)

    def watched():
        return sum(WatchTime.objects.filter(video=video).values_list("seconds", flat=True))

    report(10)  # the first report: where they start
    assert watched() == 0
    report(15)
    assert watched() == pytest.approx(5)
    report(45)  # a seek forward: not watched
    report(50, seconds_since_last=1)  # more than twice as fast as time passed
    assert watched() == pytest.approx(5)
    report(20)  # back: nothing
    report(24)
    assert watched() == pytest.approx(9)
    actions.do_save_progress(channel, video, 0, 60.0)
    WatchProgress.objects.filter(user=channel).update(updated_at=timezone.now() - timedelta(5))
    actions.do_save_progress(channel, video, 5, 60.0)  # the owner's own watching
    assert watched() == pytest.approx(9)
    today = timezone.localdate(timezone=timezone.get_default_timezone())
    assert WatchTime.objects.get(video=video).day == today


def test_average_percentage_watched_is_watch_time_over_signed_in_views(client, channel):
    video = make_video(channel, duration=60.0)
    viewers = [make_user("one"), make_user("two")]
    for viewer in viewers:
        view_on(video, days_ago(0), user=viewer)
    view_on(video, days_ago(0))  # a visitor: no watch time can come from them
    WatchTime.objects.create(video=video, day=days_ago(0).date(), seconds=90)
    client.force_login(channel)
    page = client.get(reverse("video_stats", args=[video.public_id]))
    # 90 seconds of the 2 × 60 the signed-in viewers' views would be in full.
    assert totals_of(page.text)[:3] == ["3", "1.5", "75%"]
    charts = charts_of(page.text)
    assert charts["watch-time"][1][-1][2] == "1.5"


def test_the_pages_run_a_fixed_number_of_queries(client, channel, django_assert_max_num_queries):
    video = make_video(channel, duration=30.0)
    client.force_login(channel)
    urls = [
        reverse("video_stats", args=[video.public_id]),
        reverse("video_stats", args=[video.public_id]) + "?period=all",
        reverse("channel_stats", args=[channel.username]),
        reverse("channel_stats", args=[channel.username]) + "?period=all",
    ]

    def counts():
        found = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            found.append(len(queries))
        return found

    before = counts()
    for n in range(12):
        fan = make_user(f"fan{n}")
        other = make_video(channel, title=f"Video {n}")
        for target in (video, other):
            view_on(target, days_ago(n), user=fan)
            view_on(target, days_ago(n + 30))
            actions.do_react(target, fan, 1)
            Comment.objects.create(video=target, author=fan, body="Hi")
        actions.do_subscribe(fan, channel)
        WatchTime.objects.create(video=video, day=days_ago(n).date(), seconds=n)
    assert counts() == before
    for url in urls:
        with django_assert_max_num_queries(14):
            client.get(url)
