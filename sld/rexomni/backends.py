"""Rex-Omni backends chosen by settings: in process (transformers) or a model server (vLLM).

Both give a `GenerateFn`. The in-process model is loaded once per process and shared, so a
detector and a text reader in the same run use one copy of the weights; pages digitised in
threads (`page_workers`) take a lock, so the first of them loads it and the others wait for it.
"""

from __future__ import annotations

import functools
import threading

from sld.rexomni.queries import GenerateFn
from sld.settings import Settings


@functools.cache
def _inprocess(
    model: str, device: str, batch_size: int, max_new_tokens: int, max_pixels: int
) -> GenerateFn:
    from sld.rexomni.inprocess import load_rexomni

    loaded = load_rexomni(
        model,
        device=device,
        batch_size=batch_size,
        max_new_tokens=max_new_tokens,
        max_pixels=max_pixels,
    )
    return loaded.generate


@functools.cache
def _server(
    url: str,
    model: str,
    api_key: str | None,
    concurrency: int,
    timeout_s: float,
    retries: int,
    max_new_tokens: int,
    max_pixels: int,
) -> GenerateFn:
    from sld.rexomni.server import RexOmniServer

    server = RexOmniServer(
        url,
        model,
        api_key=api_key,
        concurrency=concurrency,
        timeout_s=timeout_s,
        retries=retries,
        max_new_tokens=max_new_tokens,
        max_pixels=max_pixels,
    )
    return server.generate


#: `functools.cache` does not stop two threads from computing one entry at once.
_LOADING = threading.Lock()


def inprocess_generator(settings: Settings) -> GenerateFn:
    """Rex-Omni loaded in this process from `settings.rexomni_model`."""
    with _LOADING:
        return _inprocess(
            settings.rexomni_model,
            settings.rexomni_device,
            settings.rexomni_batch_size,
            settings.rexomni_max_new_tokens,
            settings.rexomni_max_pixels,
        )


def server_generator(settings: Settings) -> GenerateFn:
    """Rex-Omni on the server at `settings.rexomni_server_url`."""
    with _LOADING:
        return _server(
            settings.rexomni_server_url,
            settings.rexomni_server_model,
            settings.rexomni_server_api_key,
            settings.rexomni_server_concurrency,
            settings.rexomni_server_timeout_s,
            settings.rexomni_server_retries,
            settings.rexomni_max_new_tokens,
            settings.rexomni_max_pixels,
        )
