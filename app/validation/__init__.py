"""Validators for domain formats, shared by web forms, the API and plugins."""
