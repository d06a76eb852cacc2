"""Seed data: district boundaries and figures, and the demonstration data set."""
