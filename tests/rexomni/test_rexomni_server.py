"""The rex-omni-server backend against a local HTTP server that speaks chat completions."""

from __future__ import annotations

import base64
import io
import json
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np
import pytest
from PIL import Image

from sld.pages.tiling import Tile
from sld.rexomni.images import fit_pixel_budget, model_image
from sld.rexomni.queries import Answer, Query
from sld.rexomni.server import RexOmniServer, RexOmniServerError
from sld.settings import Settings
from sld.symbols.detectors.rexomni import RexOmniDetector

ANSWER = "<|object_ref_start|>fuse symbol<|object_ref_end|><|box_start|><0><0><999><999><|box_end|>"


@dataclass
class Reply:
    """What the fake server does with one request."""

    content: str = ANSWER
    status: int = 200
    delay_s: float = 0.0
    raw: bytes | None = None
    #: (token, logprob) pairs for the completion's `logprobs.content`, as vLLM sends them.
    logprobs: list[tuple[str, float]] | None = None


@dataclass
class FakeServer:
    """A chat-completions endpoint: scripted replies in order, then the default one."""

    url: str
    script: list[Reply] = field(default_factory=list)
    default: Reply = field(default_factory=Reply)
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    in_flight: int = 0
    most_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_reply(self, body: dict[str, Any], headers: dict[str, str]) -> Reply:
        with self.lock:
            self.requests.append(body)
            self.headers.append(headers)
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            return self.script.pop(0) if self.script else self.default

    def done(self) -> None:
        with self.lock:
            self.in_flight -= 1


def _handler(server: FakeServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            body = json.loads(self.rfile.read(length))
            reply = server.next_reply(body, dict(self.headers))
            finished = False
            try:
                time.sleep(reply.delay_s)
                if self.path != "/v1/chat/completions":
                    payload = b'{"error": "not found"}'
                    status = 404
                elif reply.raw is not None:
                    payload, status = reply.raw, reply.status
                else:
                    # Echo the prompt so tests can check the order of the answers.
                    prompt = body["messages"][1]["content"][1]["text"]
                    choice: dict[str, Any] = {
                        "message": {"role": "assistant", "content": reply.content},
                        "finish_reason": "stop",
                    }
                    if reply.logprobs is not None:
                        choice["logprobs"] = {
                            "content": [
                                {"token": token, "logprob": logprob, "top_logprobs": []}
                                for token, logprob in reply.logprobs
                            ]
                        }
                    completion = {"choices": [choice], "prompt_echo": prompt}
                    payload, status = json.dumps(completion).encode(), reply.status
                # Out of flight before the answer leaves: the client may send its next request
                # the moment it has this one's answer, before this thread runs on.
                server.done()
                finished = True
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (time-out test)
            finally:
                if not finished:
                    server.done()

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def fake_server() -> Iterator[FakeServer]:
    state = FakeServer(url="")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = True
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()


def _query(prompt: str = "Detect fuse symbol.", size: tuple[int, int] = (120, 90)) -> Query:
    pixels = np.full((size[1], size[0]), 255, dtype=np.uint8)
    pixels[10:20, :] = 0
    return Query(model_image(pixels), prompt)


def _texts(answers: list[Answer]) -> list[str]:
    return [answer.text for answer in answers]


def _client(url: str, **options: Any) -> RexOmniServer:
    settings: dict[str, Any] = {"timeout_s": 5.0, "retries": 2, "backoff_s": 0.01} | options
    return RexOmniServer(url, "IDEA-Research/Rex-Omni", **settings)


def test_request_carries_the_prompt_image_and_decoding_settings(fake_server: FakeServer) -> None:
    client = _client(
        fake_server.url, api_key="secret", max_new_tokens=512, max_pixels=100 * 28 * 28
    )
    assert _texts(client.generate([_query(size=(1000, 600))])) == [ANSWER]
    body = fake_server.requests[0]
    assert body["model"] == "IDEA-Research/Rex-Omni"
    assert body["skip_special_tokens"] is False
    assert body["stop"] == ["<|im_end|>"]
    assert body["temperature"] == 0.0
    assert body["repetition_penalty"] == 1.05
    assert body["max_tokens"] == 512
    assert body["logprobs"] is True
    system, user = body["messages"]
    assert system == {"role": "system", "content": "You are a helpful assistant"}
    image_part, text_part = user["content"]
    assert text_part == {"type": "text", "text": "Detect fuse symbol."}
    url = image_part["image_url"]["url"]
    assert url.startswith("data:image/png;base64,")
    image = Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))
    # Sent already at the size the processor would resize it to, within the pixel budget.
    assert image.size == fit_pixel_budget(1000, 600, max_pixels=100 * 28 * 28)
    assert image.size[0] % 28 == 0 and image.size[0] * image.size[1] <= 100 * 28 * 28
    assert fake_server.headers[0]["Authorization"] == "Bearer secret"


def test_requests_run_concurrently_and_answers_keep_their_order(fake_server: FakeServer) -> None:
    fake_server.default = Reply(delay_s=0.2)
    fake_server.script = [Reply(content=f"answer {i}", delay_s=0.05 * (6 - i)) for i in range(6)]
    client = _client(fake_server.url, concurrency=3)
    queries = [_query(f"prompt {i}") for i in range(6)]
    started = time.perf_counter()
    answers = client.generate(queries)
    elapsed = time.perf_counter() - started
    assert fake_server.most_in_flight == 3
    prompts = [body["messages"][1]["content"][1]["text"] for body in fake_server.requests]
    by_prompt = dict(zip(prompts, [f"answer {i}" for i in range(6)], strict=True))
    assert _texts(answers) == [by_prompt[f"prompt {i}"] for i in range(6)]
    assert elapsed < 0.05 * sum(range(1, 7))  # faster than one request at a time


def test_a_timed_out_request_is_retried(fake_server: FakeServer) -> None:
    fake_server.script = [Reply(content="late", delay_s=1.0)]
    client = _client(fake_server.url, timeout_s=0.3)
    assert _texts(client.generate([_query()])) == [ANSWER]
    assert len(fake_server.requests) == 2


def test_busy_server_is_retried_with_backoff(
    fake_server: FakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    fake_server.script = [Reply(status=503, raw=b"busy"), Reply(status=429, raw=b"slow down")]
    with caplog.at_level(logging.WARNING, logger="sld.rexomni.server"):
        assert _texts(_client(fake_server.url).generate([_query()])) == [ANSWER]
    assert len(fake_server.requests) == 3
    assert "HTTP 503" in caplog.text and "HTTP 429" in caplog.text


def test_gives_up_after_the_retries_with_a_clear_error(fake_server: FakeServer) -> None:
    fake_server.default = Reply(status=502, raw=b"bad gateway")
    with pytest.raises(RexOmniServerError, match=r"failed 3 times, last: HTTP 502: bad gateway"):
        _client(fake_server.url, retries=2).generate([_query()])
    assert len(fake_server.requests) == 3


def test_wrong_url_fails_at_once_with_a_hint(fake_server: FakeServer) -> None:
    client = _client(fake_server.url.removesuffix("/v1"))
    with pytest.raises(RexOmniServerError, match=r"answered HTTP 404.*must end in /v1"):
        client.generate([_query()])
    assert len(fake_server.requests) == 1


def test_refused_request_is_not_retried(fake_server: FakeServer) -> None:
    fake_server.script = [Reply(status=400, raw=b'{"message": "maximum context length is 4096"}')]
    with pytest.raises(RexOmniServerError, match="max-model-len"):
        _client(fake_server.url).generate([_query()])
    assert len(fake_server.requests) == 1


def test_unreachable_server() -> None:
    client = _client("http://127.0.0.1:9/v1", retries=1, timeout_s=1.0)
    with pytest.raises(RexOmniServerError, match=r"cannot connect.*vllm serve"):
        client.generate([_query()])


def test_answer_that_is_not_a_completion(fake_server: FakeServer) -> None:
    fake_server.script = [Reply(raw=b"<html>proxy</html>")]
    with pytest.raises(RexOmniServerError, match="not a chat completion"):
        _client(fake_server.url).generate([_query()])


def test_plain_text_answers_warn_about_the_tokenizer_mode(
    fake_server: FakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    fake_server.default = Reply(content="fuse symbol")
    with caplog.at_level(logging.WARNING, logger="sld.rexomni.server"):
        assert (
            _texts(_client(fake_server.url).generate([_query(), _query()])) == ["fuse symbol"] * 2
        )
    assert caplog.text.count("--tokenizer-mode slow") == 1


def test_detector_through_the_server(fake_server: FakeServer) -> None:
    pixels = np.full((200, 300), 255, dtype=np.uint8)
    pixels[50, :] = 0
    tiles = [Tile(index=i, x0=300 * i, y0=0, image=pixels) for i in range(3)]
    client = _client(fake_server.url, concurrency=2)
    detector = RexOmniDetector(client.generate, Settings().rexomni_phrases, name="rex-omni-server")
    found = detector.detect(tiles)
    assert [list(d.labels) for d in found] == [["fuse"]] * 3
    np.testing.assert_allclose(found[0].boxes, [[0, 0, 300, 200]])
    assert client.generate([]) == []


#: ANSWER cut into the tokens a server would list, with their log-probabilities.
ANSWER_TOKENS = [
    ("<|object_ref_start|>", -0.01),
    ("fuse", -0.2),
    (" symbol", -0.1),
    ("<|object_ref_end|>", -0.01),
    ("<|box_start|>", -0.01),
    ("<0>", -0.3),
    ("<0>", -0.1),
    ("<999>", -0.05),
    ("<999>", -0.05),
    ("<|box_end|>", -0.01),
    ("<|im_end|>", -0.02),  # the stop string: cut from the content, still listed
]


def test_server_logprobs_become_box_scores(fake_server: FakeServer) -> None:
    fake_server.default = Reply(logprobs=ANSWER_TOKENS)
    client = _client(fake_server.url)
    (answer,) = client.generate([_query()])
    assert answer.text == ANSWER
    assert [token.text for token in answer.tokens] == [t for t, _ in ANSWER_TOKENS[:-1]]
    pixels = np.full((200, 300), 255, dtype=np.uint8)
    pixels[50, :] = 0
    detector = RexOmniDetector(client.generate, Settings().rexomni_phrases)
    (found,) = detector.detect([Tile(index=0, x0=0, y0=0, image=pixels)])
    # The label's two tokens and the four coordinates; markers do not count.
    assert found.scores[0] == pytest.approx(np.exp(-(0.2 + 0.1 + 0.3 + 0.1 + 0.05 + 0.05)))


def test_tokens_that_do_not_spell_the_answer_leave_the_constant_score(
    fake_server: FakeServer,
) -> None:
    fake_server.default = Reply(logprobs=[("fuse", -0.1)])
    (answer,) = _client(fake_server.url).generate([_query()])
    assert answer.text == ANSWER and answer.tokens == ()
