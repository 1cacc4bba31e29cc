"""`sld symbols ...`: show the reference-symbol library, add to it, calibrate it.

`add_parser` is called by `sld/cli/main.py` to register the sub-command; `run` is its handler.
Heavy imports happen inside the handlers, so `sld --help` stays instant.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sld.settings import Settings


def _bbox(text: str) -> tuple[float, float, float, float]:
    try:
        values = [float(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected x0,y0,x1,y1 in points, got {text!r}") from None
    if len(values) != 4:
        raise argparse.ArgumentTypeError(f"expected four numbers x0,y0,x1,y1, got {text!r}")
    return (values[0], values[1], values[2], values[3])


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `sld symbols` and its sub-commands."""
    symbols = commands.add_parser("symbols", help="show, extend and calibrate the symbol library")
    actions = symbols.add_subparsers(dest="symbols_command", metavar="ACTION", required=True)

    add = actions.add_parser(
        "add",
        help="cut a symbol out of a drawing into the library",
        description="Cut the box out of the drawing and keep it as an exemplar of TYPE. The box "
        "is in PDF points on the displayed page (as in the result JSON) and may be loose: the "
        "exemplar is cut to the symbol's tight box (its body, no leads), as results box a "
        "component. With --group, the example of a group that `sld symbols suggest` listed is "
        "cut instead. The exemplar takes part in the next run.",
    )
    add.add_argument("type", help="component type, snake_case: circuit_breaker, motor, ...")
    add.add_argument("--from", dest="source", type=Path, help="PDF or image")
    add.add_argument("--page", type=int, default=1, help="page number, from 1 (default 1)")
    add.add_argument("--bbox", type=_bbox, help="x0,y0,x1,y1 in points")
    add.add_argument(
        "--group",
        type=int,
        metavar="ID",
        help="instead of --from/--page/--bbox: the example of a group `sld symbols suggest` listed",
    )
    add.add_argument(
        "--groups",
        type=Path,
        help="the groups file of `sld symbols suggest` (default: OUTPUT_DIR/symbol-groups/"
        "groups.json)",
    )
    add.add_argument("--standard", default="user", help="drawing standard: iec, ansi, ...")
    add.add_argument("--variant", default="", help="which drawing of the type (free text)")
    add.add_argument("--name", help="exemplar name (default: from the file name and page)")
    add.add_argument(
        "--upright", action="store_true", help="never turned or mirrored (holds letters)"
    )
    add.add_argument(
        "--letters",
        default="",
        help="letters drawn inside that tell it from look-alikes (M for a motor): it then names "
        "only devices whose inside reads them",
    )
    add.add_argument("--licence", default="the drawing's owner", help="licence of the drawing")
    add.add_argument("--library", type=Path, help="library folder to write into")
    add.add_argument("--dpi", type=int, help="rasterisation DPI (default 200)")

    suggest = actions.add_parser(
        "suggest",
        help="group the devices no exemplar explains across a set of drawings, by shape",
        description="Digitise the drawings' pages as detection does, keep the devices of type "
        "'symbol' (no exemplar explains them) and group them by shape, any quarter turn or "
        "mirrored. Prints each group (count, example crop, where it occurs) and writes the "
        "groups with a crop per group; name a group with `sld symbols add TYPE --group ID`.",
    )
    suggest.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or folders")
    suggest.add_argument(
        "--out", type=Path, help="folder of the groups (default: OUTPUT_DIR/symbol-groups)"
    )
    suggest.add_argument("--library", type=Path, help="a user library folder to include")
    suggest.add_argument("--dpi", type=int, help="rasterisation DPI (default 200)")
    suggest.add_argument("--top", type=int, default=20, help="groups to print (default 20)")

    listing = actions.add_parser(
        "list", help="the library's types and exemplars (one row per type; --details: each)"
    )
    listing.add_argument("--library", type=Path, help="a user library folder to include")
    listing.add_argument("--details", action="store_true", help="one row per exemplar")
    listing.add_argument("--type", help="only this component type")

    calibrate = actions.add_parser(
        "calibrate",
        help="choose each type's score threshold on synthetic calibration drawings",
        description="Generate synthetic drawings (vector and scanned) from the calibration seed, "
        "detect with every threshold at 0, and keep for each type the threshold that gives the "
        "best F1 there. Never use the seeds of an evaluation.",
    )
    calibrate.add_argument("--seed", type=int, default=1000, help="calibration set seed")
    calibrate.add_argument("--count", type=int, default=16, help="drawings per style")
    calibrate.add_argument("--work", type=Path, default=Path("out/calibration"))
    calibrate.add_argument("--library", type=Path, help="write thresholds into this folder")

    render = actions.add_parser(
        "render-catalogue", help="re-render the built-in exemplars from the synthetic catalogue"
    )
    render.add_argument("--out", type=Path, help="folder (default: the built-in library)")


def run(args: argparse.Namespace) -> int:
    handler = {
        "add": _add,
        "suggest": _suggest,
        "list": _list,
        "calibrate": _calibrate,
        "render-catalogue": _render,
    }[args.symbols_command]
    return handler(args)


def _add(args: argparse.Namespace) -> int:
    from rich.console import Console

    from sld.cli.errors import UserError
    from sld.settings import load_settings
    from sld.symbols.library import add_from_drawing

    settings = load_settings(symbol_library=args.library, dpi=args.dpi)
    try:
        source, page, bbox = _what_to_cut(args, settings)
        meta_path = add_from_drawing(
            settings,
            args.type,
            source,
            page,
            bbox,
            standard=args.standard,
            variant=args.variant,
            name=args.name,
            rotatable=not args.upright,
            letters=args.letters,
            licence=args.licence,
        )
    except ValueError as error:  # a bad type name, a page out of range, a duplicate
        raise UserError(str(error)) from error
    Console().print(f"added {args.type} exemplar {meta_path.stem} -> {meta_path}")
    return 0


def _groups_file(args: argparse.Namespace, settings: Settings) -> Path:
    from sld.symbols.suggest import GROUPS_FILE

    return args.groups or settings.output_dir / "symbol-groups" / GROUPS_FILE


def _what_to_cut(
    args: argparse.Namespace, settings: Settings
) -> tuple[Path, int, tuple[float, float, float, float]]:
    """The drawing, page and box `sld symbols add` cuts: given, or a suggested group's."""
    if args.group is not None:
        from sld.symbols.suggest import read_group

        path = _groups_file(args, settings)
        if not path.exists():
            raise ValueError(f"{path} does not exist: run `sld symbols suggest FILES` first")
        example = read_group(path, args.group)
        return Path(example.source), example.page, example.box
    if args.source is None or args.bbox is None:
        raise ValueError("give --from FILE and --bbox x0,y0,x1,y1 (or --group ID)")
    return args.source, args.page, args.bbox


def _suggest(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from sld.cli.errors import UserError
    from sld.pipeline import expand_inputs
    from sld.settings import load_settings
    from sld.symbols.suggest import group_sightings, unexplained, write_groups

    settings = load_settings(symbol_library=args.library, dpi=args.dpi)
    console = Console()
    paths = expand_inputs(args.paths)
    if not paths:
        named = ", ".join(map(str, args.paths))
        raise UserError(f"no drawings (PDF, PNG, JPEG, TIFF) in {named}")
    found = unexplained(paths, settings)
    groups = group_sightings(found)
    folder = args.out or settings.output_dir / "symbol-groups"
    written = write_groups(groups, folder, settings)
    table = Table(title=f"{len(found)} unexplained devices in {len(groups)} groups")
    for column in ("group", "count", "example", "where"):
        table.add_column(column)
    for group in groups[: args.top]:
        pages = sorted({(Path(m.source).name, m.page) for m in group.members})
        where = ", ".join(f"{name} p{page}" for name, page in pages[:3])
        if len(pages) > 3:
            where += f" (+{len(pages) - 3} pages)"
        table.add_row(str(group.id), str(group.count), f"group-{group.id:03d}.png", where)
    console.print(table)
    console.print(
        f"groups and crops in {folder}; name one with: sld symbols add TYPE --group ID "
        f"--groups {written}"
    )
    return 0


def _list(args: argparse.Namespace) -> int:
    """One row per type by default (it fits 80 columns); one per exemplar with --details."""
    from collections import defaultdict

    from rich import box
    from rich.console import Console
    from rich.markup import escape
    from rich.padding import Padding
    from rich.table import Table

    from sld.cli.checks import check_symbol_library
    from sld.settings import load_settings
    from sld.symbols.library import (
        Exemplar,
        library_folders,
        load_folder,
        load_thresholds,
        threshold_for,
    )

    settings = load_settings(symbol_library=args.library)
    check_symbol_library(settings)
    thresholds = load_thresholds(settings)
    by_type: dict[str, list[Exemplar]] = defaultdict(list)
    for folder in library_folders(settings):
        for exemplar in load_folder(folder):
            if args.type in (None, exemplar.type):
                by_type[exemplar.type].append(exemplar)
    console = Console(highlight=False)
    if args.details:
        # One block per exemplar: its source is a sentence, which no table column fits in 80.
        for kind in sorted(by_type):
            threshold = threshold_for(kind, thresholds, settings)
            console.print(f"[bold]{kind}[/bold] ({len(by_type[kind])}, threshold {threshold:.2f})")
            for exemplar in by_type[kind]:
                width, height = exemplar.size_pt
                info = exemplar.info
                console.print(
                    Padding(
                        escape(f"{exemplar.name}  {info.standard}/{info.variant}  ")
                        + f"{width:.0f} x {height:.0f} pt  {escape(str(exemplar.folder))}",
                        (0, 0, 0, 2),
                    )
                )
                console.print(Padding(escape(info.source), (0, 0, 0, 4)), style="dim")
        table = None
    else:
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
        for column in ("type", "exemplars", "standards", "threshold"):
            table.add_column(column, overflow="fold")
        for kind in sorted(by_type):
            standards = sorted({exemplar.info.standard for exemplar in by_type[kind]})
            shown = threshold_for(kind, thresholds, settings)
            table.add_row(kind, str(len(by_type[kind])), ", ".join(standards), f"{shown:.2f}")
    if table is not None:
        console.print(table)
    count = sum(len(exemplars) for exemplars in by_type.values())
    folders = ", ".join(str(folder) for folder in library_folders(settings))
    more = "" if args.details else "; --details lists each exemplar"
    console.print(
        f"{count} exemplar(s) of {len(by_type)} type(s) in {folders}{more}", highlight=False
    )
    return 0


def _calibrate(args: argparse.Namespace) -> int:
    from rich.console import Console

    from sld.settings import load_settings
    from sld.symbols.calibrate import calibrate

    settings = load_settings(symbol_library=args.library)
    console = Console()
    result = calibrate(
        settings, seed=args.seed, count=args.count, work=args.work, log=console.print
    )
    console.print(f"thresholds written to {result}")
    return 0


def _render(args: argparse.Namespace) -> int:
    from sld.settings import load_settings
    from sld.symbols.builtin import render_builtin
    from sld.symbols.library import builtin_folder

    folder = args.out or builtin_folder(load_settings())
    written = render_builtin(folder)
    print(f"{len(written)} exemplars rendered into {folder}")
    return 0
