#!/bin/sh
# Writes through the URL, reads through the separate variables.
psql -q "$DB_URL" -c 'INSERT INTO visits DEFAULT VALUES' || exit 1
rows=$(PGPASSWORD="$DB_PASSWORD" psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d "$DB_DATABASE" -tAc 'SELECT count(*) FROM visits')
hits=$(redis-cli -u "$CACHE_URL" INCR hits)
echo "rows=$rows hits=$hits (db at $DB_HOST:$DB_PORT, cache at $CACHE_HOST:$CACHE_PORT)"
echo store online
exec sleep 600
