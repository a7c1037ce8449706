"""The container's web command, measured over HTTP: slow clients, booking POST rate, schedule latency.

Starts `docker/entrypoint.sh web` exactly as the container does (migrate, init_db --demo, then the
server the script execs), outside Docker, on a fresh SQLite file and a free port on 127.0.0.1, with
DEBUG off and the static files collected as the image build does. Then:

1. slow clients: --slow connections (300) each send a request's headers one byte every 5 s and never
   finish; meanwhile --probes (6) plain `GET /healthz` go out one a second, each with a 3 s timeout.
   Reports how many answered, and how many within 1 s (the promise: all of them).
2. booking POST rate: --posts sequential single-booking `POST /api/scheduler/bookings/` with a token
   (every rule, audit row and notification kept), each on its own device and window: rate and p50.
3. schedule latency: --runs sequential `GET /api/scheduler/schedule/?start=<Monday>&days=7` (token)
   and the week page `GET /` (signed-in session): p50 and p95.

    .venv/bin/python bench/serve_bench.py [--slow 300] [--probes 6] [--posts 200] [--runs 20]
    .venv/bin/python bench/serve_bench.py --server sync     # the former command: 3 sync gunicorn workers (WSGI)

Every loop is bounded in count and time and only talks to 127.0.0.1; the server is stopped at the end.
"""

import argparse
import asyncio
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.local_server import free_port  # noqa: E402

# The former web command (before the ASGI server), for before/after comparisons on the same code.
SYNC_COMMAND = (
    "python manage.py migrate --noinput && python manage.py init_db --demo && "
    'exec gunicorn labsite.wsgi:application --bind "$BIND" --workers "${GUNICORN_WORKERS:-3}" '
    "--timeout 60 --access-logfile -"
)


def start_server(workdir: Path, port: int, server: str = "container") -> subprocess.Popen:
    env = {
        **os.environ,
        "PATH": f"{ROOT / '.venv/bin'}:{os.environ.get('PATH', '')}",
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
        "STATIC_ROOT": str(workdir / "static"),
        "MEDIA_ROOT": str(workdir / "media"),
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "INIT_DB_DEMO": "true",
        "BIND": f"127.0.0.1:{port}",
        "LOG_LEVEL": "WARNING",
        "AUTH_THROTTLE_RATE": "1000/min",
    }
    env.pop("CACHE_URL", None)
    subprocess.run([str(ROOT / ".venv/bin/python"), "manage.py", "collectstatic", "--noinput", "-v0"],
                   cwd=ROOT, env=env, check=True)
    log = open(workdir / "server.log", "wb")  # noqa: SIM115 (kept open for the server's life)
    command = ["sh", "docker/entrypoint.sh", "web"] if server == "container" else ["sh", "-c", SYNC_COMMAND]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"The server exited early; see {workdir / 'server.log'}")
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return server
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise SystemExit("The server did not answer /healthz within 240 s")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


async def slow_client(port: int, stop: asyncio.Event, opened: list) -> None:
    """Send a request's headers one byte every 5 s until told to stop; never finish them."""
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        return
    opened.append(1)
    header = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 10_000
    try:
        for byte in header:
            writer.write(bytes([byte]))
            await writer.drain()
            try:
                await asyncio.wait_for(stop.wait(), timeout=5)
                break
            except TimeoutError:
                continue
    except OSError:
        pass
    finally:
        writer.close()


async def probe(port: int) -> float | None:
    """One plain GET /healthz; seconds to a 200, or None after 3 s or on an error."""
    start = time.perf_counter()
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), timeout=3)
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        await writer.drain()
        status_line = await asyncio.wait_for(reader.readline(), timeout=3 - (time.perf_counter() - start))
        writer.close()
    except (OSError, TimeoutError):
        return None
    return time.perf_counter() - start if b" 200 " in status_line else None


async def slow_clients(port: int, count: int, probes: int) -> dict:
    stop = asyncio.Event()
    opened: list = []
    tasks = [asyncio.create_task(slow_client(port, stop, opened)) for _ in range(count)]
    await asyncio.sleep(6)  # every slow connection is open and has sent its first bytes
    results = []
    for _ in range(probes):
        results.append(await probe(port))
        await asyncio.sleep(1)
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    answered = [r for r in results if r is not None]
    return {
        "slow_connections": len(opened),
        "probes": probes,
        "answered_3s": len(answered),
        "answered_1s": sum(1 for r in answered if r <= 1.0),
        "max_s": round(max(answered), 3) if answered else None,
    }


def p(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def booking_rate(base: str, key: str, count: int) -> dict:
    session = requests.Session()
    session.headers["Authorization"] = f"Token {key}"
    devices = [d for d in session.get(f"{base}/api/inventory/devices/?limit=1000", timeout=30).json()["results"]
               if d.get("status") == "available"]
    today = date.today()
    monday = today + timedelta(days=7 - today.weekday())
    start = datetime(monday.year, monday.month, monday.day, 8).astimezone()
    codes: dict[int, int] = {}
    times = []
    t0 = time.perf_counter()
    for k in range(count):
        device = devices[k % len(devices)]
        begin = start + timedelta(hours=3 * (k // len(devices)))
        t = time.perf_counter()
        response = session.post(f"{base}/api/scheduler/bookings/", timeout=30, json={
            "device": device["id"], "start": begin.isoformat(), "end": (begin + timedelta(hours=2)).isoformat()})
        times.append(time.perf_counter() - t)
        codes[response.status_code] = codes.get(response.status_code, 0) + 1
    elapsed = time.perf_counter() - t0
    return {"posts": count, "per_s": round(count / elapsed, 1), "p50_ms": round(1000 * p(times, 0.5), 1),
            "codes": codes}


def timed_gets(session: requests.Session, url: str, runs: int) -> dict:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        response = session.get(url, timeout=60)
        times.append(time.perf_counter() - t)
        response.raise_for_status()
    return {"p50_ms": round(1000 * p(times, 0.5), 1), "p95_ms": round(1000 * p(times, 0.95), 1),
            "bytes": len(response.content)}


def schedule_latency(base: str, key: str, runs: int) -> dict:
    api = requests.Session()
    api.headers["Authorization"] = f"Token {key}"
    today = date.today()
    monday = today - timedelta(days=today.weekday())
    result = {"api": timed_gets(api, f"{base}/api/scheduler/schedule/?start={monday}&days=7", runs)}
    page = requests.Session()
    login = page.get(f"{base}/accounts/login/", timeout=30)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text).group(1)
    page.post(f"{base}/accounts/login/", timeout=30, headers={"Referer": f"{base}/accounts/login/"},
              data={"csrfmiddlewaretoken": csrf, "username": "alice", "password": "labsite-alice"})
    result["page"] = timed_gets(page, f"{base}/", runs)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slow", type=int, default=300, help="slow connections")
    parser.add_argument("--probes", type=int, default=6, help="plain GET /healthz during the slow clients")
    parser.add_argument("--posts", type=int, default=200, help="sequential booking POSTs")
    parser.add_argument("--runs", type=int, default=20, help="schedule GETs (API and page)")
    parser.add_argument("--only", choices=["slow", "http"], help="run one part only")
    parser.add_argument("--server", choices=["container", "sync"], default="container",
                        help="container: docker/entrypoint.sh web (default); sync: the former 3 sync workers")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="labsite-serve-bench-"))
    port = free_port()
    server = start_server(workdir, port, args.server)
    base = f"http://127.0.0.1:{port}"
    try:
        name = "docker/entrypoint.sh web" if args.server == "container" else "gunicorn, 3 sync workers (former)"
        print(f"server: {name} on {base} (log {workdir / 'server.log'})")
        if args.only != "slow":
            key = requests.post(f"{base}/api/auth/token/", timeout=30, json={
                "username": "alice", "password": "labsite-alice", "name": "bench"}).json()["token"]
            print("booking POST rate:", booking_rate(base, key, args.posts))
            print("schedule latency:", schedule_latency(base, key, args.runs))
        if args.only != "http":
            print("slow clients:", asyncio.run(slow_clients(port, args.slow, args.probes)))
    finally:
        stop_server(server)


if __name__ == "__main__":
    sys.exit(main())
