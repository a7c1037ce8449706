"""Cheap consistency checks of the Dockerfile, entrypoint and compose file (Docker itself is not run)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import get_commands
from django.urls import reverse

ROOT = Path(settings.BASE_DIR)
DOCKERFILE = (ROOT / "Dockerfile").read_text()
ENTRYPOINT = (ROOT / "docker" / "entrypoint.sh").read_text()
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SETTINGS_SOURCE = (ROOT / "labsite" / "settings.py").read_text()

# Variables only the container scripts read (not Django settings).
CONTAINER_VARS = {"GUNICORN_WORKERS", "GUNICORN_TIMEOUT", "INIT_DB_DEMO", "HEALTHCHECK_URL", "BIND"}


def _settings_vars() -> set[str]:
    return set(re.findall(r"""env(?:\.\w+)?\(\s*["']([A-Z0-9_]+)["']""", SETTINGS_SOURCE))


def test_dockerfile_basics():
    """python:3.11-slim, a non-root user, collectstatic at build, an entrypoint and a health check."""
    assert re.search(r"^FROM python:3\.11-slim\b", DOCKERFILE, re.M)
    users = re.findall(r"^USER\s+(\S+)", DOCKERFILE, re.M)
    assert users and users[-1] not in ("root", "0")
    assert "pip install -r requirements.txt" in DOCKERFILE
    assert re.search(r"SECRET_KEY=\S+ .*manage\.py collectstatic --noinput", DOCKERFILE)
    assert 'HEALTHCHECK' in DOCKERFILE and "docker/healthcheck.py" in DOCKERFILE
    assert 'ENTRYPOINT ["/app/docker/entrypoint.sh"]' in DOCKERFILE


def test_entrypoint_migrates_then_serves_asgi_on_all_interfaces():
    """web: migrate, init_db, then gunicorn with uvicorn workers (labsite.asgi) on 0.0.0.0:8000 by default.

    An event loop per worker holds slow connections, so they cost no worker (bench/serve_bench.py).
    """
    assert ENTRYPOINT.index("manage.py migrate --noinput") < ENTRYPOINT.index("manage.py init_db") < ENTRYPOINT.index("exec gunicorn")
    assert "labsite.asgi:application" in ENTRYPOINT
    assert "--worker-class uvicorn_worker.UvicornWorker" in ENTRYPOINT
    assert '--bind "${BIND:-0.0.0.0:8000}"' in ENTRYPOINT
    assert '--workers "${GUNICORN_WORKERS' in ENTRYPOINT
    from labsite.asgi import application

    assert callable(application)
    result = subprocess.run(["sh", "-n", str(ROOT / "docker" / "entrypoint.sh")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_commands_used_by_the_containers_exist():
    """Every `manage.py <command>` in the Dockerfile, entrypoint and compose file is a real command."""
    used = set(re.findall(r"manage\.py (\w+)", DOCKERFILE + ENTRYPOINT + yaml.safe_dump(COMPOSE)))
    assert {"migrate", "collectstatic", "init_db", "run_worker"} <= used
    available = set(get_commands())
    assert used <= available, f"unknown commands: {sorted(used - available)}"


def test_healthcheck_probes_the_healthz_url():
    """The health check asks for the URL the project actually serves."""
    assert reverse("healthz") == "/healthz"
    assert "http://127.0.0.1:8000/healthz" in (ROOT / "docker" / "healthcheck.py").read_text()


def test_compose_services():
    """db (postgres:16, volume, health check), redis, web (waits for db and redis), worker, and the TLS proxy."""
    services = COMPOSE["services"]
    assert set(services) >= {"db", "redis", "web", "worker", "proxy"}
    db = services["db"]
    assert db["image"] == "postgres:16"
    assert any(v.endswith(":/var/lib/postgresql/data") for v in db["volumes"])
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    web = services["web"]
    assert web["depends_on"]["db"]["condition"] == "service_healthy"
    assert web["depends_on"]["redis"]["condition"] == "service_healthy"
    assert "ports" not in web, "only the TLS proxy is published"
    assert web["build"] == "."
    worker = services["worker"]
    assert worker["command"] == ["worker"]
    assert worker["depends_on"]["web"]["condition"] == "service_healthy"
    env = web["environment"]
    for name in ("DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS", "DISCORD_BOOKING_WEBHOOK_URL", "DISCORD_ADMIN_WEBHOOK_URL"):
        assert name in env, name
    assert env["DATABASE_URL"].startswith("postgres://") and "@db:5432/" in env["DATABASE_URL"]
    assert "?" in env["SECRET_KEY"], "SECRET_KEY must be required, never defaulted"
    # Every web and worker process throttles through one shared cache.
    assert env["CACHE_URL"] == "redis://redis:6379/0"
    assert services["redis"]["image"].startswith("redis:")
    assert env["NUM_PROXIES"].startswith("${NUM_PROXIES:-1}") and "true" in env["BEHIND_TLS_PROXY"]


def test_compose_terminates_tls_in_caddy_in_front_of_web():
    """The proxy service publishes 80/443 and forwards to web:8000 with the repository's Caddyfile."""
    proxy = COMPOSE["services"]["proxy"]
    assert proxy["image"].startswith("caddy:")
    assert {"80:80", "443:443"} <= set(proxy["ports"])
    assert "./docker/Caddyfile:/etc/caddy/Caddyfile:ro" in proxy["volumes"]
    caddyfile = (ROOT / "docker" / "Caddyfile").read_text()
    assert "reverse_proxy web:8000" in caddyfile and "{$SITE_ADDRESS" in caddyfile


def test_compose_only_passes_variables_that_something_reads():
    """A misspelt variable in the compose file would be silently ignored; every one must be read."""
    passed = set(COMPOSE["services"]["web"]["environment"]) | set(COMPOSE["services"]["worker"]["environment"])
    unknown = passed - _settings_vars() - CONTAINER_VARS
    assert not unknown


def test_dockerignore_keeps_secrets_and_local_state_out():
    """The build context never carries .env, the virtualenv, the git history or a local database."""
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()}
    assert {".env", ".venv", ".git", "db.sqlite3*", "media/"} <= ignored


@pytest.mark.django_db(transaction=True)
def test_healthcheck_script_against_a_live_server(live_server):
    """The probe exits 0 against a running labsite and 1 when nothing answers."""
    script = str(ROOT / "docker" / "healthcheck.py")
    env = {**os.environ, "HEALTHCHECK_URL": f"{live_server.url}/healthz", "ALLOWED_HOSTS": ".localhost,127.0.0.1"}
    assert subprocess.run([sys.executable, script], env=env, capture_output=True, timeout=30).returncode == 0
    env["HEALTHCHECK_URL"] = "http://127.0.0.1:9/healthz"
    assert subprocess.run([sys.executable, script], env=env, capture_output=True, timeout=30).returncode == 1
