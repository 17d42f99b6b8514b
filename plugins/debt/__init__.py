"""Debt disputes (债务纠纷)."""
__version__ = "0.1.0"
