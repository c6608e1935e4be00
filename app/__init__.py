"""Trygghetskartan web service: report API, hotspots, maps and exports."""
