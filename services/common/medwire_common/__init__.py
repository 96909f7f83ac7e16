"""Code shared by every medwire service: record schemas, settings, the Kafka stage loop,
metrics and logging helpers. Nothing else is shared between services."""
