"""Domain logic without HTTP: geometry validation, coordinates, clustering."""
