"""Web pages (HTML), thin: they translate HTTP to service calls."""
