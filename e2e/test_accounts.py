import email
import re
from email import policy

from playwright.sync_api import expect

from .conftest import assert_accessible
from .helpers import PASSWORD, log_in, log_out, png_bytes, sign_up, unique_name


def test_sign_up_log_out_and_log_in_again(page):
    name = unique_name("ana")
    page.goto("/")
    assert_accessible(page)
    page.get_by_role("link", name="Sign up").first.click()
    sign_up(page, name, check=True)
    expect(page.get_by_role("status")).to_contain_text("Welcome to Video Share")
    assert_accessible(page)

    log_out(page)
    page.goto("/login/")
    assert_accessible(page)
    page.get_by_label("Username").fill(name)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("don’t match")
    assert_accessible(page)
    log_in(page, name.upper())  # handles are case-insensitive


def sent_to(server, address: str) -> list:
    """The emails the server printed (its console email backend) to `address`, oldest first."""
    # The console backend ends each message with a line of 79 dashes.
    found = []
    for chunk in server.log().split("-" * 79 + "\n"):
        start = chunk.rfind("Content-Type: multipart/")
        if start == -1:
            continue
        message = email.message_from_string(chunk[start:], policy=policy.default)
        if message["To"] == address:
            found.append(message)
    return found


def test_sign_up_then_the_emailed_link_verifies_the_address(page, server):
    name = unique_name("vera")
    sign_up(page, name)
    notice = page.locator(".email-notice")
    expect(notice).to_contain_text(f"We sent a link to {name}@example.com")
    assert_accessible(page)
    [message] = sent_to(server, f"{name}@example.com")
    text = message.get_body(("plain",)).get_content()
    [path] = re.findall(r"https?://[^/\s]+(/account/email/verify/\S+)", text)

    page.goto("/account/profile/")
    expect(notice).to_be_visible()
    page.get_by_role("button", name="Resend").click()
    expect(page.get_by_role("status")).to_contain_text("We sent a new link")
    assert len(sent_to(server, f"{name}@example.com")) == 2

    page.goto(path)
    expect(page.get_by_text(f"{name}@example.com")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Yes, confirm it").click()
    expect(page.get_by_text("Your email address is confirmed.")).to_be_visible()
    page.goto("/account/profile/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit profile")
    expect(notice).to_have_count(0)


def test_a_broken_verification_link_says_so(page):
    sign_up(page, unique_name("broken"))
    page.goto("/account/email/verify/not-a-real-token/")
    expect(page.get_by_role("alert")).to_contain_text("This link is not valid.")
    assert_accessible(page)


def test_repeated_wrong_passwords_lock_the_account_with_a_clear_message(page):
    name = unique_name("locked")
    sign_up(page, name)
    log_out(page)
    page.goto("/login/")
    for _ in range(5):
        page.get_by_label("Username").fill(name)
        page.get_by_label("Password").fill("not the password")
        page.get_by_role("button", name="Log in").click()
    page.get_by_label("Username").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("Too many failed attempts")
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    assert_accessible(page)


def test_sign_up_validates_fields_as_you_type(page):
    taken = unique_name("taken")
    sign_up(page, taken)
    log_out(page)
    page.goto("/signup/")
    page.get_by_label("Username").fill(taken)
    expect(page.locator("#id_username-errors")).to_contain_text("already taken")
    page.get_by_label("Username").fill("has space")
    expect(page.locator("#id_username-errors")).to_contain_text("letters, digits")
    page.get_by_label("Username").fill(unique_name("free"))
    expect(page.locator("#id_username-errors")).to_be_empty()
    page.get_by_label("Password", exact=True).fill("123")
    expect(page.locator("#id_password1-errors")).to_contain_text("too short")
    # Typing goes on undisturbed while the errors update.
    expect(page.get_by_label("Password", exact=True)).to_be_focused()


def test_edit_profile_with_an_avatar(page, tmp_path):
    name = unique_name("eve")
    sign_up(page, name)
    page.get_by_label("Account menu").click()
    page.get_by_role("navigation").get_by_role("link", name="Edit profile").click()
    assert_accessible(page)
    page.get_by_label("Display name").fill("Eve Écrit")
    page.get_by_label("Bio").fill("Films birds, mostly.")
    avatar = tmp_path / "me.png"
    avatar.write_bytes(png_bytes())
    page.get_by_label("Avatar").set_input_files(avatar)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Eve Écrit")
    expect(page.get_by_text("Films birds, mostly.")).to_be_visible()
    image = page.locator(".channel-header img.avatar")
    expect(image).to_have_attribute("src", re.compile(r"^/media/avatars/.+\.webp$"))
    assert page.evaluate("img => img.naturalWidth", image.element_handle()) == 256


def test_a_bad_avatar_is_refused_with_a_clear_message(page, tmp_path):
    sign_up(page, unique_name("bad"))
    page.goto("/account/profile/")
    fake = tmp_path / "fake.png"
    fake.write_bytes(b"not an image")
    page.get_by_label("Avatar").set_input_files(fake)
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#id_avatar-errors")).to_contain_text("not an image or a corrupted image")


def test_switch_to_arabic_renders_right_to_left(page):
    page.goto("/")
    page.get_by_role("button", name="العربيّة").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.get_by_role("link", name="إنشاء حساب").first).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="إنشاء حساب").first.click()
    expect(page.get_by_label("اسم المستخدم")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("dir", "ltr")


def test_arabic_pages_for_a_signed_in_user_are_accessible(page):
    sign_up(page, unique_name("layla"))
    page.get_by_role("button", name="العربيّة").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    assert_accessible(page)
    page.goto("/account/profile/")
    assert_accessible(page)


def test_sign_up_and_log_in_without_javascript(new_context):
    page = new_context(java_script_enabled=False).new_page()
    name = unique_name("nojs")
    page.goto("/signup/")
    page.get_by_label("Username").fill(name)
    page.get_by_label("Email").fill(f"{name}@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill("a different one")
    page.get_by_role("button", name="Sign up").click()
    expect(page.locator("#id_password2-errors")).to_contain_text("didn’t match")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)

    # The account menu is a <details>: it opens without JavaScript.
    page.get_by_label("Account menu").click()
    page.get_by_role("button", name="Log out").click()
    page.goto("/login/")
    page.get_by_label("Username").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_label("Account menu")).to_be_visible()
