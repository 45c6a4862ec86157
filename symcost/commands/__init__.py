"""Subcommands of the ``symcost`` command line (one module each)."""
