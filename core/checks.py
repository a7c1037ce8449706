"""System checks of labsite's own configuration."""

from django.conf import settings
from django.core.checks import Warning, register

PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@register()
def shared_cache_check(app_configs, **kwargs):
    """Throttle counters in one process's memory let N processes allow N times the rate."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend in PER_PROCESS_CACHES:
        return [Warning(
            f"The default cache ({backend}) is not shared between processes, so API throttles count per process.",
            hint="Leave CACHE_URL unset (the database cache) or point it at Redis: CACHE_URL=redis://host:6379/0.",
            id="core.W001",
        )]
    return []
