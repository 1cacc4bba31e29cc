"""Digitising one file: the stages of `sld/stages.py` in order, page by page.

The sequence is written once, here. How each stage is executed is the caller's choice through
`run_stage`: the CLI calls the functions directly (no server, fast start); the Prefect flow in
`pipelines/flows.py` passes a runner that executes the stages that meet the outside world
(database, model server) as Prefect tasks with retries, and the others in the flow run with
their time in its log. How the pages of one
file share the time is the caller's choice too, through `map_pages`: one after another, or
`settings.page_workers` at once in threads (`in_threads`; the flow submits them to its Prefect
task runner instead), which pays where the stages wait on a model server.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

import networkx as nx

from sld import stages
from sld.detections import Detections
from sld.document import Document, Page, Source
from sld.pages.page import PageImage
from sld.pages.raster import InputError, SourceFile, open_source
from sld.settings import Settings

Result = TypeVar("Result")


class StageRunner(Protocol):
    """Executes one stage function with its arguments and returns what it returns."""

    def __call__(self, stage: Callable[..., Result], /, *args: Any) -> Result: ...


def run_directly(stage: Callable[..., Result], /, *args: Any) -> Result:
    """The plain runner: call the stage in this process."""
    return stage(*args)


@dataclass(frozen=True)
class Digitised:
    """What digitising a file gives: the result document and one graph per page."""

    document: Document
    graphs: list[nx.Graph]
    json_path: Path


@dataclass(frozen=True)
class DigitisedPage:
    """One page's result, its graph, and the component (index into the symbols) of each text."""

    result: Page
    graph: nx.Graph
    links: list[int | None]


def digitise_page(
    source: SourceFile, index: int, settings: Settings, run_stage: StageRunner = run_directly
) -> DigitisedPage:
    """Every stage for page `index` of `source` (0-based)."""
    page = run_stage(stages.rasterise, source, index, settings)
    texts = run_stage(stages.read_text, page, settings)
    per_tile = run_stage(stages.detect, page, texts, settings)
    symbols = run_stage(stages.merge, per_tile, settings)
    return connect_page(page, symbols, texts, settings, run_stage)


def connect_page(
    page: PageImage,
    symbols: Detections,
    texts: Detections,
    settings: Settings,
    run_stage: StageRunner = run_directly,
) -> DigitisedPage:
    """The stages after detection: conductors, links, graph, and the page's result.

    Apart from `digitise_page` so that oracle runs and benchmarks that bring their own symbols
    or texts go through the same sequence.
    """
    ids = stages.component_ids(page.index, symbols)
    conductors = run_stage(stages.trace_conductors, page, symbols, texts)
    links = run_stage(stages.link, page, symbols, texts, conductors)
    symbols = stages.name_by_designation(symbols, texts, links)
    graph = run_stage(stages.build_graph, page, symbols, ids, texts, links, conductors, settings)
    return DigitisedPage(
        stages.assemble_page(page, symbols, ids, texts, links, graph), graph, links
    )


#: One page's work: its 0-based index in, its result out.
PageJob = Callable[[int], DigitisedPage]


class PageMapper(Protocol):
    """Runs `job` for every index and yields the results in the order of `indexes`."""

    def __call__(self, job: PageJob, indexes: Sequence[int], /) -> Iterator[DigitisedPage]: ...


def one_by_one(job: PageJob, indexes: Sequence[int], /) -> Iterator[DigitisedPage]:
    """The plain page mapper: each page after the one before, in this thread."""
    for index in indexes:
        yield job(index)


class PageFuture(Protocol):
    """What a submitted page gives back: `concurrent.futures.Future`, a Prefect future."""

    def result(self) -> DigitisedPage: ...


def in_order_window(
    submit: Callable[[int], PageFuture], indexes: Sequence[int], width: int
) -> Iterator[DigitisedPage]:
    """Keep `width` pages in flight and yield their results in page order.

    A page is submitted when the oldest one in flight has been handed on, so at most `width`
    page rasters are in memory at once however the executor behind `submit` is sized. When a
    page fails the error is raised at once; pages still in flight finish (threads cannot be
    stopped) but their results are dropped, and nothing further is submitted.
    """
    pending = list(indexes)
    in_flight: list[PageFuture] = []
    while pending or in_flight:
        while pending and len(in_flight) < width:
            in_flight.append(submit(pending.pop(0)))
        yield in_flight.pop(0).result()


def in_threads(workers: int) -> PageMapper:
    """A page mapper that digitises `workers` pages at once, each in its own thread.

    The stages release the GIL in their heavy parts (rasteriser, OpenCV, ONNX Runtime, torch,
    HTTP to a model server) and hold locks where a library is not thread-safe (PDFium, the
    RapidOCR engine), so threads are safe; they pay most where pages wait on a model server.
    Each thread runs in a copy of the caller's context, so a Prefect flow's stages are still
    recorded under its run.
    """

    def mapper(job: PageJob, indexes: Sequence[int], /) -> Iterator[DigitisedPage]:
        if workers <= 1 or len(indexes) <= 1:
            yield from one_by_one(job, indexes)
            return
        with ThreadPoolExecutor(workers, thread_name_prefix="sld-page") as pool:

            def submit(index: int) -> Future[DigitisedPage]:
                return pool.submit(contextvars.copy_context().run, job, index)

            yield from in_order_window(submit, indexes, workers)

    return mapper


#: Suffixes picked up when a folder is given (`sld digitise FOLDER`, the drop folder).
INPUT_SUFFIXES = frozenset({".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff"})


def drawings_in(folder: Path, recursive: bool = False) -> list[Path]:
    """The drawings in `folder` by suffix (sorted), in its sub-folders too when `recursive`.

    Hidden files and folders (a leading dot: editor locks, `.git`) are left out.
    """
    pattern = "**/*" if recursive else "*"
    return sorted(
        path
        for path in folder.glob(pattern)
        if path.suffix.lower() in INPUT_SUFFIXES
        and path.is_file()
        and not any(part.startswith(".") for part in path.relative_to(folder).parts)
    )


def expand_inputs(paths: list[Path], recursive: bool = False) -> list[Path]:
    """Files as given, folders as the drawings inside them (see `drawings_in`); no repeats."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(drawings_in(path, recursive))
        else:
            found.append(path)
    return list(dict.fromkeys(found))


def result_path(name: Path, output_dir: Path, sha256: str, source_path: str) -> Path:
    """Where the JSON result of a drawing goes: `OUTPUT_DIR/NAME` with `.json` for its suffix.

    `name` is the drawing's path relative to the folder it was found in (the folder given to
    `sld digitise`, the drop folder), or its file name, so `a/plant.pdf` and `b/plant.pdf` of one
    folder go to `a/plant.json` and `b/plant.json`. A result never replaces another drawing's:
    when that JSON holds a different drawing (another sha256 from another path), this one is
    written as `plant.<first 8 of its sha256>.json` beside it.
    """
    wanted = output_dir / name.with_suffix(".json")
    if not wanted.exists():
        return wanted
    try:
        there = Document.read(wanted).source
    except (OSError, ValueError):
        return wanted  # not a result (or half of one): nothing of value is replaced
    if there.sha256 == sha256 or there.path == source_path:
        return wanted  # the same drawing, or a newer revision of the one at the same path
    return wanted.with_name(f"{wanted.stem}.{sha256[:8]}.json")


def digitise_file(
    path: Path,
    settings: Settings,
    run_stage: StageRunner = run_directly,
    on_page: Callable[[int, int], None] | None = None,
    pages: Sequence[int] | None = None,
    name: Path | None = None,
    stored_as: Path | None = None,
    map_pages: PageMapper | None = None,
    store_checked: bool = False,
) -> Digitised:
    """Digitise the pages of `path`, save the result (database, then JSON) and return it.

    The database is checked first, unless the caller has just done so (`store_checked`: the drop
    folder asks it whether the drawing is stored already, which checks it too). `pages`: the
    0-based page indexes to digitise (default: every page); the result then holds only those
    pages, each with its index in the file. `on_page(done, total)` is called after each page,
    for progress displays. `name` is the file's path relative to the folder it was found in
    (default: its file name), which the JSON keeps (`result_path`). `stored_as` is the path the
    document is recorded under (default: `path` resolved), for a file that is being moved, like
    a drop-folder file on its way to `done/`. `map_pages` shares the time between pages
    (default: `settings.page_workers` pages at once, `in_threads`). Problems with the input
    raise `InputError` naming the file and page; nothing is saved for a failed file.
    """
    if not store_checked:
        run_stage(stages.check_store, settings)
    source: SourceFile = open_source(path)
    chosen = list(range(source.page_count)) if pages is None else list(pages)
    missing = [index + 1 for index in chosen if not 0 <= index < source.page_count]
    if missing:
        raise InputError(
            path,
            f"has {source.page_count} page(s); there is no page {missing[0]}",
            f"Choose pages from 1 to {source.page_count}.",
        )
    results = []
    graphs = []
    mapper = map_pages or in_threads(settings.page_workers)

    def job(index: int) -> DigitisedPage:
        return digitise_page(source, index, settings, run_stage)

    for done, digitised in enumerate(mapper(job, chosen), start=1):
        results.append(digitised.result)
        graphs.append(digitised.graph)
        if on_page is not None:
            on_page(done, len(chosen))

    recorded = str((stored_as or path).resolve())
    document = Document(
        source=Source(path=recorded, sha256=source.sha256, page_count=source.page_count),
        pages=results,
    )
    json_path = result_path(name or Path(path.name), settings.output_dir, source.sha256, recorded)
    run_stage(stages.save, document, graphs, settings, json_path)
    return Digitised(document=document, graphs=graphs, json_path=json_path)
