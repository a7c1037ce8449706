"""Booking POSTs over HTTP, this checkout against another commit, back to back on the same lab.

A shared machine's speed drifts by a third within minutes, so rates measured minutes apart do not
compare. This runs both trees against one lab database (the scheduler benchmark's, built once),
alternating A B B A in every round so a drift weighs on both alike: gunicorn 1 worker x 4 threads,
DEBUG off, SQLite, an API token, sequential single-booking POSTs with `requests` and with
`http.client` (see booking_posts.post_http_sequential). The other commit is checked out in a
temporary git worktree and served with this checkout's virtualenv, so the two commits must share
the database schema (no migration between them) and the requirements.

    .venv/bin/python bench/booking_posts_compare.py f1082b2 [--rounds 3] [--http-posts 600]

It prints every run (with the share of the machine's CPU time the hypervisor stole during it),
then per tree and client the best and median rate, p50 and server CPU per POST, and the ratio of
this checkout's rates to the other's.
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.booking_posts import post_http_sequential  # noqa: E402
from bench.scheduler_lab import build_lab, configure  # noqa: E402

CLIENTS = ("requests", "http.client")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("commit", help="the commit to compare with (e.g. the one before a change)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of A B B A runs per client")
    parser.add_argument("--http-posts", type=int, default=600, help="sequential POSTs per run")
    args = parser.parse_args()

    sha = subprocess.check_output(["git", "rev-parse", "--short", args.commit], cwd=ROOT, text=True).strip()
    head = subprocess.check_output(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True).strip()
    configure(None)
    from django.utils import timezone

    from scheduler.models import BookingPolicy
    from scheduler.selectors.availability import grid_ceil

    now = timezone.now()
    lab = build_lab(now)
    policy = BookingPolicy.load()
    start = grid_ceil(now + timedelta(days=2), policy.slot_minutes, timezone.get_default_timezone())
    step = timedelta(hours=3 * ((args.http_posts + 40) // len(lab["devices"]) + 2))

    with tempfile.TemporaryDirectory(prefix="labsite-compare-") as parent:
        other = Path(parent) / sha
        subprocess.run(["git", "worktree", "add", "--detach", "--quiet", str(other), sha], cwd=ROOT, check=True)
        trees = {f"{sha} (other)": other, f"{head} (this checkout)": ROOT}
        results: dict[tuple[str, str], list[dict]] = {(name, c): [] for name in trees for c in CLIENTS}
        try:
            for round_ in range(args.rounds):
                for client in CLIENTS:
                    order = list(trees.items())
                    for name, tree in order + order[::-1]:  # A B B A
                        result = post_http_sequential(lab["heavy"], lab["devices"], start, args.http_posts,
                                                      client=client, tree=tree)
                        start += step
                        results[(name, client)].append(result)
                        print(f"round {round_ + 1}, {client:11}, {name:22}: {result['per_s']:4.0f} POST/s, "
                              f"p50 {result['p50']:5.1f} ms, server CPU {result['server_cpu_ms']:.2f} ms per POST, "
                              f"stolen {result['steal_pct']:.0f}%, answers {result['codes']}", flush=True)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(other)], cwd=ROOT, check=False)

    # The best run is the one the machine disturbed least (as timeit keeps the fastest); the median shows the spread.
    print("\nbest and median of the runs (gunicorn 1 worker x 4 threads, SQLite, token, sequential):")
    for client in CLIENTS:
        best, median = {}, {}
        for name in trees:
            runs = results[(name, client)]
            best[name] = max(r["per_s"] for r in runs)
            median[name] = statistics.median(r["per_s"] for r in runs)
            print(f"  {client:11} {name:22}: best {best[name]:4.0f} POST/s, median {median[name]:4.0f}; "
                  f"p50 {min(r['p50'] for r in runs):5.1f} ms at best; server CPU per POST "
                  f"{min(r['server_cpu_ms'] for r in runs):.2f} ms at least, {statistics.median(r['server_cpu_ms'] for r in runs):.2f} median "
                  f"({len(runs)} runs)")
        (old_best, new_best), (old_median, new_median) = best.values(), median.values()
        print(f"  {client:11} this checkout / {sha}: {new_best / old_best:.2f}x best, {new_median / old_median:.2f}x median")


if __name__ == "__main__":
    main()
