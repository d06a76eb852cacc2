"""Booking services: the workflow, capacity, notifications, calendars, exports, partner bookings."""
