"""Database housekeeping shared by the commands that write in bulk."""

from django.db import connection


def refresh_statistics() -> None:
    """Let the query planner see what a bulk write changed.

    After 100,000 rows arrive at once PostgreSQL plans with the old row
    counts until autovacuum analyses the tables (never, where it is off):
    a detail page's queries went from 1 ms to 100 ms that way."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
