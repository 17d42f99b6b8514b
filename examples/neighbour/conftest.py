"""Let pytest import ``jiefen_neighbour`` from this checkout without installing it.

Run from the Jiefen project root (``pytest examples/neighbour/tests``) so that Jiefen's
root ``conftest.py`` and its fixtures (``database``, ``app``...) are available too.
"""
import sys
from pathlib import Path

HERE = str(Path(__file__).resolve().parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)
