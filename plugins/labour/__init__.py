"""Labour disputes (劳动纠纷)."""
__version__ = "0.1.0"
