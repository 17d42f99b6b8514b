"""Web views and REST APIs. The core creates every view, its own and the plugins'."""
