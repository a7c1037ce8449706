"""Booking pages (server-rendered, htmx for partial updates). Each module holds one page's views."""
