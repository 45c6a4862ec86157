"""Output: report context, rendering through templates, formats, pictures, plots and
``info``. May import every layer but cli."""
