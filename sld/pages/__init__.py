"""Pages: drawing files in, `PageImage`s out, the first stage of the pipeline.

- `raster.py`: opening a file (PDF or image) and rendering each page to a grey raster, with
  the input checks that name the file and page;
- `display.py`: the map from PDF user space to points on the displayed page;
- `text_layer.py`, `vector_paths.py`: what a vector PDF says itself, its words and strokes;
- `page.py`: `PageImage`, the value every later stage takes;
- `ink.py`: strokes of a raster as a binary mask; `tiling.py`: overlapping tiles for the
  detector and OCR backends, and the one map from tile pixels back to page points.

Nothing is imported here, so that `sld --help` does not load the image libraries.
"""
