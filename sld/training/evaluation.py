"""`sld train eval`: each checkpoint on a held-out set, through the normal pipeline.

Every drawing of the ground-truth folder (`sld synth` output with a seed the training data did
not use) is digitised with the `rex-omni` detector running the checkpoint, exactly as
`sld digitise --detector rex-omni` would with `SLD_REXOMNI_MODEL` set to it, into its own
output folder and database; the results are scored with `sld eval`'s code. So "before" (the
base model) and "after" (the tuned one) are compared on what users get, merging, linking and
all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sld.evaluate import EvaluationReport, evaluate_folders
from sld.pipeline import digitise_file
from sld.settings import Settings
from sld.training.sources import ground_truth_pairs


@dataclass(frozen=True)
class CheckpointScores:
    checkpoint: str
    results: Path
    report: EvaluationReport


def checkpoint_settings(settings: Settings, checkpoint: str, results: Path) -> Settings:
    """The run's settings with the `rex-omni` detector on `checkpoint`, writing into `results`."""
    return settings.model_copy(
        update={
            "detector": "rex-omni",
            "rexomni_model": checkpoint,
            "output_dir": results,
            "database_url": f"sqlite:///{results / 'sld.db'}",
        }
    )


def evaluate_checkpoints(
    ground_truth: Path,
    checkpoints: Sequence[str],
    work: Path,
    settings: Settings,
    on_file: Callable[[str, Path], None] | None = None,
) -> list[CheckpointScores]:
    """Digitise the held-out drawings with each checkpoint and score them against the truth."""
    drawings = [drawing for drawing, _ in ground_truth_pairs(ground_truth)]
    scored = []
    for number, checkpoint in enumerate(checkpoints, start=1):
        results = work / f"{number}-{Path(checkpoint).name or 'model'}"
        results.mkdir(parents=True, exist_ok=True)
        run_settings = checkpoint_settings(settings, checkpoint, results)
        for drawing in drawings:
            if on_file is not None:
                on_file(checkpoint, drawing)
            digitise_file(drawing, run_settings)
        scored.append(
            CheckpointScores(checkpoint, results, evaluate_folders(ground_truth, results))
        )
    return scored
