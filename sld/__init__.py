"""sld: electrical single-line diagrams (PDF) to components, ratings, text and a graph in SQL."""

__version__ = "0.1.0"
