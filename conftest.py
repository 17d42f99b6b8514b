"""Root conftest: the shared fixtures serve both tests/ and each plugin's own tests."""
pytest_plugins = ["tests.fixtures"]
