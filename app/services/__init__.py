"""The business rules, one module per resource. Plain functions; no FastAPI here."""
