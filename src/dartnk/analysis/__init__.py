"""dartnk.analysis — see ../shared/DESIGN.md for this layer's role."""
