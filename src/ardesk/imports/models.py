"""Import batches: one row per file imported, with its counts (models grow with the importer)."""
