"""Reading DAG files: DOT (Graphviz), YAML/JSON specs, salvage, repeats, model
parameters, ``load``. May import: core, algebra, labels, ops."""
