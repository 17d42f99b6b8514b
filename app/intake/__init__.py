"""Case intake: per-type forms built from plugin declarations, shared by web and API."""
