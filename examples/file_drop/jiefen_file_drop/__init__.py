"""A linkage mechanism in its own distribution: referrals as JSON files in a folder the
partner's system reads (docs/linkage.md builds it step by step)."""
__version__ = "0.1.0"
