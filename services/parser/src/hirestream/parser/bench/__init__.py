"""Benchmarks of the parser: accuracy on the labelled resume corpus (text, PDF and DOCX
renderings) and throughput of extraction + profile building. Run through
``hirestream parser bench accuracy|speed``."""
