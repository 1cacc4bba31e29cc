"""Review: the result drawn over its drawing, for a person to check.

- `render.py`: a page with its components, labels and connections as a PNG (`sld render`).
"""
