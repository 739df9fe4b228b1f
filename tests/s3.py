"""A real S3 API for tests: moto's server on a free local port, one bucket per test.

Tests that use it are skipped, saying why, only when moto's server cannot start here (the
dev dependency `moto[server]` missing, or no port to listen on).
"""

import logging
import socket
import uuid
from dataclasses import dataclass

import pytest

ACCESS_KEY = "test-access-key"
SECRET_KEY = "test-secret-key"
REGION = "us-east-1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def moto_endpoint():
    """The URL of a running moto S3 server, for the whole test session."""
    try:
        import storages  # noqa: F401 — the site's side: django-storages, the s3 extra
        from moto.server import ThreadedMotoServer
    except ImportError as error:
        pytest.skip(
            f"No S3 test server ({error}): `uv sync --all-extras` installs moto[server] and "
            "django-storages[s3]."
        )
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    try:
        server.start()
    except Exception as error:  # noqa: BLE001 — any failure to start means "no S3 here"
        pytest.skip(f"moto's S3 server could not start on 127.0.0.1:{port}: {error}")
    yield f"http://127.0.0.1:{port}"
    server.stop()


@dataclass
class Bucket:
    endpoint: str
    name: str
    client: object  # boto3's S3 client, with the test keys

    def env(self) -> dict[str, str]:
        """The environment that points the site at this bucket."""
        return {
            "VIDEO_SHARE_S3_BUCKET": self.name,
            "VIDEO_SHARE_S3_ENDPOINT_URL": self.endpoint,
            "VIDEO_SHARE_S3_REGION": REGION,
            "VIDEO_SHARE_S3_ACCESS_KEY_ID": ACCESS_KEY,
            "VIDEO_SHARE_S3_SECRET_ACCESS_KEY": SECRET_KEY,
        }

    def keys(self, prefix: str = "") -> list[str]:
        listing = self.client.list_objects_v2(Bucket=self.name, Prefix=prefix)
        return sorted(item["Key"] for item in listing.get("Contents", []))

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()


def new_bucket(endpoint: str) -> Bucket:
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )
    name = f"media-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=name)
    return Bucket(endpoint, name, client)


@pytest.fixture
def s3(moto_endpoint, settings):
    """The site's media on a fresh bucket of moto's server (the settings the environment of
    Bucket.env would give)."""
    from video_project.settings import s3_storage

    bucket = new_bucket(moto_endpoint)
    env = bucket.env()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": s3_storage(
            bucket.name,
            endpoint=moto_endpoint,
            region=REGION,
            access_key=env["VIDEO_SHARE_S3_ACCESS_KEY_ID"],
            secret_key=env["VIDEO_SHARE_S3_SECRET_ACCESS_KEY"],
        )[0],
    }
    settings.VIDEO_SHARE_S3_BUCKET = bucket.name
    return bucket
