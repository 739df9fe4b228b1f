"""Split deployment benchmark (run by hand): `uv run python bench/split.py [STREAMS]`.

README's deployment for sites that need page throughput, on one machine: pages under
gunicorn (two workers), event streams under uvicorn (`serve --no-worker`), a separate
`worker`, on PostgreSQL and Redis. Seeds the page benchmark's 10,000 videos, then: signed-in
pages under 32 clients; the same with STREAMS (default 1,000) streams open on uvicorn; and a
comment posted to gunicorn, timed until every stream has it (through Redis).
"""

import asyncio
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    bench_env,
    machine,
    open_stream,
    percentile,
    post_form,
    postgres_database,
    process_stats,
    read_until,
    redis_answers,
    split_deployment,
)
from bench.pages import PAGES, load, seed, sign_in  # noqa: E402

CONNECTING = 256
WATCHED = "b0000000042"


async def streams_open(port: int, count: int) -> list:
    semaphore = asyncio.Semaphore(CONNECTING)

    async def connect():
        async with semaphore:
            return await open_stream(port, f"/events/v/{WATCHED}")

    return await asyncio.gather(*(connect() for _ in range(count)))


async def with_streams(pages: int, streams: int, count: int, cookie: str, session: str) -> dict:
    opened = await streams_open(streams, count)
    await asyncio.sleep(3)  # the "watching now" announcements settle
    results = {name: await load(pages, path, cookie=cookie) for name, path in PAGES.items()}
    marker = f"split-{secrets.token_hex(4)}".encode()
    arrivals: list[float] = []

    async def wait(reader):
        await read_until(reader, marker)
        arrivals.append(time.monotonic())

    waiting = [asyncio.create_task(wait(reader)) for reader, _writer in opened]
    await asyncio.sleep(0.5)
    sent = time.monotonic()
    form = f"body={marker.decode()}&client_token={secrets.token_hex(8)}"
    await post_form(pages, f"/v/{WATCHED}/comments/new", session, form)
    await asyncio.wait(waiting, timeout=30)
    latencies = [(t - sent) * 1000 for t in arrivals]
    for _reader, writer in opened:
        writer.close()
    results["delivered"] = len(latencies)
    results["p50"] = percentile(latencies, 0.5)
    results["p99"] = percentile(latencies, 0.99)
    return results


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000
    database = postgres_database("bench_split")
    if database is None or not redis_answers():
        print("needs PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379")
        return
    work = Path(tempfile.mkdtemp(prefix="bench-split-"))
    env = bench_env(work, DATABASE_URL=database, REDIS_URL="redis://127.0.0.1:6379/13")
    try:
        seed(env)
        cookie = sign_in(env)
        session = cookie.split("=", 1)[1]
        print(f"{machine()}; PostgreSQL, Redis; gunicorn ×2 + uvicorn + worker")
        with split_deployment(env, work) as (pages, streams, _gunicorn, serve):
            for path in PAGES.values():
                asyncio.run(load(pages, path, seconds=1, cookie=cookie))  # warm up
            idle = {name: asyncio.run(load(pages, path, cookie=cookie)) for name, path in PAGES.items()}  # fmt: skip
            busy = asyncio.run(with_streams(pages, streams, count, cookie, session))
            rss = process_stats(serve)[0]
        print(f"signed-in pages (32 clients), then with {count} streams open on uvicorn:")
        for name in PAGES:
            (rate, _p50, p95), (rate2, _p50b, p95b) = idle[name], busy[name]
            print(
                f"  {name:8s} {rate:6.0f} req/s p95 {p95:6.1f} ms | {rate2:6.0f} req/s p95 {p95b:6.1f} ms"
            )
        print(
            f"comment posted to gunicorn: {busy['delivered']}/{count} streams,"
            f" p50 {busy['p50']:.0f} ms, p99 {busy['p99']:.0f} ms; uvicorn RSS {rss:.0f} MB"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
