# labsite: gunicorn + whitenoise on Python 3.11, running as an unprivileged user.
#   docker build -t labsite .
#   docker run -p 8000:8000 -e SECRET_KEY=... -e ALLOWED_HOSTS=localhost labsite          (SQLite in /data)
# docker-compose.yml adds PostgreSQL and the worker.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN groupadd --system --gid 10001 labsite \
 && useradd --system --uid 10001 --gid labsite --home-dir /app --no-create-home --shell /usr/sbin/nologin labsite

WORKDIR /app

# Dependencies first, so that code changes reuse this layer.
COPY requirements.txt .
RUN pip install -r requirements.txt

# The code stays owned by root: the app user can read it but not change it.
COPY . .

# Static files are collected into the image (served by whitenoise). The key only lets settings load
# for this build step; it is not in the final environment.
RUN SECRET_KEY=build-only-not-a-secret DEBUG=false python manage.py collectstatic --noinput \
 && chmod 0755 docker/entrypoint.sh docker/healthcheck.py \
 && mkdir -p /data/media \
 && chown -R labsite:labsite /data

# Writable state lives in /data: uploaded attachments, and the SQLite file when no DATABASE_URL is given.
ENV DATABASE_URL=sqlite:////data/db.sqlite3 \
    MEDIA_ROOT=/data/media \
    GUNICORN_WORKERS=3

USER labsite
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "/app/docker/healthcheck.py"]

ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["web"]
