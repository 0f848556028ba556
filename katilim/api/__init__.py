"""The open-data API (/api/v1), its OpenAPI document, and the CSV exports."""
