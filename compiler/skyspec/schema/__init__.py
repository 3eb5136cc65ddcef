"""Typed checks: JSON Schema (2020-12) files from the repository's `schemas/` folder."""

from .validate import KINDS, load_schema, validate

__all__ = ["KINDS", "load_schema", "validate"]
