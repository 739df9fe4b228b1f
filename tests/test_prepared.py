import pytest

from video_share.models import Subscription, Video
from video_share.prepared import Prepared

from .factories import make_user, make_video

pytestmark = pytest.mark.django_db


def test_a_prepared_query_answers_as_its_queryset_does_for_any_values():
    alice, bob, carol = make_user("alice"), make_user("bob"), make_user("carol")
    make_video(alice, title="Listed")
    make_video(alice, title="Private", visibility="private")
    make_video(bob, title="Processing", status="processing")
    Subscription.objects.create(subscriber=carol, channel=alice)
    not_listed = Prepared(lambda user_id: Video.objects.not_listed_of(user_id))
    follows = Prepared(
        lambda user_id, channel_id: Subscription.objects.filter(
            subscriber=user_id, channel=channel_id
        ).values_list("pk", "channel_id")
    )
    for person in (alice, bob, carol):
        assert not_listed.count(user_id=person.pk) == Video.objects.not_listed_of(person).count()
        assert not_listed.exists(user_id=person.pk) == Video.objects.not_listed_of(person).exists()
        for channel in (alice, bob):
            row = follows.row(user_id=person.pk, channel_id=channel.pk)
            expected = Subscription.objects.filter(subscriber=person, channel=channel)
            assert row == expected.values_list("pk", "channel_id").first()


def test_a_value_that_does_not_reach_the_sql_is_refused():
    ignoring = Prepared(lambda user_id: Video.objects.all())
    with pytest.raises(ValueError, match="parameter"):
        ignoring.count(user_id=1)


def test_a_prepared_query_takes_ids_only():
    alice = make_user("alice")
    not_listed = Prepared(lambda user_id: Video.objects.not_listed_of(user_id))
    with pytest.raises(TypeError, match="ids"):
        not_listed.exists(user_id=alice)
