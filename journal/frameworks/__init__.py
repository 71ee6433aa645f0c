"""Assessment frameworks: data files, their model and loader."""
