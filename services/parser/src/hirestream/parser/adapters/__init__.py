"""Adapters: the parser's edges to files, storage and the broker.

Import each from its module (``hirestream.parser.adapters.extractors``...): importing one adapter
should not load the libraries of the others.
"""
