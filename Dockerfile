# The service image. docker-compose.yml runs it next to postgis/postgis.
FROM node:20-bookworm-slim AS assets
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 TRYGG_HOST=0.0.0.0
RUN apt-get update && apt-get install -y --no-install-recommends gdal-bin libpango-1.0-0 libpangoft2-1.0-0 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --create-home trygg
# pgBackRest for the compose `backup` service, from the PostgreSQL apt repository
# (postgresql-common ships its key) like the db image's, so both run one version.
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-common \
    && /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y \
    && apt-get install -y --no-install-recommends pgbackrest \
    && rm -rf /var/lib/apt/lists/* \
    && install -d -m 0700 -o 999 -g 999 /etc/pgbackrest /tmp/pgbackrest
WORKDIR /srv/trygg
COPY requirements.lock pyproject.toml ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock
COPY . .
COPY --from=assets /src/frontend/node_modules frontend/node_modules
# .local keeps the development secret key: the trygg user's only. Compose
# mounts a volume here so the key survives a rebuild.
RUN mkdir -p .local && chown trygg .local && chmod 700 .local
# Editable: templates, migrations and assets stay where the code finds them.
RUN pip install --no-cache-dir --no-deps -e .
USER trygg
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --retries=5 \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"
# Demo data only when asked (LOAD_DEMO_DATA=1), never into a real database by default.
CMD ["sh", "-c", "python -m app migrate && if [ \"${LOAD_DEMO_DATA:-0}\" = 1 ]; then python -m app demo-data load --if-empty; fi && exec python -m app serve"]
