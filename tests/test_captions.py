from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from video_share import actions, captions, media_access, search
from video_share.models import Caption

from .factories import make_user, make_video
from .test_serving import body

pytestmark = pytest.mark.django_db

ENGLISH = b"""WEBVTT

00:00.000 --> 00:01.000
Welcome to the <i>photosynthesis</i> lecture

00:01.000 --> 00:02.000
Chlorophyll &amp; light
"""
ARABIC_SRT = """1
00:00:00,000 --> 00:00:01,500
مرحبًا بكم في المحاضرة

2
00:00:01,500 --> 00:00:02,000
البناء الضوئي
""".encode()


@pytest.fixture
def owner():
    return make_user("owner")


@pytest.fixture
def video(owner):
    return make_video(owner, title="Biology, week 3")


def stored_files() -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def upload(client, video, data: bytes, *, name="lecture.vtt", language="en", label="", **extra):
    return client.post(
        reverse("video_captions", args=[video.public_id]),
        {"file": SimpleUploadedFile(name, data), "language": language, "label": label},
        **extra,
    )


def add_caption(video, data=ENGLISH, language="en", label="") -> Caption:
    return actions.do_add_caption(video, captions.read(data), language=language, label=label)


def found(query):
    return [v.title for v in search.search_videos(query, user=AnonymousUser())]


# Reading files


def test_an_srt_file_is_converted_to_webvtt():
    read = captions.read(ARABIC_SRT)
    assert read.vtt.startswith("WEBVTT")
    assert "00:00:00.000 --> 00:00:01.500" in read.vtt
    assert "," not in read.vtt.split("\n")[2]  # SRT's decimal comma is gone
    assert read.text == "مرحبًا بكم في المحاضرة\nالبناء الضوئي"


def test_the_words_of_a_webvtt_file_are_read_without_their_markup():
    assert captions.read(ENGLISH).text == (
        "Welcome to the photosynthesis lecture\nChlorophyll & light"
    )


def test_a_byte_order_mark_and_windows_line_ends_are_read():
    data = b"\xef\xbb\xbf" + ENGLISH.replace(b"\n", b"\r\n")
    assert captions.read(data).text.startswith("Welcome")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "This file is empty."),
        (b" \n\n", "This file is empty."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "This is not a subtitle file."),
        (b"Dear students, see you on Monday.", "not a subtitle file we can read"),
        ("Caf\xe9\n".encode("latin-1"), "not in UTF-8"),
        (b"WEBVTT\n\n00:00.000 --> 00:01.000\n\n", "no captions in it"),
    ],
)
def test_what_is_not_a_caption_file_is_refused_saying_why(data, message):
    with pytest.raises(captions.NotCaptions, match=message):
        captions.read(data)


# The captions page


def test_the_owner_uploads_captions_stored_under_a_name_of_our_own(client, owner, video):
    client.force_login(owner)
    response = upload(client, video, ENGLISH, name="../../My Lecture (final).vtt")
    assert response.status_code == 302
    caption = Caption.objects.get()
    assert (caption.language, caption.name) == ("en", "English")
    assert caption.file.name.startswith(f"{video.media_dir}/captions-")
    assert caption.file.name.endswith(".vtt")
    assert stored_files() == [caption.file.name]
    assert default_storage.open(caption.file.name).read().startswith(b"WEBVTT")
    page = client.get(response["Location"]).content.decode()
    assert "“English” captions added." in page


def test_an_uploaded_srt_file_is_stored_as_webvtt(client, owner, video):
    client.force_login(owner)
    upload(client, video, ARABIC_SRT, name="arabic.srt", language="ar", label="العربية")
    caption = Caption.objects.get()
    stored = default_storage.open(caption.file.name).read().decode()
    assert stored.startswith("WEBVTT")
    assert "00:00:01.500 --> 00:00:02.000" in stored
    assert caption.label == "العربية"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"Dear students, see you on Monday.", "This is not a subtitle file we can read."),
        (bytes(range(256)) * 8, "This is not a subtitle file."),
        (b"", "The submitted file is empty."),
        (b"WEBVTT\n\n" + b"00:00.000 --> 00:01.000\nla la la\n\n" * 60_000, "larger than 2.0"),
    ],
    ids=["not-subtitles", "binary", "empty", "too-big"],
)
def test_a_bad_file_is_refused_with_a_clear_message_and_nothing_left_behind(
    client, owner, video, data, message
):
    client.force_login(owner)
    response = upload(client, video, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Caption.objects.exists()
    assert stored_files() == []


def test_a_language_outside_the_list_is_refused(client, owner, video):
    client.force_login(owner)
    response = upload(client, video, ENGLISH, language="klingon")
    assert "Select a valid choice" in response.content.decode()
    assert not Caption.objects.exists()


def test_a_video_has_a_limited_number_of_caption_files(client, owner, video, monkeypatch):
    from video_share.forms import CaptionUploadForm

    monkeypatch.setattr(CaptionUploadForm, "MAX_PER_VIDEO", 2)
    client.force_login(owner)
    for _ in range(3):
        response = upload(client, video, ENGLISH)
    assert "at most 2 caption files" in response.content.decode()
    assert Caption.objects.count() == 2


def test_the_page_lists_the_captions_with_their_forms(client, owner, video):
    add_caption(video, ARABIC_SRT, language="ar", label="عربي")
    client.force_login(owner)
    html = client.get(reverse("video_captions", args=[video.public_id])).content.decode()
    assert '<strong dir="auto">عربي</strong>' in html
    assert "Delete عربي" in html
    assert 'enctype="multipart/form-data"' in html


def test_the_owner_edits_the_language_and_label(client, owner, video):
    caption = add_caption(video)
    client.force_login(owner)
    url = reverse("caption_edit", args=[caption.pk])
    response = client.post(url, {f"{caption.pk}-language": "en-gb", f"{caption.pk}-label": "UK"})
    assert response.status_code == 302
    caption.refresh_from_db()
    assert (caption.language, caption.label) == ("en-gb", "UK")


def test_an_htmx_edit_answers_with_the_list_alone(client, owner, video):
    caption = add_caption(video)
    client.force_login(owner)
    response = client.post(
        reverse("caption_edit", args=[caption.pk]),
        {f"{caption.pk}-language": "fr", f"{caption.pk}-label": ""},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="caption-list"')
    assert "French" in html


def test_an_invalid_edit_shows_its_error_and_changes_nothing(client, owner, video):
    caption = add_caption(video)
    client.force_login(owner)
    response = client.post(
        reverse("caption_edit", args=[caption.pk]),
        {f"{caption.pk}-language": "xx", f"{caption.pk}-label": "L" * 61},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    caption.refresh_from_db()
    assert (caption.language, caption.label) == ("en", "")


def test_deleting_a_caption_removes_its_file(
    client, owner, video, django_capture_on_commit_callbacks
):
    caption = add_caption(video)
    kept = add_caption(video, ARABIC_SRT, language="ar")
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("caption_delete", args=[caption.pk]), headers={"HX-Request": "true"}
        )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="caption-list"')
    assert f'id="caption-{kept.pk}"' in html
    assert "“English” captions deleted." in html
    assert list(Caption.objects.all()) == [kept]
    assert stored_files() == [kept.file.name]


def test_deleting_the_video_removes_its_captions(
    client, owner, video, django_capture_on_commit_callbacks
):
    add_caption(video)
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("video_delete", args=[video.public_id]))
    assert not Caption.objects.exists()
    assert stored_files() == []


def test_the_watch_page_and_edit_page_link_the_owner_to_the_captions_page(client, owner, video):
    client.force_login(owner)
    url = reverse("video_captions", args=[video.public_id])
    assert f'href="{url}"' in client.get(video.get_absolute_url()).content.decode()
    edit = client.get(reverse("video_edit", args=[video.public_id])).content.decode()
    assert f'href="{url}"' in edit


# Who may see and change them


@pytest.mark.parametrize("viewer", ["other", "anonymous"])
def test_others_cannot_open_the_captions_page_or_change_captions(client, owner, video, viewer):
    caption = add_caption(video)
    if viewer == "other":
        client.force_login(make_user("other"))
    expected = 404 if viewer == "other" else 302  # the log-in page
    assert client.get(reverse("video_captions", args=[video.public_id])).status_code == expected
    assert upload(client, video, ENGLISH).status_code == expected
    edit = {f"{caption.pk}-language": "fr", f"{caption.pk}-label": "x"}
    assert client.post(reverse("caption_edit", args=[caption.pk]), edit).status_code == expected
    assert client.post(reverse("caption_delete", args=[caption.pk])).status_code == expected
    caption.refresh_from_db()
    assert (caption.language, Caption.objects.count()) == ("en", 1)


@pytest.mark.parametrize("visibility", ["public", "unlisted", "private"])
@pytest.mark.parametrize("viewer", ["owner", "other", "anonymous"])
def test_a_caption_file_is_served_to_those_who_may_see_the_video(client, owner, visibility, viewer):
    video = make_video(owner, visibility=visibility)
    caption = add_caption(video)
    if viewer != "anonymous":
        client.force_login(owner if viewer == "owner" else make_user("other"))
    name = caption.file.name.rsplit("/", 1)[-1]
    response = client.get(reverse("video_media", args=[video.public_id, name]))
    if viewer == "owner" or visibility != "private":
        assert response.status_code == 200
        assert response["Content-Type"] == "text/vtt"
        assert body(response).startswith(b"WEBVTT")
    else:
        assert response.status_code == 404


def test_a_deleted_caption_file_is_refused_at_once(client, owner, video):
    caption = add_caption(video)
    name = caption.file.name.rsplit("/", 1)[-1]
    url = reverse("video_media", args=[video.public_id, name])
    assert client.get(url).status_code == 200
    actions.do_delete_caption(caption)
    # As once committed, but for the file's removal: refused because the caption is gone.
    media_access.forget(video.public_id)
    assert default_storage.exists(caption.file.name)
    assert client.get(url).status_code == 404


def test_caption_files_never_leave_the_site_for_object_storage(owner, video):
    caption = add_caption(video)
    access = media_access.load(video.public_id)
    assert access.allows(AnonymousUser(), caption.file.name)
    # A <track> would not follow a redirect to another origin.
    assert not access.may_leave_site(caption.file.name)


# The player


def test_the_player_offers_each_language_the_viewers_first(client, owner, video):
    english = add_caption(video)
    arabic = add_caption(video, ARABIC_SRT, language="ar")
    for language, default, other in (("en", english, arabic), ("ar", arabic, english)):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        html = client.get(video.get_absolute_url()).content.decode()
        src = lambda c: reverse("video_media", args=[video.public_id, c.file.name.split("/")[-1]])  # noqa: E731
        assert f'<track kind="subtitles" src="{src(default)}" srclang="{default.language}"' in html
        track = html.split(f'src="{src(default)}"')[1].split(">")[0]
        assert " default" in track
        assert " default" not in html.split(f'src="{src(other)}"')[1].split(">")[0]
        assert "data-captions-toggle" in html
        assert 'id="captions-language"' in html  # two languages: a choice between them


def test_without_a_track_in_the_viewers_language_none_is_on_at_first(client, owner, video):
    add_caption(video, language="fr")
    html = client.get(video.get_absolute_url()).content.decode()
    assert '<track kind="subtitles"' in html
    assert " default>" not in html.split('<track kind="subtitles"')[1].split("\n")[0]
    assert 'id="captions-language"' not in html  # one language: the button alone


def test_a_video_without_captions_has_no_subtitles_button(client, video):
    html = client.get(video.get_absolute_url()).content.decode()
    assert '<track kind="subtitles"' not in html
    assert "data-captions-toggle" not in html


def test_a_regional_track_is_chosen_for_the_main_language():
    video = make_video(make_user("someone"))
    add_caption(video, language="ar-dz")
    add_caption(video, language="fr")
    chosen = [c.language for c in video.captions.for_player("ar") if c.default]
    assert chosen == ["ar-dz"]


# Search


def test_search_finds_a_video_by_a_word_said_only_in_its_captions(video):
    search.index_videos(type(video).objects.filter(pk=video.pk))
    assert found("chlorophyll") == []
    caption = add_caption(video)
    assert found("chlorophyll") == ["Biology, week 3"]
    add_caption(video, ARABIC_SRT, language="ar")
    assert found("الضوئى") == ["Biology, week 3"]  # folded as titles are (ي / ى)
    actions.do_delete_caption(caption)
    assert found("chlorophyll") == []


def test_editing_the_video_keeps_its_captions_searchable(client, owner, video):
    add_caption(video)
    client.force_login(owner)
    client.post(
        reverse("video_edit", args=[video.public_id]),
        {"title": "Renamed", "description": "", "tags_text": "", "visibility": "public"},
    )
    assert found("photosynthesis") == ["Renamed"]
