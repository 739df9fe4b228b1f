"""End-to-end fixtures: the real server (`manage.py serve`: uvicorn + task worker) on a free
port with its own data dir, and a real Chromium driven by Playwright."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "test-results"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(data_dir: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "VIDEO_SHARE_"))}
    env |= {
        "DJANGO_SETTINGS_MODULE": "video_project.settings",
        "VIDEO_SHARE_DATA_DIR": str(data_dir),
        "PYTHONUNBUFFERED": "1",
        # Every browser here comes from 127.0.0.1: the per-address sign-up limit would stop
        # the suite. Tests that check a limit set their own.
        "VIDEO_SHARE_SIGNUPS_PER_IP_PER_HOUR": "1000",
    }
    return env | extra


class Server:
    """A `manage.py serve` process."""

    def __init__(self, data_dir: Path, port: int | None = None, **env):
        data_dir.mkdir(parents=True, exist_ok=True)
        self.env = env
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.data_dir = data_dir
        self.log_path = data_dir / "serve.log"
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "serve", "--port", str(self.port)],
            cwd=ROOT,
            env=server_env(data_dir, **env),
            stdout=self.log_path.open("a"),
            stderr=subprocess.STDOUT,
        )
        self.wait_until_up()

    def wait_until_up(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"The server exited early:\n{self.log()}")
            try:
                with urllib.request.urlopen(self.url + "/", timeout=2):  # noqa: S310
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"The server did not start:\n{self.log()}")

    def manage(self, *args) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=server_env(self.data_dir, **self.env),
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return result.stdout

    def log(self) -> str:
        return self.log_path.read_text()

    def stop(self, sig=signal.SIGTERM, timeout=10) -> float:
        """Stop the server with `sig`; return how many seconds it took to exit."""
        start = time.monotonic()
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return time.monotonic() - start

    def shell(self, code: str) -> str:
        """Run Python with Django set up against this server's data; return what it prints."""
        return self.manage("shell", "--no-imports", "-c", code).strip()


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    server = Server(tmp_path_factory.mktemp("site"))
    yield server
    server.stop()


def chromium_path() -> str | None:
    configured = os.environ.get("PLAYWRIGHT_CHROMIUM_EXECUTABLE")
    if configured:
        if not Path(configured).exists():
            pytest.exit(f"PLAYWRIGHT_CHROMIUM_EXECUTABLE={configured} does not exist.", 2)
        return configured
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if found := shutil.which(name):
            return found
    return None  # Playwright's own download, if it has one.


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        executable = chromium_path()
        try:
            browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        except Exception as exc:
            pytest.exit(
                "No Chromium found for the end-to-end tests. Install one (on Debian: "
                "`apt-get install chromium`) or set PLAYWRIGHT_CHROMIUM_EXECUTABLE.\n"
                f"{exc}",
                2,
            )
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser, server, request):
    """Make browser contexts (separate users) on the server; screenshots on failure."""
    contexts = []

    def make(**options):
        options.setdefault("viewport", {"width": 1280, "height": 900})
        options.setdefault("base_url", server.url)
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    failed = getattr(request.node, "rep_call", None) and request.node.rep_call.failed
    for index, context in enumerate(contexts):
        if failed:
            SCREENSHOTS.mkdir(exist_ok=True)
            for number, page in enumerate(context.pages):
                name = f"{request.node.name}-{index}-{number}.png"
                page.screenshot(path=SCREENSHOTS / name, full_page=True)
        context.close()


@pytest.fixture
def page(new_context) -> Page:
    return new_context().new_page()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


_axe = Axe()
# axe's defaults plus the rule that a control's name contains its visible label (WCAG 2.5.3),
# which axe ships as experimental.
AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "rules": {"label-content-name-mismatch": {"enabled": True}},
}


def assert_accessible(page: Page) -> None:
    """No serious or critical axe-core violations on the page as it is now."""
    results = _axe.run(page, options=AXE_OPTIONS)
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == [], f"{page.url}:\n" + "\n".join(bad)
