"""Booking POSTs against a real server for the scheduler benchmark: gunicorn on 127.0.0.1 with this
process's environment (DEBUG off, the benchmark's database), sequential POSTs with an API token, and
8 concurrent clients racing for one device. CPU time is read from /proc for the server's processes.
"""

import os
import statistics
import subprocess
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

from bench.local_server import free_port

ROOT = Path(__file__).resolve().parent.parent


def start_gunicorn(*, workers: int, threads: int, tree: Path = ROOT) -> tuple[subprocess.Popen, int]:
    """gunicorn on a free port of 127.0.0.1 with this process's environment (DEBUG off, same database).

    A threaded WSGI server keeps one connection per thread: CONN_MAX_AGE=60 unless the environment
    says otherwise (the settings' default 0 is for the container's ASGI server). `tree` is the
    checkout whose code it serves (another commit's, for booking_posts_compare.py), with this
    checkout's virtualenv.
    """
    import requests

    port = free_port()
    env = {"CONN_MAX_AGE": "60", **os.environ, "PYTHONPATH": str(tree)}
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "labsite.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(workers),
         "--threads", str(threads), "--log-level", "warning", "--timeout", "60"],
        cwd=tree, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    for _ in range(150):
        try:
            requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
            return server, port
        except requests.RequestException:
            time.sleep(0.2)
    stop_server(server)
    raise SystemExit("gunicorn did not start")


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()


def steal_seconds() -> float:
    """CPU seconds the hypervisor gave to other guests so far, all CPUs together (Linux /proc/stat).

    On a shared virtual machine, time stolen during a run slows the run without showing in any
    process's CPU time: the runs report it so that a slow one can be told from a slow change.
    """
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()
    return int(fields[8]) / os.sysconf("SC_CLK_TCK") if len(fields) > 8 else 0.0


def process_tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by process `pid` and its descendants (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    parents, cpu = {}, {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
        cpu[int(entry.name)] = (int(fields[11]) + int(fields[12])) / ticks
    tree, grew = {pid}, True
    while grew:
        more = {child for child, parent in parents.items() if parent in tree} - tree
        tree |= more
        grew = bool(more)
    return sum(cpu.get(p, 0.0) for p in tree)


def post_http_sequential(user, devices, start: datetime, count: int, *, client: str = "requests",
                         tree: Path = ROOT) -> dict:
    """`count` single-booking POSTs, one after the other, over HTTP with an API token (gunicorn 1 x 4).

    `client` "requests" is how the lab's scripts call the API; "http.client" is the standard library's
    keep-alive connection, which costs the client far less per request: the difference between the
    two is the client's own time, and "per server CPU second" is the server's side either way.
    """
    import http.client
    import json

    import requests

    from core.services.tokens import token_create

    _, key = token_create(user=user, name=f"bench-http-{client}")
    server, port = start_gunicorn(workers=1, threads=4, tree=tree)
    path = "/api/scheduler/bookings/"
    if client == "requests":
        session = requests.Session()
        session.headers["Authorization"] = f"Token {key}"

        def post(payload) -> int:
            return session.post(f"http://127.0.0.1:{port}{path}", json=payload, timeout=60).status_code
    else:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Authorization": f"Token {key}", "Content-Type": "application/json"}

        def post(payload) -> int:
            connection.request("POST", path, json.dumps(payload), headers)
            response = connection.getresponse()
            response.read()
            return response.status
    codes: dict[int, int] = {}
    timings = []

    def body(k):
        device = devices[k % len(devices)]
        begin = start + timedelta(hours=3 * (k // len(devices)))
        return {"device": device.pk, "start": begin.isoformat(), "end": (begin + timedelta(hours=2)).isoformat()}

    try:
        for k in range(20):  # warm up the worker's threads and connections (windows not used below)
            post(body(count + k))
        t0, server_cpu0, steal0 = time.perf_counter(), process_tree_cpu(server.pid), steal_seconds()
        for k in range(count):
            t = time.perf_counter()
            code = post(body(k))
            timings.append((time.perf_counter() - t) * 1000)
            codes[code] = codes.get(code, 0) + 1
        elapsed, server_cpu = time.perf_counter() - t0, process_tree_cpu(server.pid) - server_cpu0
        steal = steal_seconds() - steal0
    finally:
        stop_server(server)
    timings.sort()
    return {"per_s": count / elapsed, "per_server_cpu_s": count / server_cpu, "server_cpu_ms": server_cpu / count * 1000,
            "p50": statistics.median(timings), "p95": timings[int(len(timings) * 0.95) - 1], "codes": codes, "key": key,
            "steal_pct": steal / (elapsed * (os.cpu_count() or 1)) * 100}


def post_concurrent(lab: dict, start: datetime, rounds: int, per_thread: int) -> dict:
    """8 clients (own tokens) against gunicorn: races for one device's window, then a throughput run."""
    import requests
    from django.db import transaction

    from core.services.tokens import token_create
    from inventory.models import Device, DeviceType
    from scheduler.constants import ACTIVE_STATUSES
    from scheduler.models import Booking
    from scheduler.selectors.availability import depth_segments

    racers = lab["racers"]
    with transaction.atomic():
        keys = [token_create(user=u, name="bench")[1] for u in racers]
        race_type = DeviceType.objects.create(name="Bench race", default_capacity=2, requires_approval=False)
        device = Device.objects.create(name="race-1", device_type=race_type, status="available")
    server, port = start_gunicorn(workers=4, threads=2)
    url = f"http://127.0.0.1:{port}/api/scheduler/bookings/"
    try:
        sessions = []
        for key in keys:
            session = requests.Session()
            session.headers["Authorization"] = f"Token {key}"
            sessions.append(session)

        codes: dict[int, int] = {}
        lock = threading.Lock()
        winners_per_round = []

        def post(session, begin, hours=2):
            response = session.post(url, json={"device": device.pk, "start": begin.isoformat(),
                                               "end": (begin + timedelta(hours=hours)).isoformat()}, timeout=60)
            with lock:
                codes[response.status_code] = codes.get(response.status_code, 0) + 1
            return response.status_code

        # 1. Races: every round, 8 clients want the same window of a capacity-2 device.
        t0 = time.perf_counter()
        for r in range(rounds):
            begin = start + timedelta(hours=4 * r)
            barrier = threading.Barrier(len(sessions))
            results = []

            def racer(session, begin=begin, barrier=barrier, results=results):
                barrier.wait()
                status = post(session, begin)
                with lock:
                    results.append(status)

            threads = [threading.Thread(target=racer, args=(s,)) for s in sessions]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            winners_per_round.append(sum(1 for s in results if s == 201))
        race_s = time.perf_counter() - t0

        # 2. Throughput: 8 clients, each its own windows on the same device.
        throughput_start = start + timedelta(hours=4 * rounds + 24)

        def worker(n, session):
            for k in range(per_thread):
                post(session, throughput_start + timedelta(hours=(n * per_thread + k)), hours=1)

        t0 = time.perf_counter()
        threads = [threading.Thread(target=worker, args=(n, s)) for n, s in enumerate(sessions)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        throughput_s = time.perf_counter() - t0
    finally:
        stop_server(server)
    spans = Booking.objects.filter(device=device, status__in=ACTIVE_STATUSES).values_list("start", "end")
    window = (start - timedelta(days=1), start + timedelta(days=365))
    deepest = max((d for _, _, d in depth_segments(list(spans), *window)), default=0)
    violations = sum(1 for _, _, d in depth_segments(list(spans), *window) if d > device.effective_capacity)
    return {
        "rounds": rounds,
        "winners": winners_per_round,
        "race_s": race_s,
        "throughput_per_s": len(sessions) * per_thread / throughput_s,
        "codes": codes,
        "five_xx": sum(v for k, v in codes.items() if k >= 500),
        "violations": violations,
        "deepest": deepest,
        "capacity": device.effective_capacity,
    }


