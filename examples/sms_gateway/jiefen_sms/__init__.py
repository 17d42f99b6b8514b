"""An example linkage mechanism in its own distribution (docs/linkage.md walks through it)."""
__version__ = "0.1.0"
