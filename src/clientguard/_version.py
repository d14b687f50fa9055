"""The version of the clientguard distribution, written once (``[tool.hatch.version]`` reads it).

A module of its own, at the bottom of the layers, so that a report can name the version without
importing the whole package (``clientguard/__init__.py`` imports every layer).
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
