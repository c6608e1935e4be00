#!/bin/sh
# The db container: pgBackRest's configuration (and on first start the backup
# key) before PostgreSQL starts, then the image's own entrypoint.
set -eu
mkdir -p /var/lib/pgbackrest-key /var/lib/pgbackrest
chown postgres:postgres /var/lib/pgbackrest-key /var/lib/pgbackrest
chmod 700 /var/lib/pgbackrest-key /var/lib/pgbackrest
KEY_FILE=/var/lib/pgbackrest-key/backup.key /usr/local/bin/pgbackrest-conf.sh
chown -R postgres:postgres /etc/pgbackrest /tmp/pgbackrest /var/lib/pgbackrest-key
exec docker-entrypoint.sh "$@"
