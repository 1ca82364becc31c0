"""The JSON API under /api/v1: thin controllers over app.services, one module per resource."""
