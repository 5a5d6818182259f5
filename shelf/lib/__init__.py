"""Small helpers that do not depend on Django."""
