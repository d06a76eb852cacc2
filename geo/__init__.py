"""Pure spatial layer of the registry: coordinate systems, districts, distances.

No web framework code lives here, so everything can be used from the CLI,
the importer and tests alike. Coordinates are always ``(lon, lat)``;
everything stored or compared is WGS-84 (EPSG:4326).
"""
