from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse

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
