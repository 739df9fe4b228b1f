import pytest
from django.urls import reverse

from video_share.models import Notification

from .factories import make_user, make_video

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice():
    return make_user("alice")


def notify(user, video, read=False):
    from django.utils import timezone

    return Notification.objects.create(
        recipient=user,
        kind=Notification.Kind.VIDEO_READY,
        video=video,
        read_at=timezone.now() if read else None,
    )


def test_the_bell_shows_the_unread_count_on_every_page(client, alice):
    video = make_video(alice, title="Mine")
    notify(alice, video)
    notify(alice, video)
    notify(alice, video, read=True)
    client.force_login(alice)
    html = client.get(reverse("home")).content.decode()
    assert 'aria-label="Notifications" aria-describedby="bell-count"' in html
    assert "2 unread" in html


def test_the_page_lists_filters_and_marks_read(client, alice):
    video = make_video(alice, title="Sunset clip")
    first = notify(alice, video)
    notify(alice, video, read=True)
    client.force_login(alice)
    page = client.get(reverse("notifications")).content.decode()
    assert page.count('<li class="notification') == 2
    unread = client.get(reverse("notifications"), {"show": "unread"}).content.decode()
    assert unread.count('<li class="notification') == 1
    response = client.get(reverse("open_notification", args=[first.pk]))
    assert response["Location"] == video.get_absolute_url()
    first.refresh_from_db()
    assert first.read_at is not None


def test_mark_all_as_read(client, alice):
    video = make_video(alice)
    notify(alice, video)
    client.force_login(alice)
    client.post(reverse("mark_all_read"))
    assert not Notification.objects.filter(read_at=None).exists()


def test_nobody_opens_someone_elses_notification(client, alice):
    theirs = notify(alice, make_video(alice))
    client.force_login(make_user("mallory"))
    assert client.get(reverse("open_notification", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
