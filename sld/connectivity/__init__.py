"""Connectivity: the conductors of a page and the graph they make between its components.

- `conductors.py`: the wires and buses as straight segments, read from vector strokes or
  traced in a raster (`raster_lines.py`);
- `busbars.py`: which conductors are buses;
- `junctions.py`: where conductors meet (tees, dots, symbol terminals);
- `wire_labels.py`: texts that belong to the wiring (bus names, off-page references);
- `graph_builder.py`, `graph.py`: the page graph (networkx), its projection onto component
  pairs, and its exports.

Nothing is imported here, so that `sld --help` does not load the geometry libraries.
"""
