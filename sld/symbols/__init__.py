"""Symbols: finding the components on a page, the detection stage of the pipeline.

- `library.py`: the reference-symbol library (exemplars of each component type), read from
  `models/symbols/` and the user's own folder (`SLD_SYMBOL_LIBRARY`); thresholds;
  `add_from_drawing`;
- `crop.py`: cutting an exemplar out of a drawing and finding its terminals;
- `builtin.py`: rendering the built-in exemplars from the synthetic-drawing catalogue;
- `calibrate.py`: choosing each type's score threshold on calibration drawings;
- `scale.py`: the drawing's scale, from its lettering (else from the devices found);
- `linework.py`: a page taken apart into conductors, dashed lines, the frame, text and the rest;
- `devices.py`: the device candidates, what sits on a conductor and is no drawing convention;
- `classify.py`: which exemplar explains a candidate, and candidates grouped by shape;
- `suggest.py`: the unexplained devices of a set grouped by shape (`sld symbols suggest`);
- `detectors/`: the detector backends (template matcher, Rex-Omni, Grounding DINO) behind one
  protocol and a registry chosen by `SLD_DETECTOR`;
- `merge.py`: one box per symbol from overlapping tiles.

Nothing is imported here, so that `sld --help` does not load the image libraries.
"""
