"""The command line: a thin layer that parses arguments and calls the library.

Top layer: may import every layer below (core, algebra, labels, ops, read, solve, models,
output); nothing in the package imports it.
"""
