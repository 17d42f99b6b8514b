"""Neighbour disputes (邻里纠纷): an example Jiefen plugin in its own distribution."""
__version__ = "0.1.0"
