import pytest
from django.urls import reverse

from video_share.chapters import Chapter, chapters_in

from .factories import make_user, make_video

pytestmark = pytest.mark.django_db

DESCRIPTION = """A lecture in three parts.

0:00 Intro
1:05 - Light & <dark> reactions
12:30 | Questions
"""


# Reading them from a description


def test_timestamps_at_the_start_of_lines_are_chapters():
    assert chapters_in(DESCRIPTION, 900) == [
        Chapter(0, 65, "Intro"),
        Chapter(65, 750, "Light & <dark> reactions"),
        Chapter(750, 900, "Questions"),
    ]


def test_hours_are_read_too():
    found = chapters_in("0:00 A\n59:00 B\n1:02:03 C", 4000)
    assert [c.start for c in found] == [0, 3540, 3723]


def test_a_timestamp_alone_is_its_own_title():
    assert chapters_in("0:00\n0:10 B\n0:20 C")[0].title == "0:00"


@pytest.mark.parametrize(
    "description",
    [
        "0:00 A\n1:00 B",  # fewer than three
        "0:05 A\n1:00 B\n2:00 C",  # not from the start
        "0:00 A\n2:00 B\n1:00 C",  # not in order
        "0:00 A\n1:00 B\n1:00 C",  # two at once
        "Intro at 0:00, then 1:00 and 2:00",  # not at the start of lines
        "",
    ],
)
def test_timestamps_that_break_the_rules_make_no_chapters(description):
    assert chapters_in(description, 600) == []


def test_chapters_past_the_end_of_the_video_are_left_out():
    assert [c.start for c in chapters_in("0:00 A\n0:30 B\n0:50 C\n5:00 D", 60)] == [0, 30, 50]
    assert chapters_in("0:00 A\n0:30 B\n5:00 C", 60) == []


# The chapters track


def test_the_chapters_track_is_webvtt_with_escaped_titles(client):
    video = make_video(make_user("owner"), description=DESCRIPTION, duration=900)
    response = client.get(reverse("video_chapters", args=[video.public_id]))
    assert response["Content-Type"] == "text/vtt; charset=utf-8"
    assert response.content.decode() == (
        "WEBVTT\n\n"
        "00:00:00.000 --> 00:01:05.000\nIntro\n\n"
        "00:01:05.000 --> 00:12:30.000\nLight &amp; &lt;dark&gt; reactions\n\n"
        "00:12:30.000 --> 00:15:00.000\nQuestions\n"
    )


def test_a_video_without_chapters_has_no_chapters_track(client):
    video = make_video(make_user("owner"), description="0:00 only one")
    assert client.get(reverse("video_chapters", args=[video.public_id])).status_code == 404
    assert '<track kind="chapters"' not in client.get(video.get_absolute_url()).content.decode()


@pytest.mark.parametrize("viewer", ["owner", "other", "anonymous"])
def test_a_private_videos_chapters_are_for_its_owner_alone(client, viewer):
    owner = make_user("owner")
    video = make_video(owner, visibility="private", description=DESCRIPTION, duration=900)
    if viewer != "anonymous":
        client.force_login(owner if viewer == "owner" else make_user("other"))
    response = client.get(reverse("video_chapters", args=[video.public_id]))
    assert response.status_code == (200 if viewer == "owner" else 404)


# The watch page


def test_the_watch_page_lists_the_chapters_as_links_that_start_there(client):
    video = make_video(make_user("owner"), description=DESCRIPTION, duration=900)
    html = client.get(video.get_absolute_url()).content.decode()
    track = reverse("video_chapters", args=[video.public_id])
    assert f'<track kind="chapters" src="{track}" default data-chapters>' in html
    assert '<a class="chapters__link" href="?t=65" data-seek="65"' in html
    assert (
        '<span class="chapters__name" dir="auto">Light &amp; &lt;dark&gt; reactions</span>' in html
    )
    assert '<span class="chapters__time" dir="ltr">12:30</span>' in html
    # The seek bar that marks them is there, for the script to show, without scrub previews.
    assert "data-scrubber-range" in html
    assert "data-scrubber-frame" not in html
    # The description still links its timestamps as before.
    assert 'href="?t=750" data-seek="750" dir="ltr">12:30</a>' in html


def test_the_embedded_player_has_the_chapters_track_but_no_list(client):
    video = make_video(make_user("owner"), description=DESCRIPTION, duration=900)
    html = client.get(reverse("embed", args=[video.public_id])).content.decode()
    assert '<track kind="chapters"' in html
    assert "chapters__link" not in html
