import base64
import io
import re
import time
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from django.core import mail, signing
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import AsyncClient, Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from video_share.models import User

from .factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client, django_capture_on_commit_callbacks):
    """The test client, each request of which runs its on-commit work (emails) as the real
    commit at its end would."""
    request = client.request

    def committed(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return request(**kwargs)

    client.request = committed
    return client


def signup_data(**overrides):
    data = {
        "username": "newbie",
        "email": "newbie@example.com",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    return data | overrides


def profile_data(user, **overrides):
    return {"display_name": "", "bio": "", "email": user.email, "password": ""} | overrides


def image_file(size=(640, 480), fmt="PNG", name="me.png"):
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 60)).save(out, fmt)
    out.seek(0)
    out.name = name
    return out


def test_sign_up_creates_the_account_and_logs_in(client):
    response = client.post(reverse("signup"), signup_data())
    user = User.objects.get(username="newbie")
    assert response.status_code == 302
    assert response["Location"] == user.get_absolute_url()
    assert client.get(reverse("home")).context["user"] == user


def test_unicode_handles_are_allowed(client):
    client.post(reverse("signup"), signup_data(username="سارة.أحمد"))
    assert User.objects.filter(username="سارة.أحمد").exists()


@pytest.mark.parametrize("taken", ["ALICE", "Alice", "alice"])
def test_usernames_are_unique_regardless_of_case(client, taken):
    make_user("alice")
    response = client.post(reverse("signup"), signup_data(username=taken))
    assert "This username is already taken." in response.content.decode()
    assert User.objects.count() == 1


def test_a_taken_handle_gets_only_the_taken_message(client):
    make_user("alice.smith")
    response = client.post(reverse("signup"), signup_data(username="Alice.Smith"))
    html = response.content.decode()
    assert "This username is already taken." in html
    assert "at least 3 characters" not in html


def test_non_ascii_usernames_are_unique_regardless_of_case(client):
    make_user("Émile")
    response = client.post(reverse("signup"), signup_data(username="émile"))
    assert "This username is already taken." in response.content.decode()
    assert User.objects.count() == 1


@pytest.mark.parametrize("handle", ["аlice", "modеrator", "ali_علي"])
def test_handles_mixing_alphabets_are_refused(client, handle):
    response = client.post(reverse("signup"), signup_data(username=handle))
    assert "Use letters from one alphabet only" in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.parametrize("handle", ["سارة.أحمد", "たなか太郎", "Émile_2", "Ωμέγα"])
def test_handles_in_one_alphabet_are_allowed(client, handle):
    client.post(reverse("signup"), signup_data(username=handle))
    assert User.objects.filter(username=handle).exists()


@pytest.mark.parametrize(
    ("existing", "look_alike"),
    [("xoxo", "хохо"), ("cope", "соре"), ("соре", "cope"), ("google", "g00gle")],
)
def test_a_handle_that_looks_like_a_taken_one_is_refused(client, existing, look_alike):
    make_user(existing)
    response = client.post(reverse("signup"), signup_data(username=look_alike))
    assert f"looks too much like @{existing}" in response.content.decode()
    assert User.objects.count() == 1


def test_inline_validation_reports_a_look_alike_handle(client):
    make_user("moderator")
    response = client.post(
        reverse("signup"),
        signup_data(username="modеrator"),
        headers={"HX-Request": "true", "HX-Trigger-Name": "username"},
    )
    html = response.content.decode()
    assert 'id="id_username-errors"' in html
    assert "Use letters from one alphabet only" in html


@pytest.mark.parametrize("bad", ["has space", "semi;colon", ".dotfirst", "dotlast.", "ab", "x/y"])
def test_invalid_usernames_are_refused(client, bad):
    response = client.post(reverse("signup"), signup_data(username=bad))
    assert response.status_code == 200
    assert not User.objects.exists()


def test_inline_validation_returns_only_the_field_errors(client):
    make_user("alice")
    response = client.post(
        reverse("signup"),
        signup_data(username="alice"),
        headers={"HX-Request": "true", "HX-Trigger-Name": "username"},
    )
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="id_username-errors"' in html
    assert "This username is already taken." in html
    assert User.objects.count() == 1


def test_inline_validation_reports_a_weak_password_on_the_password_field(client):
    response = client.post(
        reverse("signup"),
        signup_data(password1="12345", password2=""),
        headers={"HX-Request": "true", "HX-Trigger-Name": "password1"},
    )
    html = response.content.decode()
    assert 'id="id_password1-errors"' in html
    assert "too short" in html
    assert "entirely numeric" in html


def test_inline_validation_of_an_empty_field_shows_no_error(client):
    response = client.post(
        reverse("signup"),
        signup_data(email=""),
        headers={"HX-Request": "true", "HX-Trigger-Name": "email"},
    )
    assert "<p>" not in response.content.decode()


def test_sign_up_without_javascript_shows_errors_in_the_page(client):
    response = client.post(reverse("signup"), signup_data(password2="something else"))
    html = response.content.decode()
    assert "<html" in html
    assert "didn’t match" in html
    assert not User.objects.exists()


def test_log_in_is_case_insensitive(client):
    make_user("Alice")
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302


def test_failed_log_in_does_not_reveal_whether_the_account_exists(client):
    make_user("alice")
    wrong_password = client.post(reverse("login"), {"username": "alice", "password": "nope"})
    no_account = client.post(reverse("login"), {"username": "nobody", "password": "nope"})
    message = "That username and password don’t match. Please try again."
    assert message in wrong_password.content.decode()
    assert message in no_account.content.decode()


def log_in(client, username, password, address="203.0.113.5", url=None, **extra):
    return client.post(
        url or reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        **extra,
    )


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


LOCKED_OUT = "Too many failed attempts"


@pytest.mark.parametrize("username", ["alice", "nobody"])
def test_failed_log_ins_are_throttled_per_account(client, settings, username):
    settings.VIDEO_SHARE_LOGIN_FAILURES_PER_ACCOUNT = 3
    make_user("alice")
    for _ in range(3):
        log_in(client, username, "nope")
    # Even the right password is refused while the throttle holds.
    response = log_in(client, username, PASSWORD)
    assert response.status_code == 429
    assert LOCKED_OUT in response.content.decode()
    assert not is_logged_in(client)


def test_the_lockout_is_shown_on_the_login_page_in_the_visitors_language(client, settings):
    settings.VIDEO_SHARE_LOGIN_FAILURES_PER_ACCOUNT = 2
    make_user("alice")
    for _ in range(2):
        log_in(client, "alice", "nope")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    html = log_in(client, "alice", PASSWORD).content.decode()
    assert 'name="username"' in html
    assert 'name="password"' in html
    assert "محاولات فاشلة كثيرة جدًا" in html


def test_the_lockout_page_is_the_same_under_asgi(settings):
    """Under ASGI the middleware chain runs asynchronously, where axes calls the lockout
    response differently."""
    settings.VIDEO_SHARE_LOGIN_FAILURES_PER_ACCOUNT = 2
    make_user("alice")
    client = AsyncClient()

    def attempt(password):
        return async_to_sync(client.post)(
            reverse("login"), {"username": "alice", "password": password}
        )

    attempt("nope")
    attempt("nope")
    response = attempt(PASSWORD)
    assert response.status_code == 429
    assert LOCKED_OUT in response.text
    assert 'name="password"' in response.text


def test_throttle_per_address_covers_many_accounts(client, settings):
    settings.VIDEO_SHARE_LOGIN_FAILURES_PER_IP = 4
    make_user("alice")
    for name in ["a1", "a2", "a3", "a4"]:
        log_in(client, name, "nope")
    response = log_in(client, "alice", PASSWORD)
    assert LOCKED_OUT in response.content.decode()
    assert not is_logged_in(client)


def test_failures_from_another_address_do_not_lock_the_owner_out(client, settings):
    settings.VIDEO_SHARE_LOGIN_FAILURES_PER_ACCOUNT = 3
    make_user("alice")
    for _ in range(5):
        log_in(client, "alice", "nope", address="198.51.100.66")
    response = log_in(client, "alice", PASSWORD, address="203.0.113.5")
    assert response.status_code == 302
    assert is_logged_in(client)


def test_failures_from_many_addresses_lock_the_account_at_a_higher_limit(client, settings):
    settings.VIDEO_SHARE_LOGIN_FAILURES_PER_ACCOUNT = 3
    settings.VIDEO_SHARE_LOGIN_FAILURES_PER_ACCOUNT_ANY_IP = 6
    make_user("alice")
    for address in ["198.51.100.1", "198.51.100.2", "198.51.100.3"]:
        for _ in range(2):
            log_in(client, "alice", "nope", address=address)
    response = log_in(client, "alice", PASSWORD, address="203.0.113.5")
    assert LOCKED_OUT in response.content.decode()
    assert not is_logged_in(client)


def test_a_forwarded_for_header_does_not_change_the_address_counted(client, settings):
    settings.VIDEO_SHARE_LOGIN_FAILURES_PER_ACCOUNT = 3
    make_user("alice")
    for n in range(3):
        log_in(client, "alice", "nope", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    response = log_in(client, "alice", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert LOCKED_OUT in response.content.decode()


@pytest.mark.parametrize("variant", ["alice ", " alice", "ALICE", "Alice "])
def test_the_account_lock_holds_for_every_spelling_of_the_handle(client, settings, variant):
    settings.VIDEO_SHARE_LOGIN_FAILURES_PER_ACCOUNT = 3
    make_user("alice")
    for _ in range(3):
        log_in(client, "alice", "nope")
    response = log_in(client, variant, PASSWORD)
    assert LOCKED_OUT in response.content.decode()
    assert not is_logged_in(client)


def test_the_admin_login_is_throttled_like_the_site_login(client, settings):
    make_user("boss", is_staff=True, is_superuser=True)
    admin_login = reverse("admin:login")
    for _ in range(8):
        log_in(client, "boss", "nope", url=admin_login)
    response = log_in(client, "boss", PASSWORD, url=admin_login)
    assert response.status_code == 429
    assert LOCKED_OUT in response.content.decode()
    assert not is_logged_in(client)


def test_failed_log_ins_are_kept_for_the_staff_to_see(client):
    from axes.models import AccessFailureLog

    make_user("alice")
    log_in(client, "Alice ", "nope")
    failure = AccessFailureLog.objects.get()
    assert failure.username == "alice"
    assert failure.ip_address == "203.0.113.5"


def test_successful_log_in_clears_the_account_counter(client, settings):
    settings.VIDEO_SHARE_LOGIN_FAILURES_PER_ACCOUNT = 3
    make_user("alice")
    for _ in range(2):
        log_in(client, "alice", "nope")
    assert log_in(client, "alice", PASSWORD).status_code == 302
    client.logout()
    for _ in range(2):
        log_in(client, "alice", "nope")
    assert log_in(client, "alice", PASSWORD).status_code == 302


def test_forged_post_without_csrf_token_is_refused():
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("signup"), signup_data())
    assert response.status_code == 403
    assert not User.objects.exists()


def test_password_reset_sends_a_link_by_email(client):
    make_user("alice", email="alice@example.com")
    response = client.post(reverse("password_reset"), {"email": "alice@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/account/reset/" in mail.outbox[0].body


def test_password_reset_for_an_unknown_address_looks_the_same(client):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 0


def test_password_reset_emails_are_limited_per_address(client, settings):
    settings.VIDEO_SHARE_PASSWORD_RESETS_PER_IP_PER_HOUR = 2
    for name in ["a1", "a2", "a3"]:
        make_user(name)
    for name in ["a1", "a2"]:
        client.post(reverse("password_reset"), {"email": f"{name}@example.com"})
    response = client.post(reverse("password_reset"), {"email": "a3@example.com"})
    assert response.status_code == 200
    assert "Too many password reset emails" in response.content.decode()
    assert len(mail.outbox) == 2
    other = client.post(
        reverse("password_reset"), {"email": "a3@example.com"}, REMOTE_ADDR="198.51.100.7"
    )
    assert other.status_code == 302
    assert len(mail.outbox) == 3


def test_password_reset_emails_are_limited_per_address_they_go_to(client, settings):
    settings.VIDEO_SHARE_PASSWORD_RESETS_PER_EMAIL_PER_HOUR = 2
    make_user("alice", email="alice@example.com")
    for n, email in enumerate(["alice@example.com", "ALICE@example.com"]):
        client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=f"198.51.100.{n}")
    response = client.post(
        reverse("password_reset"), {"email": "Alice@Example.com"}, REMOTE_ADDR="198.51.100.9"
    )
    assert "Too many password reset emails" in response.content.decode()
    assert len(mail.outbox) == 2


def test_sign_ups_are_limited_per_address(client, settings):
    settings.VIDEO_SHARE_SIGNUPS_PER_IP_PER_HOUR = 2
    for name in ["first", "second"]:
        Client().post(reverse("signup"), signup_data(username=name, email=f"{name}@example.com"))
    # Checking a field as it is typed counts nothing.
    client.post(
        reverse("signup"),
        signup_data(username="third"),
        headers={"HX-Request": "true", "HX-Trigger-Name": "username"},
    )
    response = client.post(reverse("signup"), signup_data(username="third"))
    assert response.status_code == 200
    assert "Too many accounts were created from your network" in response.content.decode()
    assert User.objects.count() == 2
    elsewhere = Client(REMOTE_ADDR="198.51.100.7")
    assert elsewhere.post(reverse("signup"), signup_data(username="third")).status_code == 302


def test_password_change(client):
    user = make_user("alice")
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "another fine pass",
            "new_password2": "another fine pass",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("another fine pass")


def test_profile_edit_saves_a_square_resized_avatar(client):
    user = make_user("alice")
    client.force_login(user)
    response = client.post(
        reverse("profile_edit"),
        profile_data(user, display_name="Alice A.", bio="Hello", avatar=image_file((1200, 800))),
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.display_name == "Alice A."
    assert user.avatar.name.startswith("avatars/")
    assert "me.png" not in user.avatar.name
    with Image.open(user.avatar.open("rb")) as avatar:
        assert avatar.size == (256, 256)
        assert avatar.format == "WEBP"


def test_replacing_an_avatar_deletes_the_old_file(client):
    user = make_user("alice")
    client.force_login(user)
    client.post(reverse("profile_edit"), profile_data(user, avatar=image_file()))
    user.refresh_from_db()
    old = user.avatar.name
    client.post(reverse("profile_edit"), profile_data(user, avatar=image_file()))
    user.refresh_from_db()
    assert user.avatar.name != old
    assert not user.avatar.storage.exists(old)


@pytest.mark.parametrize(
    "upload",
    [
        io.BytesIO(b"this is not an image at all"),
        io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
    ],
)
def test_a_bad_avatar_is_refused_and_nothing_changes(client, upload):
    user = make_user("alice", display_name="Before")
    client.force_login(user)
    upload.name = "evil.png"
    response = client.post(
        reverse("profile_edit"), profile_data(user, display_name="After", avatar=upload)
    )
    assert response.status_code == 200
    assert 'id="id_avatar-errors"' in response.content.decode()
    user.refresh_from_db()
    assert user.display_name == "Before"
    assert not user.avatar


def test_profile_edit_needs_log_in(client):
    response = client.get(reverse("profile_edit"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_channel_page_shows_the_profile(client):
    make_user("alice", display_name="Alice <b>A</b>", bio="I film birds")
    html = client.get("/@alice").content.decode()
    assert "Alice &lt;b&gt;A&lt;/b&gt;" in html
    assert "I film birds" in html
    assert 'dir="auto"' in html


def test_channel_url_redirects_to_the_canonical_handle(client):
    make_user("Alice")
    response = client.get("/@alice")
    assert response.status_code == 301
    assert response["Location"] == "/@Alice"


def test_unknown_channel_is_404(client):
    assert client.get("/@nobody").status_code == 404


# Email addresses: one account each, verified before anything is sent to them.


def verification_path(message) -> str:
    """The verification link of an email, as a path on the test site."""
    [link] = re.findall(r"http://localhost:8000(/account/email/verify/\S+)", message.body)
    assert link in message.alternatives[0].content
    return link


def test_sign_up_sends_a_verification_link_and_the_address_starts_unverified(client):
    client.post(reverse("signup"), signup_data(email="Newbie@Example.com"))
    user = User.objects.get(username="newbie")
    assert not user.email_verified
    [message] = mail.outbox
    assert message.to == ["Newbie@example.com"]
    assert "Confirm your email address" in message.subject
    # Anyone can read a signed value: the link, which access logs keep, hides the address.
    signed = verification_path(message).split("/")[-2].split(":")[0]
    assert b"newbie" not in base64.urlsafe_b64decode(signed + "=" * (-len(signed) % 4)).lower()


def test_the_notice_with_resend_shows_once_after_sign_up(client):
    response = client.post(reverse("signup"), signup_data(), follow=True)
    html = response.content.decode()
    assert "We sent a link to <bdi>newbie@example.com</bdi>" in html
    assert f'action="{reverse("resend_email_verification")}"' in html
    again = client.get(reverse("home")).content.decode()
    assert "We sent a link to" not in again


@pytest.mark.parametrize("taken", ["alice@example.com", "ALICE@EXAMPLE.COM", "Alice@example.com"])
def test_email_addresses_are_unique_regardless_of_case(client, taken):
    make_user("alice", email="alice@example.com")
    response = client.post(reverse("signup"), signup_data(email=taken))
    assert response.status_code == 200
    assert "An account already uses this email address." in response.content.decode()
    assert User.objects.count() == 1
    assert len(mail.outbox) == 0


def test_inline_validation_reports_a_taken_email_address(client):
    make_user("alice", email="alice@example.com")
    response = client.post(
        reverse("signup"),
        signup_data(email="Alice@Example.com"),
        headers={"HX-Request": "true", "HX-Trigger-Name": "email"},
    )
    assert "An account already uses this email address." in response.content.decode()


def test_the_database_refuses_one_email_address_on_two_accounts_in_any_case():
    make_user("alice", email="alice@example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_user("bob", email="ALICE@example.com")


def test_accounts_without_an_email_address_do_not_collide():
    make_user("alice", email="")
    make_user("bob", email="")
    assert User.objects.filter(email="").count() == 2


def test_profile_edit_refuses_an_address_another_account_uses(client):
    make_user("alice", email="alice@example.com")
    bob = make_user("bob")
    client.force_login(bob)
    response = client.post(
        reverse("profile_edit"),
        profile_data(bob, email="ALICE@example.com", password=PASSWORD),
    )
    assert response.status_code == 200
    assert "Another account already uses this email address." in response.content.decode()
    bob.refresh_from_db()
    assert bob.email == "bob@example.com"
    assert bob.email_verified


def test_profile_edit_keeps_ones_own_address_without_asking_for_the_password(client):
    alice = make_user("alice")
    client.force_login(alice)
    response = client.post(reverse("profile_edit"), profile_data(alice, display_name="Alice A."))
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.display_name == "Alice A."
    assert alice.email_verified
    assert len(mail.outbox) == 0


def test_changing_the_email_address_needs_the_current_password(client):
    alice = make_user("alice")
    client.force_login(alice)
    response = client.post(
        reverse("profile_edit"), profile_data(alice, email="new@example.com", password="nope")
    )
    assert response.status_code == 200
    assert "Enter your current password to change your email address." in (
        response.content.decode()
    )
    alice.refresh_from_db()
    assert alice.email == "alice@example.com"
    assert len(mail.outbox) == 0


def test_a_changed_email_address_is_unverified_until_its_link_is_opened(client):
    alice = make_user("alice")
    client.force_login(alice)
    response = client.post(
        reverse("profile_edit"),
        profile_data(alice, email="new@example.com", password=PASSWORD),
        follow=True,
    )
    assert "We sent a link to <bdi>new@example.com</bdi>" in response.content.decode()
    alice.refresh_from_db()
    assert alice.email == "new@example.com"
    assert not alice.email_verified
    [message] = mail.outbox
    assert message.to == ["new@example.com"]
    client.post(verification_path(message))
    alice.refresh_from_db()
    assert alice.email_verified


def test_the_profile_page_shows_the_notice_until_the_address_is_verified(client):
    alice = make_user("alice", verified_email="")
    client.force_login(alice)
    html = client.get(reverse("profile_edit")).content.decode()
    assert "We sent a link to <bdi>alice@example.com</bdi>" in html
    assert f'action="{reverse("resend_email_verification")}"' in html
    client.post(reverse("resend_email_verification"))
    client.post(verification_path(mail.outbox[0]))
    html = client.get(reverse("profile_edit")).content.decode()
    assert "We sent a link to" not in html
    assert reverse("resend_email_verification") not in html


def test_an_account_left_without_an_address_is_asked_for_one(client):
    client.force_login(make_user("alice", email=""))
    html = client.get(reverse("profile_edit")).content.decode()
    assert "Your account has no email address" in html
    assert reverse("resend_email_verification") not in html


def test_the_verification_link_asks_first_then_verifies(client):
    client.post(reverse("signup"), signup_data())
    path = verification_path(mail.outbox[0])
    client.logout()  # the link works from any browser
    page = client.get(path)
    assert page.status_code == 200
    assert "newbie@example.com" in page.content.decode()
    assert not User.objects.get(username="newbie").email_verified
    done = client.post(path)
    assert done.status_code == 200
    assert "Your email address is confirmed." in done.content.decode()
    assert User.objects.get(username="newbie").email_verified


class Later:
    """Stands in for the time module used by django.core.signing, some days on."""

    def __init__(self, days):
        self.days = days

    def time(self):
        return time.time() + self.days * 86400


def test_an_expired_verification_link_says_so_and_changes_nothing(client, monkeypatch):
    client.post(reverse("signup"), signup_data())
    path = verification_path(mail.outbox[0])
    monkeypatch.setattr("django.core.signing.time", Later(days=3.1))
    for response in (client.get(path), client.post(path)):
        assert response.status_code == 400
        assert "This link has expired." in response.content.decode()
    assert not User.objects.get(username="newbie").email_verified


def test_a_verification_link_lasts_three_days(client, monkeypatch):
    client.post(reverse("signup"), signup_data())
    path = verification_path(mail.outbox[0])
    monkeypatch.setattr("django.core.signing.time", Later(days=2.9))
    assert client.post(path).status_code == 200
    assert User.objects.get(username="newbie").email_verified


@pytest.mark.parametrize(
    "token",
    [
        "nonsense",
        signing.dumps({"user": 1, "email": "newbie@example.com"}, salt="something else"),
    ],
)
def test_a_forged_verification_link_says_so_and_changes_nothing(client, token):
    client.post(reverse("signup"), signup_data())
    path = reverse("verify_email", args=[token])
    for response in (client.get(path), client.post(path)):
        assert response.status_code == 400
        assert "This link is not valid." in response.content.decode()
    assert not User.objects.get(username="newbie").email_verified


def test_a_link_for_an_address_the_account_no_longer_has_changes_nothing(client):
    client.post(reverse("signup"), signup_data())
    path = verification_path(mail.outbox[0])
    user = User.objects.get(username="newbie")
    user.email = "other@example.com"
    user.save()
    response = client.post(path)
    assert response.status_code == 400
    assert "This link is for an address your account no longer uses." in (response.content.decode())
    user.refresh_from_db()
    assert not user.email_verified


def test_resending_the_verification_email_is_limited(client, settings):
    settings.VIDEO_SHARE_VERIFICATION_EMAILS_PER_HOUR = 3
    client.post(reverse("signup"), signup_data())  # the first email counts
    for _ in range(2):
        response = client.post(reverse("resend_email_verification"), follow=True)
        assert "We sent a new link to" in response.content.decode()
    response = client.post(reverse("resend_email_verification"), follow=True)
    assert "Too many verification emails were asked for." in response.content.decode()
    assert len(mail.outbox) == 3


def test_resending_needs_log_in_and_a_post(client):
    assert client.post(reverse("resend_email_verification")).status_code == 302
    client.force_login(make_user("alice", verified_email=""))
    assert client.get(reverse("resend_email_verification")).status_code == 405
    assert len(mail.outbox) == 0


def test_password_reset_goes_only_to_a_verified_address(client):
    make_user("alice", email="alice@example.com", verified_email="")
    response = client.post(reverse("password_reset"), {"email": "alice@example.com"})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 0
    User.objects.filter(username="alice").update(verified_email="alice@example.com")
    client.post(reverse("password_reset"), {"email": "alice@example.com"})
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_a_shared_address_unverified_on_the_oldest_account_only():
    executor = MigrationExecutor(connection)
    before = [("video_share", "0013_view_identities")]
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(before)
    try:
        OldUser = executor.loader.project_state(before).apps.get_model("video_share", "User")
        joined = timezone.now()
        for n, (name, email) in enumerate(
            [
                ("newer", "Shared@example.com"),
                ("oldest", "shared@example.com"),
                ("newest", "SHARED@EXAMPLE.COM"),
                ("alone", "alone@example.com"),
                ("none1", ""),
                ("none2", ""),
            ]
        ):
            OldUser.objects.create(
                username=name,
                username_key=name,
                email=email,
                date_joined=joined + timedelta(days=-10 if name == "oldest" else n),
            )
        MigrationExecutor(connection).migrate([("video_share", "0014_email_verification")])
        emails = dict(User.objects.values_list("username", "email"))
        assert emails == {
            "oldest": "shared@example.com",
            "newer": "",
            "newest": "",
            "alone": "alone@example.com",
            "none1": "",
            "none2": "",
        }
        # An address nobody else had stays trusted (resets went to it, and someone who has
        # forgotten their password must not be locked out); a shared one must be proved.
        verified = dict(User.objects.values_list("username", "verified_email"))
        assert verified["alone"] == "alone@example.com"
        assert verified["oldest"] == ""
        assert {verified[name] for name in ("newer", "newest", "none1", "none2")} == {""}
    finally:
        MigrationExecutor(connection).migrate(latest)
