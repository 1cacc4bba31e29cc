"""Rex-Omni (IDEA-Research): prompts, output grammar, coordinates, tokenizer checks and backends.

This package knows the model, not the pipeline: it takes images and prompts and gives back
labelled shapes in the image's own pixels. `sld.symbols.detectors.rexomni` and
`sld.text.engines.rexomni` put it behind the project's detector and text-reader protocols.

The facts it relies on (prompt strings, token grammar, the /999 coordinate bins, the reused
vocabulary ids) are upstream's, version `478e44f` of github.com/IDEA-Research/Rex-Omni.
"""
