"""Background jobs: Dramatiq actors on Redis or RabbitMQ, or in-process."""
