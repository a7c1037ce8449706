"""Topology composer in the browser: time from "Resolve" to the options drawn, and page weight.

Builds the demo lab (`init_db --demo`) in a fresh SQLite file, serves it with `runserver` on a free
port of 127.0.0.1, and drives Debian's Chromium through Playwright as the demo member "alice":
- saves a 5-node topology (a ring of four ROADMs through a fibre reel) and a 12-node one (a ring
  of six ROADMs through two reels, with four transponders) through the topology API;
- opens each in the composer, presses Resolve (a chosen window, and "earliest" for a duration) and
  waits until the option cards are drawn on the page; the page measures the time itself, from the
  click to the last card drawn (`data-resolve-ms`), which includes saving nothing (already saved),
  the API calls and the drawing;
- sums what the composer page downloads (HTML, CSS, scripts, as sent and decoded).

    .venv/bin/python bench/composer_bench.py [--runs 10]
"""

import argparse
import gzip
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.local_server import free_port  # noqa: E402

PYTHON = sys.executable
CHROMIUM = "/usr/bin/chromium"


def ring(roadms: int, reels: int, transponders: int) -> dict:
    """A ring of ROADMs with fibre reels spliced into its first spans, transponders on the first ROADMs."""
    nodes = [{"key": f"roadm{i + 1}", "type": "ROADM"} for i in range(roadms)]
    links = []
    for i in range(roadms):
        a, b = f"roadm{i + 1}", f"roadm{(i + 1) % roadms + 1}"
        if i < reels:
            nodes.append({"key": f"reel{i + 1}", "type": "Fiber"})
            links += [{"a": a, "b": f"reel{i + 1}"}, {"a": f"reel{i + 1}", "b": b}]
        else:
            links.append({"a": a, "b": b})
    for i in range(transponders):
        nodes.append({"key": f"tf{i + 1}", "type": "TeraFlex"})
        links.append({"a": f"tf{i + 1}", "b": f"roadm{i + 1}"})
    return {"nodes": nodes, "links": links}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="labsite-composer-bench-"))
    env = dict(os.environ, DEBUG="true", DATABASE_URL=f"sqlite:///{workdir}/bench.sqlite3")
    subprocess.run([PYTHON, "manage.py", "init_db", "--demo"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    port = free_port()
    server = subprocess.Popen([PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        run(base, args.runs)
    finally:
        server.terminate()
        server.wait(10)


def run(base: str, runs: int) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(base_url=base, viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill("alice")
        page.get_by_label("Password").fill("labsite-alice")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(base + "/")
        csrf = next(c["value"] for c in context.cookies() if c["name"] == "csrftoken")
        types = {t["name"]: t["id"] for t in page.request.get("/api/inventory/device-types/?limit=100").json()["results"]}

        weight(page, base)
        monday = (datetime.now() + timedelta(days=14)).date()
        monday -= timedelta(days=monday.weekday())
        for label, shape in (("5 nodes", ring(4, 1, 0)), ("12 nodes", ring(6, 2, 4))):
            body = {"name": f"bench {label}", "description": "", "links": [dict(link, fixed_only=False, notes="") for link in shape["links"]],
                    "nodes": [{"key": n["key"], "device_type": types[n["type"]], "device": None, "params": {}} for n in shape["nodes"]]}
            response = page.request.post("/api/scheduler/topologies/", data=body, headers={"X-CSRFToken": csrf})
            assert response.status == 201, response.text()
            topology = response.json()["id"]
            page.goto(f"/topologies/{topology}/")
            for mode in ("window", "earliest"):
                times = []
                for _ in range(runs + 1):  # the first run warms the server's caches up
                    page.reload()
                    if mode == "window":
                        page.locator("#mode-window").check()
                        page.locator("#start").fill(f"{monday}T09:00")
                        page.locator("#end").fill(f"{monday}T13:00")
                    page.get_by_role("button", name="Resolve").click()
                    page.wait_for_selector("#mappings[data-resolve-ms], #infeasible:not([hidden])", timeout=60_000)
                    value = page.locator("#mappings").get_attribute("data-resolve-ms")
                    cards = page.locator(".mapping-card").count()
                    if value is None:
                        print(f"{label}, {mode}: infeasible: {page.locator('#infeasible').inner_text()[:200]}")
                        break
                    times.append(float(value))
                times = sorted(times[1:])
                if times:
                    p95 = times[max(0, int(len(times) * 0.95) - 1)]
                    print(f"{label:9s} {mode:8s}: Resolve → {cards} options drawn: median {statistics.median(times):6.0f} ms, "
                          f"p95 {p95:6.0f} ms ({len(times)} runs)")
        browser.close()


def weight(page, base: str) -> None:
    """Bytes the composer page loads: each file decoded, and gzipped as whitenoise serves it in production."""
    page.goto("/topologies/new/")
    page.wait_for_load_state("networkidle")
    entries = page.evaluate("""() => performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))
        .map(e => ({name: e.name, size: e.decodedBodySize}))""")
    total = zipped = 0
    for entry in entries:
        path = entry["name"].replace(base, "")
        body = page.request.get(path).body()
        total += len(body)
        zipped += len(gzip.compress(body, 6))
        print(f"  {path:60s} {len(body) / 1024:6.1f} KiB (gzip {len(gzip.compress(body, 6)) / 1024:5.1f} KiB)")
    print(f"composer page weight: {len(entries)} requests, {total / 1024:.1f} KiB, {zipped / 1024:.1f} KiB gzipped")


if __name__ == "__main__":
    main()
