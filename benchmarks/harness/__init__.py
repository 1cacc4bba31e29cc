"""What only benchmarks and tests use: oracle runs of the pipeline on ground truth, the
powsybl adapter that turns other projects' diagrams into inputs with ground truth, and the
tiny Rex-Omni-shaped checkpoint for running the model path without downloading the model.
"""
