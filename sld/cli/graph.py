"""`sld graph export DOC --format graphml|json`: a stored document's connectivity graph as a file.

The graphs come from the database (`sld.store.load_graphs`), one per page, and are written as
one graph (node ids are page-prefixed; every node carries its `page`). Kept apart from
`sld.cli.commands` so that the connectivity code has its command line in one place.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def add_graph_parser(commands: Any) -> None:
    """Add `graph export` to the `sld` command's sub-parsers."""
    graph = commands.add_parser("graph", help="the connectivity graph of a digitised document")
    actions = graph.add_subparsers(dest="graph_command", metavar="ACTION", required=True)
    export = actions.add_parser(
        "export", help="write a stored document's graph as GraphML or node-link JSON"
    )
    export.add_argument(
        "document", help="the document's id, or a path to the drawing (any path to the same file)"
    )
    export.add_argument("--format", choices=["graphml", "json"], default="graphml")
    export.add_argument(
        "--out", type=Path, help="output file (default: the document's name + .graphml/.json)"
    )
    export.add_argument(
        "--db", dest="database_url", help="database URL (default: sqlite:///sld.db)"
    )


def run_graph_command(args: argparse.Namespace) -> int:
    from sld.cli.checks import open_existing_database
    from sld.cli.lookup import find_document_id
    from sld.connectivity.graph import EXPORTERS
    from sld.settings import load_settings
    from sld.store import load_graphs

    settings = load_settings(database_url=args.database_url)
    engine = open_existing_database(settings.database_url)
    try:
        graphs = load_graphs(engine, find_document_id(engine, args.document))
    finally:
        engine.dispose()
    suffix = ".graphml" if args.format == "graphml" else ".graph.json"
    out: Path = args.out or Path(Path(str(args.document)).stem + suffix)
    EXPORTERS[args.format](graphs, out)
    nodes = sum(graph.number_of_nodes() for graph in graphs)
    edges = sum(graph.number_of_edges() for graph in graphs)
    print(f"wrote {out}: {len(graphs)} page(s), {nodes} nodes, {edges} edges")
    return 0
