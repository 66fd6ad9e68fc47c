"""Keras layers that mirror the articles' code snippets."""
