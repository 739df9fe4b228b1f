"""Helpers shared by the benchmarks."""

import contextlib
import os
import platform
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path


def machine() -> str:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        "unknown CPU",
    )  # fmt: skip
    memory = int(Path("/proc/meminfo").read_text().split()[1]) // 1024 // 1024
    return f"{os.cpu_count()} cores ({cpu}), {memory} GiB, Python {platform.python_version()}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing listens on port {port}")


def process_stats(pid: int) -> tuple[float, int]:
    """(resident memory in MB, threads) of a process."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["Threads"])


def sqlite_connections(pid: int, database: Path) -> int:
    """Open connections of a process to a SQLite database: its open descriptors of the file."""
    count = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            if Path(os.readlink(fd)) == database:
                count += 1
        except OSError:
            pass
    return count


def connections_to(port: int) -> int:
    """Established TCP connections to a local listening `port` (its side of them)."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                local, _remote, state = line.split()[1:4]
                count += state == "01" and int(local.rsplit(":", 1)[1], 16) == port
    return count


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


async def open_stream(port: int, path: str, cookie: str = ""):
    """Open an SSE stream; returns (reader, writer) once the server said `stream-open`."""
    import asyncio

    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    headers = f"Cookie: {cookie}\r\n" if cookie else ""
    writer.write(
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n{headers}\r\n".encode()
    )
    await read_until(reader, b"stream-open")
    return reader, writer


async def resume_stream(port: int, path: str, text: bytes):
    """Open an SSE stream again after the last event in `text` (what a browser's EventSource
    does, with the id it had); returns (reader, writer) at once, nothing read yet."""
    import asyncio
    import re

    last = re.findall(rb"^id: (.+)$", text, re.MULTILINE)[-1].decode()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path}?lastEventId={last} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    return reader, writer


async def read_to(reader, marker: bytes, text: bytearray) -> None:
    """Read into `text`, keeping all of it, until `marker` is in it."""
    while marker not in text:
        chunk = await reader.read(65536)
        if not chunk:
            raise ConnectionError(f"closed before {marker!r}: {bytes(text[-300:])!r}")
        text += chunk


async def read_until(reader, marker: bytes, buffer: bytearray | None = None) -> None:
    """Read a stream until `marker` has come (chunk framing is ignored: markers are short)."""
    seen = buffer if buffer is not None else bytearray()
    while marker not in seen:
        chunk = await reader.read(65536)
        if not chunk:
            raise ConnectionError(f"stream closed before {marker!r}: {bytes(seen[-300:])!r}")
        seen += chunk
        if len(seen) > 1_000_000:
            del seen[:-1000]
    index = seen.index(marker)
    del seen[: index + len(marker)]


async def request_rate(port: int, path: str, count: int, concurrency: int) -> float:
    """Requests/s for `count` GETs of `path`, each on a new connection (as a new stream is)."""
    import asyncio

    semaphore = asyncio.Semaphore(concurrency)

    async def one():
        async with semaphore:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(
                f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
            )
            response = await reader.read()
            assert response.startswith(b"HTTP/1.1 200"), response[:200]
            writer.close()

    started = time.monotonic()
    await asyncio.gather(*(one() for _ in range(count)))
    return count / (time.monotonic() - started)


def bench_env(work: Path, **extra) -> dict:
    """The environment of a production-like server whose data lives in `work`."""
    root = Path(__file__).resolve().parent.parent
    return (
        os.environ
        | {
            "VIDEO_SHARE_DATA_DIR": str(work),
            "DJANGO_SETTINGS_MODULE": "video_project.settings",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": "bench-" + "x" * 60,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,testserver",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            # Every client comes from 127.0.0.1: no per-address limit on open streams.
            "VIDEO_SHARE_STREAMS_PER_ADDRESS": "0",
            "PYTHONPATH": str(root),
        }
        | extra
    )


def postgres_database(name: str) -> str | None:
    """A fresh PostgreSQL database on 127.0.0.1:5432 (trust auth), or None if none answers."""
    try:
        import psycopg
    except ImportError:
        return None
    try:
        with psycopg.connect(
            "postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True
        ) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            db.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError:
        return None
    return f"postgresql://postgres@127.0.0.1:5432/{name}"


def postgres_connections(name: str) -> int:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres") as db:
        row = db.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [name]
        ).fetchone()
    return row[0]


async def post_form(port: int, path: str, session: str, form: str) -> tuple[bytes, float]:
    """POST a form as a signed-in user (session cookie, CSRF token); (response, seconds)."""
    import asyncio
    import secrets

    token = secrets.token_hex(16)
    body = form.encode()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    started = time.monotonic()
    writer.write(
        (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Cookie: sessionid={session}; csrftoken={token}\r\nX-CSRFToken: {token}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        ).encode()
        + body
    )
    response = await reader.read()
    took = time.monotonic() - started
    writer.close()
    return response, took


def redis_answers(port: int = 6379) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


@contextlib.contextmanager
def split_deployment(env: dict, logs: Path, page_workers: int = 2):
    """README's split deployment: pages under gunicorn, event streams under uvicorn
    (`serve --no-worker`), a separate `worker`; `env` names PostgreSQL and Redis. Yields
    (page port, stream port, gunicorn pid, serve pid)."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    pages, streams = free_port(), free_port()
    commands = {
        "gunicorn": [sys.executable, "-m", "gunicorn", "video_project.wsgi:application",
                     "--workers", str(page_workers), "--bind", f"127.0.0.1:{pages}"],
        "serve": [sys.executable, "manage.py", "serve", "--no-worker", "--port", str(streams)],
        "worker": [sys.executable, "manage.py", "worker"],
    }  # fmt: skip
    files = {name: (logs / f"{name}.log").open("w") for name in commands}
    processes = {
        name: subprocess.Popen(
            command, cwd=root, env=env, stdout=files[name], stderr=subprocess.STDOUT
        )
        for name, command in commands.items()
    }
    try:
        # Each process migrates and collects static files first: slow on a busy machine.
        wait_for(pages, 120)
        wait_for(streams, 120)
        yield pages, streams, processes["gunicorn"].pid, processes["serve"].pid
    finally:
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            process.wait(15)
        for file in files.values():
            file.close()


class Pushpin:
    """Debian's pushpin with deploy/pushpin/pushpin.conf and its routes, on ports and in a
    folder of its own, in front of `targets` (the ports of the routes' 8000 and 8001)."""

    def __init__(self, folder: Path, targets: list[int], key: str):
        self.folder = folder
        self.port, self.publish_port, stats_port = free_port(), free_port(), free_port()
        self.stats_address = f"tcp://127.0.0.1:{stats_port}"  # VIDEO_SHARE_PUSHPIN_STATS
        own = {
            "rundir": folder / "run",
            "logdir": folder / "log",
            "http_port": self.port,
            "push_in_http_port": self.publish_port,
            "push_in_spec": f"tcp://127.0.0.1:{free_port()}",
            "push_in_sub_specs": f"tcp://127.0.0.1:{free_port()}",
            "command_spec": f"tcp://127.0.0.1:{free_port()}",
            "stats_spec": self.stats_address,
            "sig_key": key,
        }
        root = Path(__file__).resolve().parent.parent
        config = (root / "deploy/pushpin/pushpin.conf").read_text()
        for name, value in own.items():
            config, found = re.subn(rf"^{name}=.*$", f"{name}={value}", config, flags=re.M)
            assert found == 1, name
        for name in ("run", "log"):
            (folder / name).mkdir(parents=True, exist_ok=True)
        (folder / "pushpin.conf").write_text(config)
        # The shipped routes, with the ports of `targets` for 8000 and 8001.
        routes = (root / "deploy/pushpin/routes").read_text()
        for default, port in zip((8000, 8001), targets, strict=True):
            routes = routes.replace(f"127.0.0.1:{default}", f"127.0.0.1:{port}")
        (folder / "routes").write_text(routes)
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = folder / "pushpin.log"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["pushpin", "--config", str(self.folder / "pushpin.conf")],
            stdout=self.log_path.open("w"),
            stderr=subprocess.STDOUT,
        )
        self.wait_until_up()

    def wait_until_up(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"pushpin exited early:\n{self.log()}")
            try:
                with urllib.request.urlopen(self.url + "/", timeout=2):  # noqa: S310
                    return
            except urllib.error.HTTPError:
                return  # it answers (the site may not, yet)
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"pushpin did not start:\n{self.log()}")

    def log(self) -> str:
        logs = [self.log_path, *sorted((self.folder / "log").glob("*.log"))]
        return "\n".join(f"== {path.name}\n{path.read_text()[-3000:]}" for path in logs)

    def memory(self) -> float:
        """Resident memory in MB of Pushpin's processes (the runner and its services)."""
        pids = [self.process.pid]
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        pids += [int(pid) for pid in children.read_text().split()]
        return sum(process_stats(pid)[0] for pid in pids)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
