"""Your data, in Chromium: a copy of one's data is prepared by the worker, announced on the
bell and downloaded; a deleted account's video files leave the storage."""

import io
import json
import zipfile

from playwright.sync_api import expect

from .helpers import PASSWORD, log_in, upload_clip


def test_export_then_delete_the_account_and_its_files(browser, server, new_context, tmp_path):
    url, owner = upload_clip(browser, server, tmp_path, "Chemistry week 1")
    public_id = url.rstrip("/").rsplit("/", 1)[-1]
    folder = server.data_dir / "media" / "videos" / public_id
    assert any(folder.iterdir())

    page = new_context().new_page()
    log_in(page, owner)
    page.get_by_label("Account menu").click()
    page.get_by_role("link", name="Your data").click()
    page.get_by_role("button", name="Prepare a copy").click()
    expect(page.get_by_text("We are preparing your data")).to_be_visible()
    # The worker makes it; the bell says so, live (beside "your video is ready").
    expect(page.locator("#bell-count")).to_have_text("2 unread2", timeout=20_000)
    page.get_by_role("link", name="Notifications", exact=True).click()
    page.locator("#bell-panel").get_by_text("Your data export is ready to download").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your data")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download your data").click()
    archive = zipfile.ZipFile(io.BytesIO(download.value.path().read_bytes()))
    videos = json.loads(archive.read("videos.json"))
    assert [video["title"] for video in videos] == ["Chemistry week 1"]

    # Delete: with the password and the confirmation; it waits, then the worker deletes.
    page.get_by_label("Delete my videos, comments and playlists with my account").check()
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_text("will be deleted on")).to_be_visible()
    assert any(folder.iterdir())
    # The waiting time passes (here, by moving the date back).
    server.shell(
        "from django.utils import timezone;"
        "from django_tasks_db.models import DBTaskResult;"
        "from video_share.models import User;"
        f"User.objects.filter(username={owner!r}).update(deletion_at=timezone.now());"
        "DBTaskResult.objects.filter(task_path__endswith='delete_account')"
        ".update(run_after=timezone.now())"
    )
    visitor = new_context().new_page()
    for _ in range(30):
        if not folder.exists() or not any(folder.iterdir()):
            break
        visitor.wait_for_timeout(500)
    assert not folder.exists() or not any(folder.iterdir())
    assert visitor.goto(url).status == 404
    assert visitor.goto(f"/@{owner}").status == 404
