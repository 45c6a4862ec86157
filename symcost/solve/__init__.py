"""Solving: device serialization, the symbolic longest path, ``analyze`` and claim
checks. May import: core, algebra, labels, ops, read."""
