# PostGIS with pgBackRest: the db service archives its WAL into the backups volume.
FROM postgis/postgis:15-3.4
# From the PostgreSQL apt repository the base image already uses; the app image
# takes pgBackRest from the same repository, so both run the same version.
RUN apt-get update && apt-get install -y --no-install-recommends pgbackrest \
    && rm -rf /var/lib/apt/lists/*
COPY docker/pgbackrest-conf.sh /usr/local/bin/pgbackrest-conf.sh
COPY docker/db-entrypoint.sh /usr/local/bin/db-entrypoint.sh
RUN chmod 755 /usr/local/bin/pgbackrest-conf.sh /usr/local/bin/db-entrypoint.sh
ENTRYPOINT ["db-entrypoint.sh"]
CMD ["postgres"]
