"""The `sld` command: `main.py` parses, `commands.py` runs the sub-commands, `symbols.py` and
`graph.py` hold the `sld symbols ...` and `sld graph ...` groups."""

from sld.cli.main import main

__all__ = ["main"]
