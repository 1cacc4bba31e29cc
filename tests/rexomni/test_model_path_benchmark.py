"""The model-path benchmark's own parts: the 3 B replica's sizes and fixed-length answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.harness.tiny_rexomni import QWEN25_VL_3B, _legacy_config, _write_json


def test_the_replica_has_the_parameter_count_of_qwen25_vl_3b(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    from transformers import AutoConfig, Qwen2_5_VLForConditionalGeneration

    _write_json(tmp_path / "config.json", _legacy_config(1500, 151936, QWEN25_VL_3B))
    config = AutoConfig.from_pretrained(str(tmp_path))
    with torch.device("meta"):  # sizes only: no memory is taken
        model = Qwen2_5_VLForConditionalGeneration(config)
    # Qwen2.5-VL-3B-Instruct's published count, with the output head tied to the embeddings.
    assert sum(p.numel() for p in model.parameters()) == 3_754_622_976
    assert model.get_output_embeddings().weight is model.get_input_embeddings().weight


@pytest.mark.slow
def test_answer_tokens_makes_every_answer_that_long(
    tmp_path: Path, wired_detection_rexomni: Path
) -> None:
    """The wired checkpoint ends its answer after a score of tokens; forced, it goes on."""
    pytest.importorskip("torch")
    from benchmarks.model_path import main

    out = tmp_path / "model_path.json"
    code = main(
        [
            "--checkpoint", str(wired_detection_rexomni), "--device", "cpu", "--tasks", "detect",
            "--batch-sizes", "3,12", "--answer-tokens", "40", "--out", str(out),
        ]
    )  # fmt: skip
    assert code == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["answer_tokens_forced"] == 40
    assert [run["batch_size"] for run in result["runs"]] == [3, 12]
    for run in result["runs"]:
        assert run["detect"]["mean_answer_tokens"] == 40.0
        assert run["detect"]["tiles"] > 0
