import io
import itertools
import re

from PIL import Image
from playwright.sync_api import Page, expect

from .conftest import assert_accessible

PASSWORD = "a long and fine password"
_numbers = itertools.count(1)


def unique_name(prefix="user") -> str:
    return f"{prefix}{next(_numbers)}_{id(_numbers) % 10_000}"


def sign_up(page: Page, username: str, password: str = PASSWORD, check=False) -> None:
    page.goto("/signup/")
    if check:
        assert_accessible(page)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Email").fill(f"{username}@example.com")
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Password confirmation").fill(password)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(username)


def log_in(page: Page, username: str, password: str = PASSWORD) -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_label("Account menu")).to_be_visible()


def log_out(page: Page) -> None:
    page.get_by_label("Account menu").click()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("navigation").get_by_role("link", name="Log in")).to_be_visible()


def png_bytes(size=(800, 600), color=(40, 120, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def wait_until(page: Page, expression: str, timeout: float = 10) -> None:
    """Poll a JavaScript expression until it is truthy (page.wait_for_function would need
    'unsafe-eval', which our Content-Security-Policy rightly refuses)."""
    import time

    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout}s: {expression}")
        page.wait_for_timeout(100)


def upload_clip(
    browser, server, folder, title: str, clip=None, description: str = ""
) -> tuple[str, str]:
    """A new channel uploads `clip` (by default a generated 1 s clip); returns (its watch URL,
    the owner) once it plays."""
    from tests.media_files import make_video

    clip = clip or make_video(folder / "clip.mp4", size="320x240", seconds=1)
    context = browser.new_context(base_url=server.url)
    page = context.new_page()
    owner = unique_name("host")
    sign_up(page, owner)
    page.goto("/upload/")
    page.get_by_label("Video file").set_input_files(clip)
    page.get_by_label("Title").fill(title)
    if description:
        page.get_by_label("Description").fill(description)
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.locator("#player video")).to_be_attached(timeout=60_000)
    url = page.url
    context.close()
    return url, owner


def video_like(page: Page):
    """The video's Like button; its name is the word and the count ("Like 12")."""
    return page.locator("#reactions").get_by_role("button", name=re.compile(r"^Like\b"))
