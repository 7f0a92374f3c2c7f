"""dms-hub application layer: HTTP API, CLI, persistence, jobs and wiring."""
