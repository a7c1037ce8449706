"""manage.py run_worker: deliver notifications and run the periodic jobs, until SIGTERM/SIGINT."""

import logging
import signal
import threading
import time

import requests
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection

from core import clock, jobs
from core.services.notifications import notifications_deliver_due

logger = logging.getLogger(__name__)


def _refresh_connections() -> None:
    # Drop broken or too-old connections between passes (not inside an enclosing transaction, as in tests).
    if not connection.in_atomic_block:
        close_old_connections()


class Command(BaseCommand):
    help = (
        "Run the background worker: every pass runs the periodic jobs (expire undecided requests, "
        "send reminders) and delivers the due Discord notifications. Stops cleanly on SIGTERM or SIGINT "
        "after the current item. --once runs a single pass (for cron and tests)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run one pass and exit.")
        parser.add_argument(
            "--interval", type=float, default=None,
            help=f"Seconds between passes (default NOTIFY_WORKER_INTERVAL, {settings.NOTIFY_WORKER_INTERVAL:g}).",
        )
        parser.add_argument("--no-jobs", action="store_true", help="Only deliver notifications.")

    def handle(self, *args, once=False, interval=None, no_jobs=False, **options):
        interval = settings.NOTIFY_WORKER_INTERVAL if interval is None else max(0.0, interval)
        stop = threading.Event()

        def request_stop(signum, frame):
            if not stop.is_set():
                self.stdout.write(f"Received {signal.Signals(signum).name}; finishing the current item.")
            stop.set()

        previous = {}
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGTERM, signal.SIGINT):
                previous[signum] = signal.signal(signum, request_stop)
        client = requests.Session()  # pooled connections to Discord for the worker's lifetime
        passes = 0
        try:
            if not once:
                self.stdout.write(f"Worker started (pass every {interval:g}s).")
            while not stop.is_set():
                try:
                    self._pass(client=client, stop=stop, run_jobs=not no_jobs, verbose=once)
                except Exception:
                    # A broken pass (the database away, a bug) is logged; the next pass tries again.
                    logger.exception("Worker pass failed; trying again in %gs", interval)
                    if once:
                        raise
                passes += 1
                if once:
                    break
                # Sleep in short slices so a signal is noticed at once on every platform.
                deadline = time.monotonic() + interval
                while not stop.is_set() and time.monotonic() < deadline:
                    stop.wait(min(0.5, deadline - time.monotonic()))
        finally:
            client.close()
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            _refresh_connections()
        if not once:
            self.stdout.write(f"Worker stopped after {passes} pass{'es' if passes != 1 else ''}.")

    def _pass(self, *, client, stop, run_jobs: bool, verbose: bool) -> None:
        _refresh_connections()
        job_results = {}
        if run_jobs:
            job_results = jobs.jobs_run(now=clock.now())
        result = notifications_deliver_due(client=client, should_stop=stop.is_set)
        did = {name: n for name, n in job_results.items() if n}
        if verbose or result.handled or did:
            jobs_text = ", ".join(
                f"{name} failed ({n})" if isinstance(n, Exception) else f"{name}: {n}" for name, n in did.items()
            )
            self.stdout.write(
                f"Notifications: {result.sent} sent, {result.retried} to retry, {result.failed} failed, "
                f"{result.disabled} disabled." + (f" Jobs: {jobs_text}." if jobs_text else "")
            )
        _refresh_connections()
