"""Land and forest title disputes (山林土地权属纠纷): an example Jiefen plugin in its own distribution."""
__version__ = "0.1.0"
