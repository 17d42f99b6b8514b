"""Consumer disputes (消费纠纷)."""
__version__ = "0.1.0"
