"""Connectivity graphs <-> rows of `graph_nodes` and `graph_edges`.

The connectivity stage gives one undirected `networkx.Graph` per page. Its convention, which the
columns follow: node ids are strings; every node has `kind` (component, bus, junction, terminal)
and `x`, `y` in points; a node may have a `label` (bus name, off-page label); a component node has
`component_id`, the component's result id. An edge may have `kind` ("wire", "bus"). Any other
attribute is kept in the row's JSON `attributes`, so a graph comes back exactly as it was saved.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from numbers import Real
from typing import Any

import networkx as nx

from sld.store.tables import GRAPH_NODE_KINDS, GraphEdgeRow, GraphNodeRow

_NODE_COLUMNS = ("kind", "x", "y", "label", "component_id")
_EDGE_COLUMNS = ("kind",)


def node_rows(
    graph: nx.Graph, page_index: int, component_ids: Collection[str]
) -> list[dict[str, Any]]:
    """The `graph_nodes` rows of one page's graph (without their document id); ValueError naming
    the node when the graph breaks the convention."""
    if graph.is_directed() or graph.is_multigraph():
        raise ValueError(f"page {page_index}: the graph must be an undirected nx.Graph")
    rows = []
    for node_id, data in graph.nodes(data=True):
        where = f"page {page_index}, graph node {node_id!r}"
        if not isinstance(node_id, str):
            raise ValueError(f"{where}: node ids must be strings")
        kind = data.get("kind")
        if kind not in GRAPH_NODE_KINDS:
            raise ValueError(f"{where}: kind {kind!r} is not one of {', '.join(GRAPH_NODE_KINDS)}")
        for axis in ("x", "y"):
            if not isinstance(data.get(axis), Real) or isinstance(data.get(axis), bool):
                raise ValueError(
                    f"{where}: {axis} must be a number (points), got {data.get(axis)!r}"
                )
        _check_text(data, "label", where)
        component_id = data.get("component_id")
        if kind == "component" and component_id is None:
            raise ValueError(f"{where}: a component node needs its component_id")
        if component_id is not None and component_id not in component_ids:
            raise ValueError(f"{where}: component_id {component_id!r} is not in the document")
        rows.append(
            {
                "page_index": page_index,
                "node_id": node_id,
                "kind": kind,
                "x": float(data["x"]),
                "y": float(data["y"]),
                "label": data.get("label"),
                "component_id": component_id,
                "attributes": _other_attributes(data, _NODE_COLUMNS, where),
            }
        )
    return rows


def edge_rows(graph: nx.Graph, page_index: int) -> list[dict[str, Any]]:
    """The `graph_edges` rows of one page's graph (without their document id)."""
    rows = []
    for source, target, data in graph.edges(data=True):
        where = f"page {page_index}, graph edge {source!r}-{target!r}"
        _check_text(data, "kind", where)
        rows.append(
            {
                "page_index": page_index,
                "source_node_id": source,
                "target_node_id": target,
                "kind": data.get("kind"),
                "attributes": _other_attributes(data, _EDGE_COLUMNS, where),
            }
        )
    return rows


def _check_text(data: dict[str, Any], key: str, where: str) -> None:
    if not isinstance(data.get(key), str | None):
        raise ValueError(f"{where}: {key} must be text, got {data[key]!r}")


def _other_attributes(
    data: dict[str, Any], columns: tuple[str, ...], where: str
) -> dict[str, Any] | None:
    """The attributes that have no column of their own, or None when there are none."""
    others = {key: value for key, value in data.items() if key not in columns}
    if not others:
        return None
    try:
        json.dumps(others, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"{where}: attributes {sorted(others)} cannot be stored as JSON: {error}"
        ) from error
    return others


def graph_from_rows(
    page_index: int, nodes: Iterable[GraphNodeRow], edges: Iterable[GraphEdgeRow]
) -> nx.Graph:
    """One page's graph from its rows, in the order saved; `graph.graph["page_index"]` is set."""
    graph = nx.Graph(page_index=page_index)
    for node in nodes:
        attributes: dict[str, Any] = {"kind": node.kind, "x": node.x, "y": node.y}
        if node.label is not None:
            attributes["label"] = node.label
        if node.component_id is not None:
            attributes["component_id"] = node.component_id
        graph.add_node(node.node_id, **attributes, **(node.attributes or {}))
    for edge in edges:
        attributes = {} if edge.kind is None else {"kind": edge.kind}
        graph.add_edge(
            edge.source_node_id, edge.target_node_id, **attributes, **(edge.attributes or {})
        )
    return graph
