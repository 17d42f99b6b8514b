"""Traffic-accident disputes (交通事故纠纷)."""
__version__ = "0.1.0"
