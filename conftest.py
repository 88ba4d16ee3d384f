# Shared fixtures for every test directory: the real PostgreSQL and Kafka-protocol broker.
pytest_plugins = ["hirestream.kit.testing"]
