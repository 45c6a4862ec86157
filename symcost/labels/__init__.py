"""Label grammar: node label text to facts (operation words, dimensions, GPUs).

May import: core, algebra."""
