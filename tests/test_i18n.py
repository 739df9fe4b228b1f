import re
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import polib
import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from video_share.templatetags.video_share import ago, views

from .factories import make_user, make_video

pytestmark = pytest.mark.django_db

LOCALE = Path(settings.BASE_DIR) / "video_share" / "locale" / "ar" / "LC_MESSAGES"


def test_the_arabic_catalog_translates_every_message():
    catalog = polib.pofile(str(LOCALE / "django.po"))
    missing = [entry.msgid for entry in catalog if not entry.obsolete and not entry.translated()]
    assert missing == []


def test_the_compiled_arabic_catalog_matches_its_source():
    source = {
        (e.msgctxt, e.msgid): (e.msgstr or e.msgstr_plural.get(0))
        for e in polib.pofile(str(LOCALE / "django.po"))
        if not e.obsolete
    }
    compiled = {
        (e.msgctxt, e.msgid): (e.msgstr or e.msgstr_plural.get(0))
        for e in polib.mofile(str(LOCALE / "django.mo"))
    }
    assert compiled == source


def test_arabic_pages_are_right_to_left(client):
    client.post(reverse("set_language"), {"language": "ar", "next": "/"})
    html = client.get(reverse("home")).content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert "مشاركة الفيديو" in html


def test_english_is_the_default_and_left_to_right(client):
    html = client.get(reverse("home")).content.decode()
    assert '<html lang="en" dir="ltr">' in html


def test_the_language_switcher_offers_the_other_language(client):
    html = client.get(reverse("home")).content.decode()
    assert 'name="language" value="ar"' in html
    assert 'name="language" value="en"' not in html


# Arabic has six plural forms (CLDR): zero, one, two, few (3–10), many (11–99) and other
# (100–102, …). One and two carry their number in the word itself ("تعليقان" is "two
# comments"), so a digit before them reads as a mistake; from three on the digit comes first.
ARABIC_PLURAL_FORMS = (
    "nplurals=6; plural=n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : "
    "n%100>=11 && n%100<=99 ? 4 : 5;"
)
COUNT_PLACEHOLDER = re.compile(r"%\((count|counter|number|minutes|num|days|size)\)[sd]")
# Plural messages whose every form keeps its digit on purpose.
KEEPS_ITS_DIGIT = {
    # A button's name must contain its visible text (WCAG 2.5.3), and the button shows the number.
    "Like (%(counter)s like)",
}


def arabic_plurals():
    return [e for e in polib.pofile(str(LOCALE / "django.po")) if e.msgid_plural and not e.obsolete]


def test_the_arabic_catalog_uses_the_cldr_plural_rule():
    catalog = polib.pofile(str(LOCALE / "django.po"))
    assert catalog.metadata["Plural-Forms"] == ARABIC_PLURAL_FORMS


def test_arabic_zero_one_and_two_carry_no_digit():
    with_digit = [
        (entry.msgid, form)
        for entry in arabic_plurals()
        if entry.msgid not in KEEPS_ITS_DIGIT
        for form in (0, 1, 2)
        if COUNT_PLACEHOLDER.search(entry.msgstr_plural[form])
    ]
    assert with_digit == []


def test_arabic_three_and_more_show_the_number():
    without = [
        (entry.msgid, form)
        for entry in arabic_plurals()
        for form in (3, 4, 5)
        if not COUNT_PLACEHOLDER.search(entry.msgstr_plural[form])
    ]
    assert without == []


def test_the_messages_kept_with_their_digit_are_plural_messages_that_keep_it():
    kept = {
        entry.msgid
        for entry in arabic_plurals()
        if all(COUNT_PLACEHOLDER.search(entry.msgstr_plural[form]) for form in range(6))
    }
    assert kept >= KEEPS_ITS_DIGIT


def test_every_arabic_plural_form_formats_with_named_placeholders_only():
    # A form that leaves out a named placeholder still formats; a positional one would not.
    for entry in arabic_plurals():
        names = dict.fromkeys(re.findall(r"%\((\w+)\)", entry.msgid + entry.msgid_plural), 7)
        for form, text in entry.msgstr_plural.items():
            assert not re.search(r"%(?!\(\w+\)[sd]|%)", text), (entry.msgid, form)
            assert set(re.findall(r"%\((\w+)\)", text)) <= set(names), (entry.msgid, form)
            text % names


def render_ar(template_name: str, **context) -> str:
    with translation.override("ar"):
        return render_to_string(template_name, context).strip()


@pytest.mark.parametrize(
    ("count", "text"),
    [(0, "لا تعليقات"), (1, "تعليق واحد"), (2, "تعليقان"), (3, "3 تعليقات"), (11, "11 تعليقًا"),
     (100, "100 تعليق"), (103, "103 تعليقات"), (1234, "1,2 ألف تعليق")],
)  # fmt: skip
def test_the_comment_count_reads_naturally_in_arabic(count, text):
    html = render_ar("video_share/comments.html#comment-count", comment_count=count)
    assert html == f'<span id="comment-count">{text}</span>'


def test_a_compacted_comment_count_agrees_with_the_number_shown():
    with translation.override("en"):
        html = render_to_string("video_share/comments.html#comment-count", {"comment_count": 1234})
    assert html == '<span id="comment-count">1.2K comments</span>'


@pytest.mark.parametrize(
    ("count", "text"),
    [(0, "لا ردود"), (1, "رد واحد"), (2, "ردّان"), (3, "3 ردود"), (11, "11 ردًّا"),
     (100, "100 رد")],
)  # fmt: skip
def test_the_reply_count_reads_naturally_in_arabic(count, text):
    comment = SimpleNamespace(pk=5, reply_count=count)
    html = render_ar("video_share/comments.html#reply-count", comment=comment)
    assert html == f'<summary id="reply-count-5">{text}</summary>'


@pytest.mark.parametrize(
    ("count", "text"),
    [(0, "لا مشاهدات"), (1, "مشاهدة واحدة"), (2, "مشاهدتان"), (3, "3 مشاهدات"),
     (11, "11 مشاهدة"), (100, "100 مشاهدة"), (1234, "1,2 ألف مشاهدة")],
)  # fmt: skip
def test_the_view_count_reads_naturally_in_arabic(count, text):
    with translation.override("ar"):
        assert views(count) == text


@pytest.mark.parametrize(
    ("count", "text"),
    [(0, "لا مشتركين"), (1, "مشترك واحد"), (2, "مشتركان"), (3, "3 مشتركين"),
     (11, "11 مشتركًا"), (100, "100 مشترك"), (15_300, "15 ألف مشترك")],
)  # fmt: skip
def test_the_subscriber_count_reads_naturally_in_arabic(count, text):
    owner = SimpleNamespace(subscriber_count=count)
    html = render_ar("video_share/channel.html#subscriber-count", owner=owner)
    assert html == f'<span id="subscriber-count">{text}</span>'


@pytest.mark.parametrize(
    ("count", "text"),
    [(1, "إشعار واحد غير مقروء"), (2, "إشعاران غير مقروءين"), (3, "3 إشعارات غير مقروءة"),
     (11, "11 إشعارًا غير مقروء"), (100, "100 إشعار غير مقروء")],
)  # fmt: skip
def test_the_unread_count_reads_naturally_in_arabic(count, text):
    html = render_ar("base.html#bell-count", unread=count)
    assert f'<span class="visually-hidden">{text}</span>' in html


@pytest.mark.parametrize(
    ("count", "text"),
    [(1, "إعجاب (الإعجابات: 1)"), (2, "إعجاب (الإعجابات: 2)"), (11, "إعجاب (الإعجابات: 11)")],
)
def test_a_comment_like_button_names_its_visible_number_in_arabic(count, text):
    with translation.override("ar"):
        label = ngettext("Like (%(counter)s like)", "Like (%(counter)s likes)", count)
    assert label % {"counter": count} == text


@pytest.mark.parametrize(
    ("count", "others"),
    [(1, "وشخص آخر"), (2, "وشخصان آخران"), (3, "و3 أشخاص آخرين"), (11, "و11 شخصًا آخر"),
     (100, "و100 شخص آخر")],
)  # fmt: skip
def test_a_like_notification_counts_the_others_naturally_in_arabic(count, others):
    notification = SimpleNamespace(
        kind="comment_like",
        others=count,
        actor=SimpleNamespace(name="سارة"),
        video=SimpleNamespace(title="درس"),
    )
    html = render_ar("includes/notification_text.html", notification=notification)
    assert html == f"أُعجب <bdi>سارة</bdi> {others} بتعليقك على «<bdi>درس</bdi>»"


@pytest.mark.parametrize(
    ("count", "text"),
    [(1, "إشعار جديد"), (2, "إشعاران جديدان"), (3, "3 إشعارات جديدة"), (11, "11 إشعارًا جديدًا"),
     (100, "100 إشعار جديد")],
)  # fmt: skip
def test_the_digest_subject_counts_naturally_in_arabic(count, text):
    subject = render_ar("email/digest_subject.txt", notifications=[None] * count)
    assert subject == f"{text} على مشاركة الفيديو"


NBSP = "\xa0"


@pytest.mark.parametrize(
    ("age", "text"),
    [(timedelta(minutes=1), "منذ دقيقة"), (timedelta(minutes=2), "منذ دقيقتين"),
     (timedelta(minutes=5), f"منذ 5{NBSP}دقائق"), (timedelta(minutes=11), f"منذ 11{NBSP}دقيقة"),
     (timedelta(hours=1), "منذ ساعة"), (timedelta(hours=2), "منذ ساعتين"),
     (timedelta(days=3), f"منذ 3{NBSP}أيام"), (timedelta(weeks=2), "منذ أسبوعين"),
     (timedelta(days=65), "منذ شهرين"), (timedelta(days=11 * 366), f"منذ 11{NBSP}عامًا"),
     (timedelta(days=100 * 366), f"منذ 100{NBSP}عام")],
)  # fmt: skip
def test_how_long_ago_reads_naturally_in_arabic(age, text):
    with translation.override("ar"):
        assert ago(timezone.now() - age) == text


def test_how_long_ago_is_unchanged_in_english():
    with translation.override("en"):
        assert ago(timezone.now() - timedelta(minutes=2)) == f"2{NBSP}minutes ago"
        assert ago(timezone.now() - timedelta(hours=1)) == f"1{NBSP}hour ago"


@pytest.mark.parametrize(
    ("count", "text"), [(1, "فيديو واحد"), (2, "فيديوهان"), (3, "3 فيديوهات"), (11, "11 فيديو")]
)
def test_the_channel_counts_its_videos_naturally_in_arabic(client, count, text):
    owner = make_user("layla")
    for number in range(count):
        make_video(owner, title=f"Video {number}")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    html = client.get(reverse("channel", kwargs={"username": "layla"})).content.decode()
    assert f"· {text}\n" in html
