# Production image: gunicorn serving zppbrabant.wsgi; the same image runs the
# Celery worker and beat (see docker-compose.yml). Static files are collected at
# build time and served by WhiteNoise.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=zppbrabant.settings \
    VAR_DIR=/app/var \
    PORT=8000

# System libraries for PDF rendering with WeasyPrint (invoices, certificates).
# (psycopg[binary] brings its own libpq.)
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 app \
 && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first (their layer is rebuilt only when pyproject.toml changes):
# the runtime dependencies listed in pyproject.toml, without the dev extras.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
 && pip install -r /tmp/requirements.txt \
 && rm /tmp/requirements.txt

COPY . .

# collectstatic needs importable settings, not a database or a real secret.
RUN DEBUG=0 \
    SECRET_KEY=collectstatic-at-build-time-only-not-a-secret-0123456789abcdef \
    DATABASE_URL=postgres://build@127.0.0.1:5432/build \
    REDIS_URL=redis://127.0.0.1:1/0 \
    python manage.py collectstatic --noinput \
 && mkdir -p /app/var/uploads \
 && chown -R app:app /app/var

USER 10001:10001
EXPOSE 8000

# Workers: WEB_CONCURRENCY (gunicorn reads it). TLS ends at the proxy in front,
# which sets X-Forwarded-Proto (see SECURE_PROXY_SSL_HEADER in settings).
CMD ["gunicorn", "zppbrabant.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-", "--forwarded-allow-ips", "*", "--timeout", "60"]
