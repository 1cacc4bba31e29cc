"""The vector geometry of a PDF page: stroked segments and filled shapes, in displayed points.

The raw pdfium calls are used on purpose: pypdfium2's object helpers allocate a Python object
per page object and per segment, and heavy drawings hold tens of thousands of segments.
"""

from __future__ import annotations

import ctypes
import math
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from sld.geometry import FloatArray
from sld.pages.page import VectorGraphics

if TYPE_CHECKING:
    import pypdfium2

#: A page is a scan (no vector layer) when an image covers at least this share of it and it
#: has fewer stroked segments than a drawing would (a frame or title block drawn over a scan).
SCAN_COVERAGE = 0.5
SCAN_MAX_SEGMENTS = 200

#: Paint this light (all of R, G and B at or above it) is paper colour: masks, not drawing.
PAPER_LEVEL = 250

#: Largest distance, in points, between a curve and the straight pieces that replace it.
CURVE_TOLERANCE_PT = 0.25
MAX_CURVE_PIECES = 16


#: An affine map as PDF writes it, (a, b, c, d, e, f): x' = a x + c y + e, y' = b x + d y + f.
Affine = tuple[float, float, float, float, float, float]


def _compose(outer: Affine, inner: Affine) -> Affine:
    """`outer` after `inner`, in plain floats: numpy costs more than it saves on one matrix."""
    a, b, c, d, e, f = outer
    p, q, r, s, t, u = inner
    return (
        a * p + c * q,
        b * p + d * q,
        a * r + c * s,
        b * r + d * s,
        a * t + c * u + e,
        b * t + d * u + f,
    )


class _Paths:
    """The painted paths of a page, flattened into one list of points for numpy to finish.

    Walking the objects costs a few pdfium calls per segment; everything after that (matrix
    application, segment building, boxes) is done once for all paths, vectorised.
    """

    def __init__(self) -> None:
        self.xs: list[float] = []
        self.ys: list[float] = []
        #: True where a point starts a subpath: no segment leads to it.
        self.breaks: list[bool] = []
        #: Per path: index of its first point, matrix to displayed points, paint, line width.
        self.starts: list[int] = []
        self.matrices: list[Affine] = []
        self.stroked: list[bool] = []
        self.filled: list[bool] = []
        self.line_widths: list[float] = []
        self.dashed: list[bool] = []
        #: Displayed boxes of image objects, to tell scans from drawings.
        self.image_boxes: list[FloatArray] = []


def read_vectors(
    page: pypdfium2.PdfPage, to_display: FloatArray, size: tuple[float, float]
) -> VectorGraphics | None:
    """Stroked segments and filled-shape boxes of the page, in displayed points.

    Each object's matrix and the matrices of the form XObjects holding it are applied; curves
    are flattened. Returns None when the page is a scan (an image covers most of it and few
    strokes are drawn over it): its drawing is in pixels, and the raster stages must read it.
    """
    import pypdfium2.raw as pdfium_c

    paths = _Paths()
    handle = page.raw
    top: Affine = (
        float(to_display[0, 0]),
        float(to_display[1, 0]),
        float(to_display[0, 1]),
        float(to_display[1, 1]),
        float(to_display[0, 2]),
        float(to_display[1, 2]),
    )
    _walk(
        partial(pdfium_c.FPDFPage_CountObjects, handle),
        partial(pdfium_c.FPDFPage_GetObject, handle),
        top,
        paths,
    )
    width, height = size
    vector = _assemble(paths, width, height) if paths.starts else VectorGraphics()
    if paths.image_boxes and len(vector.segments) < SCAN_MAX_SEGMENTS:
        images = np.clip(np.stack(paths.image_boxes), 0.0, [width, height, width, height])
        covered = (images[:, 2] - images[:, 0]) * (images[:, 3] - images[:, 1])
        if covered.max() >= SCAN_COVERAGE * width * height:
            return None
    return vector


def _assemble(paths: _Paths, width: float, height: float) -> VectorGraphics:
    """Apply each path's matrix to its points and cut them into segments and fill boxes."""
    counts = np.diff(np.asarray([*paths.starts, len(paths.xs)]))
    path_of_point = np.repeat(np.arange(len(paths.starts)), counts)
    a, b, c, d, e, f = np.asarray(paths.matrices, dtype=np.float64).T[:, path_of_point]
    xs = np.asarray(paths.xs, dtype=np.float64)
    ys = np.asarray(paths.ys, dtype=np.float64)
    points = np.stack([a * xs + c * ys + e, b * xs + d * ys + f], axis=1)

    stroked = np.asarray(paths.stroked, dtype=bool)
    joined = ~np.asarray(paths.breaks, dtype=bool)[1:] & stroked[path_of_point[1:]]
    starts, ends = points[:-1][joined], points[1:][joined]
    owner = path_of_point[1:][joined]
    moving = np.any(starts != ends, axis=1)
    segments = np.concatenate([starts[moving], ends[moving]], axis=1)
    matrices = np.asarray(paths.matrices, dtype=np.float64)
    # A line width scales with the square root of the matrix's area factor.
    scale = np.sqrt(np.abs(matrices[:, 0] * matrices[:, 3] - matrices[:, 1] * matrices[:, 2]))
    widths = (np.asarray(paths.line_widths) * scale)[owner[moving]]
    dashed = np.asarray(paths.dashed, dtype=bool)[owner[moving]]

    # Every kept path has at least two points, so each one's range in `points` is not empty.
    filled = np.asarray(paths.filled, dtype=bool)
    path_starts = np.asarray(paths.starts)
    fills = np.concatenate(
        [
            np.minimum.reduceat(points, path_starts)[filled],
            np.maximum.reduceat(points, path_starts)[filled],
        ],
        axis=1,
    )
    on_page = _touches_page(segments, width, height)
    return VectorGraphics(
        segments=segments[on_page],
        widths=widths[on_page],
        fills=fills[_touches_page(fills, width, height)],
        dashed=dashed[on_page],
    )


def _touches_page(boxes: FloatArray, width: float, height: float) -> np.ndarray[Any, Any]:
    x0 = np.minimum(boxes[:, 0], boxes[:, 2])
    x1 = np.maximum(boxes[:, 0], boxes[:, 2])
    y0 = np.minimum(boxes[:, 1], boxes[:, 3])
    y1 = np.maximum(boxes[:, 1], boxes[:, 3])
    return np.asarray((x1 >= 0) & (x0 <= width) & (y1 >= 0) & (y0 <= height))


def _walk(
    count: Callable[[], int],
    get: Callable[[int], Any],
    parent: Affine,
    paths: _Paths,
) -> None:
    import pypdfium2.raw as pdfium_c

    matrix = pdfium_c.FS_MATRIX()
    wanted = (pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_FORM, pdfium_c.FPDF_PAGEOBJ_IMAGE)
    for index in range(count()):
        obj = get(index)
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind not in wanted or not pdfium_c.FPDFPageObj_GetMatrix(obj, matrix):
            continue
        combined = _compose(parent, (matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f))
        if kind == pdfium_c.FPDF_PAGEOBJ_PATH:
            _read_path(obj, combined, paths)
        elif kind == pdfium_c.FPDF_PAGEOBJ_FORM:
            _walk(
                partial(pdfium_c.FPDFFormObj_CountObjects, obj),
                partial(pdfium_c.FPDFFormObj_GetObject, obj),
                combined,
                paths,
            )
        else:
            # An image object paints the unit square through its matrix.
            a, b, c, d, e, f = combined
            corners = np.asarray([[e, f], [a + e, b + f], [c + e, d + f], [a + c + e, b + d + f]])
            paths.image_boxes.append(np.concatenate([corners.min(axis=0), corners.max(axis=0)]))


_RED, _GREEN, _BLUE, _ALPHA = (ctypes.c_uint() for _ in range(4))


def _visible(obj: Any, getter: Callable[..., int]) -> bool:
    """Whether a paint shows on paper: not fully transparent, not white."""
    if not getter(obj, _RED, _GREEN, _BLUE, _ALPHA):
        return True  # A pattern or other paint without one colour: count it as ink.
    if _ALPHA.value == 0:
        return False
    return min(_RED.value, _GREEN.value, _BLUE.value) < PAPER_LEVEL


_FILL_MODE = ctypes.c_int()
_STROKE = ctypes.c_int()
_WIDTH = ctypes.c_float()
_X = ctypes.c_float()
_Y = ctypes.c_float()


def _read_path(obj: Any, matrix: Affine, paths: _Paths) -> None:
    import pypdfium2.raw as pdfium_c

    if not pdfium_c.FPDFPath_GetDrawMode(obj, _FILL_MODE, _STROKE):
        return
    stroked = bool(_STROKE.value) and _visible(obj, pdfium_c.FPDFPageObj_GetStrokeColor)
    filled = _FILL_MODE.value != pdfium_c.FPDF_FILLMODE_NONE and _visible(
        obj, pdfium_c.FPDFPageObj_GetFillColor
    )
    if not (stroked or filled):
        return
    a, b, c, d, _, _ = matrix
    scale = math.sqrt(abs(a * d - b * c))
    first_point = len(paths.xs)
    _add_points(obj, scale, paths)
    if len(paths.xs) - first_point < 2:
        del paths.xs[first_point:], paths.ys[first_point:], paths.breaks[first_point:]
        return
    pdfium_c.FPDFPageObj_GetStrokeWidth(obj, _WIDTH)
    paths.starts.append(first_point)
    paths.matrices.append(matrix)
    paths.stroked.append(stroked)
    paths.filled.append(filled)
    paths.line_widths.append(_WIDTH.value)
    paths.dashed.append(stroked and pdfium_c.FPDFPageObj_GetDashCount(obj) > 0)


def _add_points(obj: Any, scale: float, paths: _Paths) -> None:
    """The path's points in its own space, curves flattened, closes made explicit."""
    import pypdfium2.raw as pdfium_c

    xs, ys, breaks = paths.xs, paths.ys, paths.breaks
    first_point = len(xs)
    moveto, bezierto = pdfium_c.FPDF_SEGMENT_MOVETO, pdfium_c.FPDF_SEGMENT_BEZIERTO
    get_segment, get_point = pdfium_c.FPDFPath_GetPathSegment, pdfium_c.FPDFPathSegment_GetPoint
    get_type, get_close = pdfium_c.FPDFPathSegment_GetType, pdfium_c.FPDFPathSegment_GetClose
    curve: list[float] = []
    subpath_start = (0.0, 0.0)
    for index in range(pdfium_c.FPDFPath_CountSegments(obj)):
        segment = get_segment(obj, index)
        if not segment or not get_point(segment, _X, _Y):
            continue
        x, y = _X.value, _Y.value
        kind = get_type(segment)
        if kind == moveto or len(xs) == first_point:
            xs.append(x)
            ys.append(y)
            breaks.append(True)
            subpath_start = (x, y)
        elif kind == bezierto:
            curve += (x, y)
            if len(curve) < 6:
                continue
            flat_x, flat_y = _flatten_curve(xs[-1], ys[-1], curve, scale)
            xs += flat_x
            ys += flat_y
            breaks += [False] * len(flat_x)
            curve = []
        else:
            xs.append(x)
            ys.append(y)
            breaks.append(False)
        if get_close(segment):
            xs.append(subpath_start[0])
            ys.append(subpath_start[1])
            breaks.append(False)


def _bernstein(pieces: int) -> list[tuple[float, float, float, float]]:
    steps = [step / pieces for step in range(1, pieces + 1)]
    return [((1 - t) ** 3, 3 * t * (1 - t) ** 2, 3 * t**2 * (1 - t), t**3) for t in steps]


_BERNSTEIN = {pieces: _bernstein(pieces) for pieces in range(1, MAX_CURVE_PIECES + 1)}


def _flatten_curve(
    x0: float, y0: float, controls: list[float], scale: float
) -> tuple[list[float], list[float]]:
    """A cubic Bezier from (x0, y0) as a few straight pieces: their end points.

    `controls` is x1, y1, x2, y2, x3, y3. The number of pieces follows Wang's formula, so the
    pieces stay within `CURVE_TOLERANCE_PT` of the curve: a small arc gets one or two, a long
    S-bend more.
    """
    x1, y1, x2, y2, x3, y3 = controls
    bend = max(
        math.hypot(x0 - 2 * x1 + x2, y0 - 2 * y1 + y2),
        math.hypot(x1 - 2 * x2 + x3, y1 - 2 * y2 + y3),
    )
    pieces = min(
        MAX_CURVE_PIECES, max(1, math.ceil(math.sqrt(0.75 * bend * scale / CURVE_TOLERANCE_PT)))
    )
    weights = _BERNSTEIN[pieces]
    return (
        [w0 * x0 + w1 * x1 + w2 * x2 + w3 * x3 for w0, w1, w2, w3 in weights],
        [w0 * y0 + w1 * y1 + w2 * y2 + w3 * y3 for w0, w1, w2, w3 in weights],
    )
