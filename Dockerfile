# syntax=docker/dockerfile:1
# LeaseKeeper image: one image for the api (gunicorn), the migrate one-shot and the worker.
# Build with BuildKit (the default builder of current Docker and of `docker compose build`).

# --- Stage 1: the web front end (pwa/ -> pwa/dist) ---------------------------------------
# Static files do not depend on the target platform, so this stage runs natively.
FROM --platform=$BUILDPLATFORM node:22-slim AS pwa
WORKDIR /src/pwa
# The pw[a] wildcards let the build pass while pwa/ does not exist yet: BuildKit copies
# nothing for a wildcard that matches nothing. Manifests first, so `npm ci` stays cached.
COPY pw[a]/package*.json ./
RUN --mount=type=cache,target=/root/.npm \
    if [ -f package.json ]; then npm ci --no-audit --no-fund; fi
COPY pw[a] ./
RUN if [ -f package.json ]; then npm run build; else mkdir -p dist; fi

# --- Stage 2: Python dependencies and the project, in a virtualenv -----------------------
FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH
RUN python -m venv /opt/venv
WORKDIR /src
# Dependencies first, read from pyproject.toml, so a code change does not reinstall them.
COPY pyproject.toml ./
RUN --mount=type=cache,target=/root/.cache/pip \
    python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project'].get('dependencies', [])))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt
COPY README* LICENSE* ./
COPY backend ./backend
COPY sync ./sync
COPY qr_tools ./qr_tools
# The compiled message catalogues (.mo) are build products, not files in the repository.
RUN pybabel compile --use-fuzzy -d backend/translations -D messages
RUN --mount=type=cache,target=/root/.cache/pip \
    pip install .

# --- Stage 3: runtime -------------------------------------------------------------------
FROM python:3.11-slim AS runtime
LABEL org.opencontainers.image.title="LeaseKeeper" \
      org.opencontainers.image.description="Lease and asset management: API, migrations and worker"
# The project is installed into site-packages, so the paths that backend/config.py derives
# from the source tree (var/, pwa/dist) are set explicitly.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    LEASEKEEPER_ENV=production \
    LEASEKEEPER_VAR_DIR=/app/var \
    PWA_DIST_DIR=/app/pwa/dist
# A CJK font for the Chinese project names printed on QR labels.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-wqy-microhei \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 leasekeeper \
    && useradd --system --uid 10001 --gid leasekeeper --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin leasekeeper
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY --from=pwa /src/pwa/dist ./pwa/dist
# Only var/ is writable by the app user (files when STORAGE_BACKEND=local).
RUN mkdir -p /app/var && chown leasekeeper:leasekeeper /app/var
USER 10001:10001
EXPOSE 8000
# sh -c so WEB_CONCURRENCY is read at start; exec so gunicorn receives the stop signal. The app logs
# every request itself (JSON), so gunicorn keeps no access log; its control socket would need a
# writable home directory, which this user does not have.
CMD ["sh", "-c", "exec gunicorn --bind 0.0.0.0:8000 --workers ${WEB_CONCURRENCY:-3} --no-control-socket backend.wsgi:app"]
