"""The README's code blocks, run as written, in order, in a fresh folder: the README cannot drift
from the program without this test failing.

The folder holds what a newcomer's commands need from a clone and nothing else, linked so that
nothing is written into the checkout: `.venv` (the environment of this interpreter) and
`tests/realdata` (the real drawings the first steps digitise). The environment is a new user's:
the virtual environment active, no `SLD_*` variables, no `PREFECT_API_URL`, 80 columns.

- `bash` blocks run one by one with `bash -euo pipefail`: every command must succeed.
- `python` blocks run with this interpreter. The comment lines that end a python block are what
  it must print, line for line.
- `sql` blocks run statement by statement through `sld query` on the folder's `sld.db`.

A block that cannot run here is preceded by `<!-- readme-test: skip (REASON) -->`, and REASON
says why: it sets up the environment this test runs in (`make demo`, `make test`, installing
torch), needs a Prefect server that keeps running or model weights from the Hugging Face hub, or
starts Docker. The test checks that each such marker gives its reason and that the runnable blocks
are the most of the README's commands.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
SKIP = re.compile(r"^<!--\s*readme-test:\s*skip\s*\((?P<reason>[^)]*)\)\s*-->\s*$")
FENCE = re.compile(r"^```(?P<language>\w*)\s*$")
#: The languages whose blocks are run; others (the diagram, JSON examples) are text.
RUN = ("bash", "python", "sql")
#: Longest one block may take on a loaded 2-core machine.
BLOCK_TIMEOUT_S = 900


@dataclass(frozen=True)
class Block:
    language: str
    code: str
    line: int  # of the opening fence, from 1
    skip_reason: str | None


def readme_blocks(text: str) -> list[Block]:
    """The fenced blocks of the README, each with the skip reason of the marker before it."""
    blocks: list[Block] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        end = index + 1
        while not lines[end].startswith("```"):
            end += 1
        before = [line for line in lines[:index] if line.strip()]
        marker = SKIP.search(before[-1]) if before else None
        blocks.append(
            Block(
                language=opening.group("language"),
                code="\n".join(lines[index + 1 : end]) + "\n",
                line=index + 1,
                skip_reason=marker.group("reason").strip() if marker else None,
            )
        )
        index = end + 1
    return blocks


def newcomer_folder(folder: Path) -> dict[str, str]:
    """Link what a clone gives into `folder`; the environment a newcomer's shell has there."""
    (folder / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    (folder / "tests").mkdir()
    (folder / "tests" / "realdata").symlink_to(ROOT / "tests" / "realdata")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("SLD_") and key not in ("PREFECT_API_URL", "VIRTUAL_ENV")
    }
    env["PATH"] = f"{folder / '.venv' / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(folder / ".venv")
    env["COLUMNS"] = "80"
    return env


def run_block(block: Block, folder: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    if block.language == "bash":
        command = ["bash", "-euo", "pipefail", "-c", block.code]
    elif block.language == "python":
        command = [sys.executable, "-c", block.code]
    else:
        raise ValueError(block.language)
    return subprocess.run(
        command,
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=BLOCK_TIMEOUT_S,
        check=False,
    )


def sql_statements(code: str) -> list[str]:
    return [" ".join(part.split()) for part in code.split(";") if part.strip()]


def expected_output(code: str) -> list[str]:
    """The comment lines that end a python block, without their `# `."""
    expected: list[str] = []
    for line in reversed(code.rstrip().splitlines()):
        if not line.startswith("# "):
            break
        expected.insert(0, line[2:])
    return expected


def failure(block: Block, result: subprocess.CompletedProcess[str]) -> str:
    return (
        f"README.md line {block.line}: the {block.language} block failed "
        f"(exit {result.returncode}):\n{block.code}\n--- stdout ---\n{result.stdout[-3000:]}"
        f"\n--- stderr ---\n{result.stderr[-3000:]}"
    )


def test_every_skipped_block_says_why() -> None:
    blocks = [b for b in readme_blocks(README.read_text(encoding="utf-8")) if b.language in RUN]
    skipped = [block for block in blocks if block.skip_reason is not None]
    for block in skipped:
        assert len(block.skip_reason or "") > 10, f"README.md line {block.line}: say why"
    assert len(blocks) - len(skipped) > len(skipped), "most blocks must run"


def test_markers_stand_right_before_a_block() -> None:
    """A marker with text between it and its block would silently skip nothing."""
    lines = README.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        if SKIP.search(line):
            following = next(later for later in lines[number + 1 :] if later.strip())
            assert FENCE.match(following), f"README.md line {number + 1}: no block follows"


@pytest.mark.slow
def test_the_readme_runs_as_written(tmp_path: Path) -> None:
    env = newcomer_folder(tmp_path)
    ran = 0
    for block in readme_blocks(README.read_text(encoding="utf-8")):
        if block.language not in RUN or block.skip_reason is not None:
            continue
        if block.language == "sql":
            for statement in sql_statements(block.code):
                query = Block("bash", f'sld query "{statement}"', block.line, None)
                result = run_block(query, tmp_path, env)
                assert result.returncode == 0, failure(query, result)
        else:
            result = run_block(block, tmp_path, env)
            assert result.returncode == 0, failure(block, result)
            expected = expected_output(block.code) if block.language == "python" else []
            if expected:
                printed = result.stdout.strip().splitlines()
                assert printed[-len(expected) :] == expected, failure(block, result)
        ran += 1
    assert ran >= 5
