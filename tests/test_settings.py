import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "video_project.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = manage(
        "check",
        env={
            "DJANGO_DEBUG": "false",
            "DJANGO_ALLOWED_HOSTS": "example.com",
            "VIDEO_SHARE_DATA_DIR": str(tmp_path),
        },
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts(tmp_path):
    result = manage(
        "check",
        env={
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": "x" * 60,
            "VIDEO_SHARE_DATA_DIR": str(tmp_path),
        },
    )
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS must be set" in result.stderr


def test_production_settings_pass_the_deployment_checks(tmp_path):
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": "a-long-random-production-secret-" + "q8Zr1x" * 8,
            "DJANGO_ALLOWED_HOSTS": "video.example.com",
            "VIDEO_SHARE_DATA_DIR": str(tmp_path),
        },
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_development_generates_and_keeps_a_secret_key(tmp_path):
    env = {"VIDEO_SHARE_DATA_DIR": str(tmp_path)}
    assert manage("check", env=env).returncode == 0
    key = (tmp_path / "secret_key").read_text()
    assert manage("check", env=env).returncode == 0
    assert (tmp_path / "secret_key").read_text() == key
    assert len(key) >= 50


def test_the_one_command_shows_no_debug_pages(tmp_path):
    """Nothing set: a local site with a generated key, for this machine only, without Django's
    debug pages (they list every URL pattern on a 404)."""
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.PRODUCTION, s.ALLOWED_HOSTS, bool(s.SECRET_KEY))",
        env={"VIDEO_SHARE_DATA_DIR": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    last = result.stdout.strip().splitlines()[-1]
    assert last == "False False ['localhost', '127.0.0.1', '[::1]'] True"


def test_debug_pages_are_opted_into(tmp_path):
    env = {"VIDEO_SHARE_DATA_DIR": str(tmp_path), "DJANGO_DEBUG": "true"}
    result = manage(
        "shell", "-c", "from django.conf import settings; print(settings.DEBUG)", env=env
    )
    assert result.stdout.strip().splitlines()[-1] == "True"


def test_naming_a_public_host_means_production(tmp_path):
    result = manage(
        "check",
        env={"DJANGO_ALLOWED_HOSTS": "video.example.com", "VIDEO_SHARE_DATA_DIR": str(tmp_path)},
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_djangos_own_protections_are_in_place_and_no_check_is_silenced(settings):
    assert not getattr(settings, "SILENCED_SYSTEM_CHECKS", [])
    for protection in (
        "django.middleware.security.SecurityMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
    ):
        assert protection in settings.MIDDLEWARE


def test_production_sends_the_language_cookie_over_https_only(tmp_path):
    production = {
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "a-long-random-production-secret-" + "q8Zr1x" * 8,
        "DJANGO_ALLOWED_HOSTS": "video.example.com",
        "VIDEO_SHARE_DATA_DIR": str(tmp_path),
    }
    show = "from django.conf import settings; print(settings.LANGUAGE_COOKIE_SECURE)"
    assert manage("shell", "-c", show, env=production).stdout.split()[-1] == "True"
    plain_http = production | {"DJANGO_SECURE_COOKIES": "false"}
    assert manage("shell", "-c", show, env=plain_http).stdout.split()[-1] == "False"
