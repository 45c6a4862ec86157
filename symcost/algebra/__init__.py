"""Cost algebra: the whitelist expression parser, linear forms over atoms, bounds on
symbols, expression printers and the order engine. May import: core."""
