"""The case lifecycle: one state machine, its guards, and the timeline it writes."""
