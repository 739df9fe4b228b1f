import re

from playwright.sync_api import expect

from .conftest import SCREENSHOTS, assert_accessible
from .helpers import log_in, upload_clip


def count_views(server, public_id: str, count: int) -> None:
    """Views counted as the player's POST to the view URL counts them, from `count`
    addresses, and one like."""
    server.shell(
        "from video_share import actions; from video_share.models import User, Video; "
        f"v = Video.objects.get(public_id={public_id!r}); "
        f"[actions.do_count_view(v, address=f'192.0.2.{{n}}') for n in range({count})]; "
        "fan = User.objects.create_user('fan_' + v.public_id.lower().replace('-', '_'), "
        "password='not used 123'); "
        "actions.do_react(v, fan, 1)"
    )


def test_the_owner_reads_a_viewed_videos_statistics_as_a_chart_and_a_table(
    browser, server, tmp_path, new_context
):
    watch_url, owner = upload_clip(browser, server, tmp_path, "Counted for statistics")
    public_id = watch_url.rsplit("/", 1)[-1]
    count_views(server, public_id, 3)

    page = new_context().new_page()
    log_in(page, owner)
    page.goto(watch_url)
    page.get_by_role("navigation", name="Video tools").get_by_role(
        "link", name="Statistics"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Video statistics")
    totals = page.locator(".stats__total")
    expect(totals.filter(has_text="Views").locator("strong")).to_have_text("3")
    expect(totals.filter(has_text="Likes").locator("strong")).to_have_text("1")
    expect(totals.filter(has_text="Comments").locator("strong")).to_have_text("0")

    views = page.locator("figure.chart").filter(
        has=page.get_by_role("heading", name="Views per day")
    )
    expect(views.get_by_role("img", name=re.compile("Views per day"))).to_be_visible()
    today_bar = views.locator("rect.chart__bar").last
    assert today_bar.evaluate("bar => bar.getBBox().height") > 0
    views.get_by_text("Show the numbers").click()
    rows = views.get_by_role("row")
    expect(rows).to_have_count(1 + 28 + 1)  # heading, days, total
    expect(rows.nth(28).get_by_role("cell")).to_have_text("3")  # today
    expect(rows.last).to_have_text(re.compile(r"Total\s*3"))
    assert_accessible(page)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "stats-en.png", full_page=True)

    # The period switch is a plain link.
    page.get_by_role("link", name="All time").click()
    expect(page.get_by_role("link", name="All time")).to_have_attribute("aria-current", "true")
    expect(totals.filter(has_text="Views").locator("strong")).to_have_text("3")

    # The channel's, from the account menu.
    page.get_by_label("Account menu").click()
    page.locator(".menu__panel").get_by_role("link", name="Statistics", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Channel statistics")
    expect(page.get_by_role("link", name="Counted for statistics")).to_be_visible()


def test_in_arabic_the_time_axis_runs_right_to_left_on_a_phone(
    browser, server, tmp_path, new_context
):
    watch_url, owner = upload_clip(browser, server, tmp_path, "Counted in Arabic")
    public_id = watch_url.rsplit("/", 1)[-1]
    count_views(server, public_id, 2)

    context = new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    log_in(page, owner)
    context.set_extra_http_headers({"Accept-Language": "ar"})
    page.goto(f"/v/{public_id}/stats")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    chart = page.locator("figure.chart").first
    bars = chart.locator("rect.chart__bar")
    expect(bars).to_have_count(28)
    first, today = bars.first.bounding_box(), bars.last.bounding_box()
    assert today["x"] < first["x"]  # the latest day on the left
    # The dates under the bars do not overlap, and stay on the screen.
    dates = [date.bounding_box() for date in chart.locator(".chart__date").all()]
    dates.sort(key=lambda box: box["x"])
    for left, right in zip(dates, dates[1:], strict=False):
        assert left["x"] + left["width"] < right["x"]
    assert dates[0]["x"] >= 0
    assert dates[-1]["x"] + dates[-1]["width"] <= 390
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "stats-ar-phone.png", full_page=True)
