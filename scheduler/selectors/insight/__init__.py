"""Insight: what is free, substitutes for a refused request, demand, utilization and activity reports.

Booked time is always summed in SQL (`sql.booked_seconds`); the only rows read into Python are the
few that describe when a device could be booked at all (status changes, maintenance windows).
"""
