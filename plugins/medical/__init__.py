"""Medical disputes (医疗纠纷)."""
__version__ = "0.1.0"
