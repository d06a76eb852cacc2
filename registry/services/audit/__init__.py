"""The bureaus' audit: district figures, gaps, accessibility, exports and maps."""
