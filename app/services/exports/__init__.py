"""Hotspot exports for planners' GIS: GeoJSON (RFC 7946), GeoPackage (EPSG:3006), CSV."""

from app.services.exports.build import FORMATS, Export, build_export

__all__ = ["FORMATS", "Export", "build_export"]
