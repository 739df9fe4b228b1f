import warnings

import pytest
from asgiref.sync import async_to_sync
from django.test import AsyncClient
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_csrf_is_enforced_on_the_async_path():
    async def post():
        return await AsyncClient(enforce_csrf_checks=True).post(reverse("signup"), {})

    assert async_to_sync(post)().status_code == 403


def test_security_headers_on_the_async_path():
    async def get():
        return await AsyncClient().get(reverse("home"))

    response = async_to_sync(get)()
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" in response
    assert response["Content-Language"] == "en"


def test_static_files_are_served_on_the_async_path(settings):
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True

    async def get():
        response = await AsyncClient().get("/static/css/site.css")
        return response, b"".join([chunk async for chunk in response.streaming_content])

    with warnings.catch_warnings():
        # Django warns when it must read a synchronous file iterator on the event loop.
        warnings.simplefilter("error")
        response, body = async_to_sync(get)()
    assert response.status_code == 200
    assert response.is_async
    assert body == (settings.BASE_DIR / "static/css/site.css").read_bytes()
