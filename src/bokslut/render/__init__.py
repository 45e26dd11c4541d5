"""Renderers: one module per output format, all reading the composed document."""
