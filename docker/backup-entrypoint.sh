#!/bin/sh
# The backup container (the app image, as the postgres uid 999 that owns the
# data volume): `scheduler` (the default) runs `python -m app backup-scheduler`;
# `restore [TIME]` restores the latest backup, or the state at TIME, into the
# stopped db service's data volume. See docs/OPERATIONS.md.
set -eu
/srv/trygg/docker/pgbackrest-conf.sh
pgbr() { pgbackrest --config=/etc/pgbackrest/pgbackrest.conf --stanza=trygg "$@"; }

case "${1:-scheduler}" in
scheduler)
    # Idempotent: creates the stanza on the first start, checks it afterwards.
    pgbr stanza-create
    exec python -m app backup-scheduler
    ;;
restore)
    if [ -n "${2:-}" ]; then
        pgbr restore --delta --type=time "--target=$2" --target-action=promote
    else
        pgbr restore --delta
    fi
    echo "restored; now: docker compose up -d (the app replays the erasure log before it answers)"
    ;;
*)
    exec "$@"
    ;;
esac
