"""Rex-Omni behind an OpenAI-compatible chat-completions server (vLLM), shared by many workers.

Each query is one request: the image as a PNG data URL (already resized to the upstream pixel
budget, so the server does not resize it again and uploads stay small), the same prompt and
system message as in process, greedy decoding with repetition penalty 1.05, special tokens kept
(`skip_special_tokens: false`, a vLLM extension; without it the boxes vanish) and a stop at
`<|im_end|>`, and the log-probability of each generated token (`logprobs: true`; they become
the box scores). Requests run `concurrency` at a time on a thread pool; time-outs, lost
connections, 408, 429 and 5xx answers are retried with exponential back-off; other errors stop
the run with a message that says what to check.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from PIL import Image

from sld.rexomni.decoding import END_OF_TURN, REPETITION_PENALTY
from sld.rexomni.images import MAX_PIXELS, MIN_PIXELS, fit_pixel_budget, png_data_url
from sld.rexomni.prompts import chat_messages
from sld.rexomni.queries import Answer, Query, TokenScore

log = logging.getLogger(__name__)

#: HTTP statuses worth another try: the server is busy, restarting or timed out itself.
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


class RexOmniServerError(RuntimeError):
    """The server could not answer: unreachable, refused the request, or gave up after retries."""


class RexOmniServer:
    """Turns queries into raw Rex-Omni answers through `POST {base_url}/chat/completions`."""

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str | None = None,
        concurrency: int = 4,
        timeout_s: float = 120.0,
        retries: int = 3,
        backoff_s: float = 1.0,
        max_new_tokens: int = 1024,
        max_pixels: int = MAX_PIXELS,
    ) -> None:
        if concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, got {concurrency}")
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self.concurrency = concurrency
        self.timeout_s = timeout_s
        self.retries = retries
        self.backoff_s = backoff_s
        self.max_new_tokens = max_new_tokens
        self.max_pixels = max_pixels
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(
            headers=headers,
            timeout=httpx.Timeout(timeout_s),
            limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency),
        )
        self._warned_plain_text = threading.Event()

    def close(self) -> None:
        self._client.close()

    def generate(self, queries: Sequence[Query]) -> list[Answer]:
        """Answers in query order; the first request that fails for good raises."""
        if not queries:
            return []
        with ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="rexomni") as pool:
            return list(pool.map(self.answer, queries))

    def request_body(self, query: Query) -> dict[str, Any]:
        width, height = fit_pixel_budget(query.width, query.height, MIN_PIXELS, self.max_pixels)
        image = query.image
        if (width, height) != image.size:
            image = image.resize((width, height), Image.Resampling.BICUBIC)
        return {
            "model": self.model,
            "messages": chat_messages(query.prompt, png_data_url(image)),
            "max_tokens": self.max_new_tokens,
            "temperature": 0.0,
            "repetition_penalty": REPETITION_PENALTY,
            "skip_special_tokens": False,
            "spaces_between_special_tokens": False,
            "stop": [END_OF_TURN],
            "logprobs": True,
        }

    def answer(self, query: Query) -> Answer:
        """One query's answer, with retries."""
        body = self.request_body(query)
        problem = ""
        for attempt in range(self.retries + 1):
            if attempt:
                delay = self.backoff_s * 2 ** (attempt - 1)
                log.warning("retrying %s in %.1f s (%s)", self.url, delay, problem)
                time.sleep(delay)
            try:
                response = self._client.post(self.url, json=body)
            except httpx.TimeoutException:
                problem = f"no answer within {self.timeout_s:g} s"
                continue
            except httpx.TransportError as error:
                problem = f"cannot connect: {error}"
                continue
            if response.status_code in RETRY_STATUSES:
                problem = f"HTTP {response.status_code}: {response.text[:200]}"
                continue
            if response.status_code >= 400:
                raise RexOmniServerError(self._refusal(response))
            return self._content(response)
        raise RexOmniServerError(
            f"Rex-Omni server at {self.url} failed {self.retries + 1} times, last: {problem}. "
            "Is `vllm serve` running and reachable (see docs/rexomni.md), and is "
            "SLD_REXOMNI_SERVER_URL right? A slow server needs a larger "
            "SLD_REXOMNI_SERVER_TIMEOUT_S."
        )

    def _refusal(self, response: httpx.Response) -> str:
        hint = {
            401: "the server wants an API key: set SLD_REXOMNI_SERVER_API_KEY",
            403: "the server refused the API key in SLD_REXOMNI_SERVER_API_KEY",
            404: (
                f"the URL must end in /v1 and SLD_REXOMNI_SERVER_MODEL ({self.model!r}) must be "
                "the name the server serves (GET /v1/models lists it)"
            ),
            400: (
                "the server refused the request; if it mentions the context length, start vLLM "
                "with a larger --max-model-len or lower SLD_REXOMNI_MAX_NEW_TOKENS"
            ),
        }.get(response.status_code, "see the server's log")
        return (
            f"Rex-Omni server at {self.url} answered HTTP {response.status_code}: "
            f"{response.text[:300]}. {hint}."
        )

    def _content(self, response: httpx.Response) -> Answer:
        try:
            choice = response.json()["choices"][0]
            content = choice["message"]["content"] or ""
        except (ValueError, KeyError, IndexError, TypeError) as error:
            raise RexOmniServerError(
                f"Rex-Omni server at {self.url} sent an answer that is not a chat completion "
                f"({error!r}): {response.text[:300]}"
            ) from None
        if not isinstance(content, str):
            raise RexOmniServerError(f"Rex-Omni server at {self.url} sent non-text content")
        if choice.get("finish_reason") == "length":
            log.info("answer cut at %d tokens; its last box may be lost", self.max_new_tokens)
        if content.strip() and "<|" not in content and not self._warned_plain_text.is_set():
            self._warned_plain_text.set()
            log.warning(
                "the server's answer has no Rex-Omni box tokens (%r); start vLLM with "
                "--tokenizer-mode slow and keep skip_special_tokens off (docs/rexomni.md)",
                content[:80],
            )
        return Answer(content, _tokens(choice.get("logprobs"), content))


def _tokens(logprobs: Any, content: str) -> tuple[TokenScore, ...]:
    """The answer's tokens from a chat completion's `logprobs.content`; () when the server sent
    none or they do not spell the answer (the boxes then get the constant score)."""
    try:
        tokens = tuple(
            TokenScore(str(entry["token"]), float(entry["logprob"]))
            for entry in logprobs["content"]
        )
    except (KeyError, TypeError, ValueError):
        return ()
    # A stop string is cut from the content but its token may still be listed.
    while tokens and len("".join(token.text for token in tokens)) > len(content):
        tokens = tokens[:-1]
    if "".join(token.text for token in tokens) != content:
        log.debug("the server's tokens do not spell its answer; boxes get the constant score")
        return ()
    return tokens
