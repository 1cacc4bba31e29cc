"""The reference-symbol library: exemplars of each component type that the `template`
detector looks for; the built-in ones live in `models/symbols/`, a user's own in the folder
`Settings.symbol_library` names.

- `library.py`: reading and writing library folders, thresholds, `add_from_drawing`;
- `crop.py`: cutting an exemplar out of a drawing and finding its terminals;
- `builtin.py`: rendering the built-in exemplars from the synthetic-drawing catalogue;
- `calibrate.py`: choosing each type's score threshold on calibration drawings;
- `cli.py`: `sld symbols add | list | calibrate | render-catalogue`.

Nothing is imported here, so that `sld --help` does not load the image libraries.
"""
