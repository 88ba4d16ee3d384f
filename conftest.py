# Shared fixtures for every test directory: the real PostgreSQL and Kafka-protocol broker, and
# the four services as processes for the cross-service tests.
pytest_plugins = ["hirestream.kit.testing", "hirestream.cli.testing"]
