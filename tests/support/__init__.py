"""Test support: a PostgreSQL server started for the session, a scripted loopback HTTP server."""
