"""A small hand-made result for the review tests: a transformer, a breaker and a motor."""

from __future__ import annotations

from sld.document import Component, Document, Page, Ratings, Source, Text

SHA = "5ab1" + "0" * 60


def sample_document(label: str = "M1 75HP") -> Document:
    """One page: T1 (500 kVA) feeds CB-1 feeds a motor whose label `label` is linked to nothing."""
    page = Page(
        index=0,
        width=600.0,
        height=400.0,
        components=[
            Component(
                id="p0-c0",
                type="transformer",
                bbox=(100.0, 50.0, 140.0, 100.0),
                score=0.97,
                name="T1",
                ratings=Ratings(power_kva=500.0),
            ),
            Component(
                id="p0-c1",
                type="circuit_breaker",
                bbox=(110.0, 150.0, 130.0, 175.0),
                score=0.55,
                name="CB-1",
            ),
            Component(id="p0-c2", type="motor", bbox=(105.0, 250.0, 135.0, 280.0), score=0.9),
        ],
        texts=[
            Text(
                id="p0-t0",
                text="T1",
                bbox=(150.0, 60.0, 165.0, 70.0),
                score=1.0,
                component_id="p0-c0",
            ),
            Text(
                id="p0-t1",
                text="500KVA",
                bbox=(150.0, 72.0, 190.0, 82.0),
                score=1.0,
                component_id="p0-c0",
            ),
            Text(
                id="p0-t2",
                text="CB-1",
                bbox=(140.0, 155.0, 165.0, 165.0),
                score=1.0,
                component_id="p0-c1",
            ),
            Text(id="p0-t3", text=label, bbox=(145.0, 260.0, 200.0, 270.0), score=1.0),
            Text(id="p0-t4", text="MAIN BOARD", bbox=(400.0, 350.0, 480.0, 360.0), score=1.0),
        ],
        connections=[("p0-c0", "p0-c1")],
    )
    return Document(
        source=Source(path="drawings/board.pdf", sha256=SHA, page_count=1), pages=[page]
    )
