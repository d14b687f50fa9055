"""The one base of clientguard's result types: frozen, no unknown fields, documented fields.

Settlements, metrics, findings and reviews are values: made once, never changed, compared and
hashed by what they hold. Each of them derives from :class:`Frozen` rather than repeating the
pydantic configuration that says so.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["Frozen"]


class Frozen(BaseModel):
    """Base of every result type (settlements, metrics, findings, reviews): frozen (assignment
    raises), no unknown fields, each field's docstring its description."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)
