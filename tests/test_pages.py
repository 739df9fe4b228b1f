import pytest
from django.urls import reverse

from .factories import make_user

pytestmark = pytest.mark.django_db


def test_an_empty_site_welcomes_and_invites_to_sign_up(client):
    html = client.get(reverse("home")).content.decode()
    assert "Welcome to Video Share" in html
    assert reverse("signup") in html


def test_every_page_has_a_content_security_policy_with_a_script_nonce(client):
    response = client.get(reverse("home"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy
    assert "frame-ancestors 'none'" in policy
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.content.decode()


def test_the_body_carries_the_csrf_token_for_htmx(client):
    html = client.get(reverse("home")).content.decode()
    assert 'hx-headers=\'{"X-CSRFToken": "' in html


def test_signed_in_header_has_account_menu_and_bell(client):
    client.force_login(make_user("alice"))
    html = client.get(reverse("home")).content.decode()
    assert 'aria-label="Notifications"' in html
    assert "Log out" in html


def test_search_finds_channels_by_name(client):
    make_user("alice", display_name="Alice Birds")
    make_user("bob")
    html = client.get(reverse("search"), {"q": "bird"}).content.decode()
    assert "@alice" in html
    assert "@bob" not in html


def test_search_handles_empty_and_very_long_queries(client):
    assert client.get(reverse("search")).status_code == 200
    assert client.get(reverse("search"), {"q": "x" * 10_000}).status_code == 200


def test_notifications_page_needs_log_in(client):
    assert client.get(reverse("notifications")).status_code == 302
