# Trygghetskartan: `make run` serves the app, `make test` runs every test.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test setup db stop psql lint typecheck pytest bench bench-map bench-backup catalogs readme backup restore backup-status backup-scheduler hotspot-worker

setup:
	@scripts/bootstrap.sh

db: setup
	@scripts/database-url.sh >/dev/null

run: setup
	@set -e; url=$$(scripts/database-url.sh); \
	echo "Database: $$url"; \
	DATABASE_URL="$$url" $(PY) -m app migrate; \
	DATABASE_URL="$$url" $(PY) -m app demo-data load --if-empty; \
	echo "Serving on http://127.0.0.1:8000 (Ctrl-C stops; 'make stop' stops the database)"; \
	DATABASE_URL="$$url" $(PY) -m app backup-scheduler & scheduler=$$!; \
	DATABASE_URL="$$url" $(PY) -m app hotspot-worker & hotspots=$$!; \
	trap 'kill $$scheduler $$hotspots 2>/dev/null; wait $$scheduler $$hotspots' EXIT; \
	DATABASE_URL="$$url" TRYGG_HOTSPOT_WORKER_PROCESS=true $(PY) -m app serve

test: setup lint typecheck pytest

lint:
	@$(VENV)/bin/ruff check app geo frontend tests bench scripts migrations
	@$(VENV)/bin/ruff format --check app geo frontend tests bench scripts
	@$(VENV)/bin/lint-imports --no-cache

typecheck:
	@$(VENV)/bin/mypy

pytest: db
	@set -e; url=$$(scripts/database-url.sh); \
	TRYGG_TEST_ADMIN_URL="$$url" $(VENV)/bin/pytest $(PYTEST_ARGS)

bench: setup
	@set -e; url=$$(scripts/database-url.sh); \
	DATABASE_URL="$$url" $(PY) bench/ingest.py; \
	DATABASE_URL="$$url" $(PY) bench/hotspot_quality.py; \
	DATABASE_URL="$$url" $(PY) bench/hotspot_speed.py; \
	DATABASE_URL="$$url" $(PY) bench/export.py

bench-map: setup
	@set -e; url=$$(scripts/database-url.sh); \
	DATABASE_URL="$$url" $(PY) bench/map.py

catalogs: setup
	@$(PY) -m frontend.catalogs

readme: setup
	@$(PY) scripts/update_readme_settings.py

# Backups (docs/OPERATIONS.md). `make restore` asks first; CONFIRM=yes skips that,
# TARGET_TIME='2026-05-01 12:00:00+02' recovers to that time, TO=DIR restores into a
# new data directory instead of the project-local cluster.
backup: db
	@url=$$(scripts/database-url.sh); DATABASE_URL="$$url" $(PY) -m app backup $(if $(TYPE),--type $(TYPE))

# `make run` starts this next to the server; on its own for a server run another way.
hotspot-worker: db
	@url=$$(scripts/database-url.sh); DATABASE_URL="$$url" exec $(PY) -m app hotspot-worker

# `make run` starts this next to the server; on its own for a server run another way.
backup-scheduler: db
	@url=$$(scripts/database-url.sh); DATABASE_URL="$$url" exec $(PY) -m app backup-scheduler

backup-status: db
	@url=$$(scripts/database-url.sh); DATABASE_URL="$$url" $(PY) -m app backup-status

# The erasure log is replayed while the restored cluster listens on a spare port, so a
# running service reconnects only to a database where nothing withdrawn is back.
restore: setup
	@python3 scripts/pgcluster.py restore \
		$(if $(TARGET_TIME),--target-time "$(TARGET_TIME)") \
		$(if $(TO),--to "$(TO)",--then "$(PY) -m app erasure-replay") \
		$(if $(filter yes,$(CONFIRM)),--yes)

bench-backup: setup
	@$(PY) bench/backup.py $(if $(SIZES),--sizes $(SIZES))

stop:
	@python3 scripts/pgcluster.py stop && echo "project-local PostgreSQL stopped"

psql: db
	@url=$$(scripts/database-url.sh); exec psql "$$url"
