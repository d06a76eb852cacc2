"""Registry records: import, export, uploads, hand edits, the change log and its feed, data quality."""
