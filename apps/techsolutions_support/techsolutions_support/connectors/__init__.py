"""Scheduled connectors: fleet telematics (rFMS), route plans (VROOM) and generic JSON sources.

config    a TS Connector record as checked settings (secrets read only there)
http      requests with timeouts, back-off, rate limit and authentication
run       the state of one run: counts, error samples, cursor, page commits
store     writing vehicles, positions, statuses, deliveries and routes
fleet, route_plan, deliveries   one source type each: which pages to read, in what order
engine    one run end to end: lock, log, source, ticket refresh, failure alerts
probe     "Test connection": one request, and exactly what failed
"""
