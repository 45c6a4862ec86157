"""Core types every layer uses: errors, diagnostics, atoms and symbols, the DAG model.

Bottom layer: imports nothing else of symcost."""
