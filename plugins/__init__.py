"""Built-in dispute-type plugins. Each registers through the ``jiefen.plugins`` entry point
exactly as a third-party plugin would, and imports only ``app.plugins``."""
