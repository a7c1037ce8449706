"""Periodic jobs the worker runs on every pass.

Apps register their jobs in AppConfig.ready(), so the worker (in core) runs scheduler work without
core importing the scheduler:

    jobs.job_register("scheduler.expire", expire_due)

A job is a callable taking the keyword argument `now` and returning a number (how many things it
handled) or None. Jobs must be safe to run from several workers at once (lock what they change).
"""

import logging
from collections.abc import Callable
from datetime import datetime

logger = logging.getLogger(__name__)

_jobs: dict[str, Callable[..., object]] = {}


def job_register(name: str, func: Callable[..., object]) -> None:
    """Add (or replace) the job called `name`."""
    _jobs[name] = func


def jobs_registered() -> dict[str, Callable[..., object]]:
    return dict(_jobs)


def jobs_run(*, now: datetime) -> dict[str, object]:
    """Run every registered job once. A failing job is logged and does not stop the others."""
    results: dict[str, object] = {}
    for name, func in list(_jobs.items()):
        try:
            results[name] = func(now=now)
        except Exception as exc:
            logger.exception("Periodic job %s failed", name)
            results[name] = exc
    return results
