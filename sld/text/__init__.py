"""Text: what the sheet says, and which component each label belongs to.

- `engines/`: the text readers (PDF text layer, RapidOCR, Rex-Omni) behind one protocol and a
  registry chosen by `SLD_OCR`;
- `ratings.py`: the grammar that turns label text into ratings and designations;
- `label_blocks.py`: stacked lines that label one component, found from their geometry;
- `sightlines.py`: is anything drawn between a label and a symbol;
- `linking.py`: labels assigned to symbols, one global matching per page.

Nothing is imported here, so that `sld --help` does not load the image libraries.
"""
