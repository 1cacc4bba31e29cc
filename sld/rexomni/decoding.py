"""Upstream's decoding settings, shared by the in-process and the server backend.

Upstream decodes greedily (temperature 0) with repetition penalty 1.05. Under greedy decoding
top-p and top-k do nothing, but the penalty still acts: it makes a repeated coordinate token
slightly less likely, and the answers were tuned with it, so it is kept.
"""

from __future__ import annotations

REPETITION_PENALTY = 1.05
#: End of the assistant's turn: generation stops here.
END_OF_TURN = "<|im_end|>"
#: Qwen's end-of-text token, also the padding of a batch.
END_OF_TEXT = "<|endoftext|>"
