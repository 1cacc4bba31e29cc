"""Fine-tuning Rex-Omni on a user's own symbols: training data, SFT and GRPO.

The way through it:

1. `export.py` turns labelled pages (synthetic sheets with their ground truth, or documents a
   person reviewed in the database, `sources.py`) into training samples (`tasks.py`): page
   tiles cut as inference cuts them, asked as inference asks (the prompts, the exemplar strip
   and the image conversion are `sld.rexomni`'s own functions), answered in the model's box
   grammar. They are written as upstream's TSV files (`tsv.py`).
2. `sft.py` fine-tunes on those files (transformers' Trainer; soft cross-entropy over
   neighbouring coordinate bins in `loss.py`; per-module learning rates, freezing and LoRA in
   `model.py`) and writes a checkpoint the `rex-omni` backend loads unchanged.
3. `grpo.py` refines it with TRL's GRPOTrainer on geometry rewards (`rewards.py`).
4. `evaluation.py` digitises a held-out set with each checkpoint through the normal pipeline
   and scores it with `sld eval`'s code.

Everything heavy (torch, transformers, trl, peft) is imported by the modules that need it, so
exporting needs none of it.
"""

from __future__ import annotations

from typing import Literal

#: What a sample asks: upstream's task names.
Task = Literal["detection", "visual_prompting", "ocr"]
TASKS: tuple[Task, ...] = ("detection", "visual_prompting", "ocr")
