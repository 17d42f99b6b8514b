"""Root conftest: the core's own fixtures (tests/fixtures.py). The plugin testing kit's fixtures
(``jiefen``, ``client_as``, ``make_case``…) come from its ``pytest11`` entry point, as in any project."""
pytest_plugins = ["tests.fixtures", "tests.demo_world"]
