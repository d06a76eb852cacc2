"""Marshmallow schemas shared by import, export and the API."""
