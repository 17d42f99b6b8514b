"""Marriage and family disputes (婚姻家庭纠纷)."""
__version__ = "0.1.0"
