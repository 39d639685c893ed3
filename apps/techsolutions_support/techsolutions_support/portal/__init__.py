"""The app's own customer portal (/support): the code behind its pages and methods."""
