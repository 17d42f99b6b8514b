"""Property management and housing disputes (物业及商品房纠纷)."""
__version__ = "0.1.0"
