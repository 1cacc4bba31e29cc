# The model server for `SLD_DETECTOR=rex-omni-server`: vLLM serving Rex-Omni on a CUDA GPU,
# behind its OpenAI-compatible API, shared by every worker (see docs/rexomni.md).
#   docker build -f docker/gpu.Dockerfile -t sld-model-server docker/
#   docker run --gpus all -p 8000:8000 -v hf:/root/.cache/huggingface sld-model-server
# The weights are downloaded on first start (IDEA License 1.0: non-commercial research only);
# mount a folder holding them and set REX_OMNI_MODEL to it on a machine without the network.
# The vLLM release docs/rexomni.md was written against; its image carries CUDA and PyTorch.
FROM vllm/vllm-openai:v0.9.1

ENV REX_OMNI_MODEL=IDEA-Research/Rex-Omni \
    MAX_MODEL_LEN=4096 \
    GPU_MEMORY_UTILIZATION=0.8

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=300s \
    CMD ["python3", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)"]
# The command of docs/rexomni.md: the slow tokenizer keeps Rex-Omni's coordinate tokens, one image
# per prompt, the pixel budget of the client.
ENTRYPOINT ["/bin/sh", "-c", "exec vllm serve \"$REX_OMNI_MODEL\" --served-model-name IDEA-Research/Rex-Omni --tokenizer-mode slow --dtype bfloat16 --max-model-len \"$MAX_MODEL_LEN\" --limit-mm-per-prompt '{\"image\": 1, \"video\": 0}' --mm-processor-kwargs '{\"min_pixels\": 12544, \"max_pixels\": 2007040}' --gpu-memory-utilization \"$GPU_MEMORY_UTILIZATION\" --host 0.0.0.0 --port 8000"]
