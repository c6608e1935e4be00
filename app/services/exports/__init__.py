"""Exports for planners' GIS and for patrols.

- `hotspots`: the staff view of the hotspots as GeoJSON, GeoPackage or CSV;
- `sites`: redesign sites in the same three formats;
- `patrols`: a patrol plan as GeoJSON, GPX 1.1, or the data of its printable page;
- `files`: the `Export` every builder returns; `csv_writer`, `gpkg_writer`: the writers.
"""

from app.services.exports.files import FORMATS, Export
from app.services.exports.hotspots import build_export

__all__ = ["FORMATS", "Export", "build_export"]
