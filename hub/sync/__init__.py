"""The sync engine: jobs that keep the hub and every connected system consistent."""
