"""Domain services: the operations views, the API and the CLI share."""
