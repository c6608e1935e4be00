#!/bin/sh
# Writes /etc/pgbackrest/pgbackrest.conf for the compose deployment, in the db
# container (archive-push, archive-get) and the backup container (backups,
# restores) alike. The repository key is TRYGG_BACKUP_KEY when set, else the
# one kept in $KEY_FILE (the `backupkey` volume), generated there on first start.
set -eu
KEY_FILE=${KEY_FILE:-/var/lib/pgbackrest-key/backup.key}
CONF=${PGBACKREST_CONF:-/etc/pgbackrest/pgbackrest.conf}

if [ -n "${TRYGG_BACKUP_KEY:-}" ]; then
    key=$TRYGG_BACKUP_KEY
elif [ -s "$KEY_FILE" ]; then
    key=$(cat "$KEY_FILE")
elif [ -w "$(dirname "$KEY_FILE")" ]; then
    # First start: a key of its own, never the service's secret key.
    (umask 077 && head -c 48 /dev/urandom | base64 | tr -d '\n=' > "$KEY_FILE" && echo >> "$KEY_FILE")
    key=$(cat "$KEY_FILE")
else
    echo "no backup key: set TRYGG_BACKUP_KEY or start the db service first" >&2
    exit 1
fi

mkdir -p "$(dirname "$CONF")" /tmp/pgbackrest
umask 077
cat > "$CONF" <<END_OF_CONF
[global]
repo1-path=${TRYGG_BACKUP_DIR:-/var/lib/pgbackrest}
repo1-retention-full=${TRYGG_BACKUP_RETENTION_FULL:-2}
repo1-cipher-type=aes-256-cbc
repo1-cipher-pass=$key
compress-type=lz4
start-fast=y
process-max=2
log-path=/tmp/pgbackrest
lock-path=/tmp/pgbackrest
spool-path=/tmp/pgbackrest
log-level-console=warn
log-level-file=info

[trygg]
pg1-path=/var/lib/postgresql/data
pg1-socket-path=/var/run/postgresql
pg1-user=${POSTGRES_USER:-trygg}
END_OF_CONF
