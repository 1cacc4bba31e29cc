"""Speed and accuracy runs that print their figures and write JSON to `benchmarks/results/`.

Run each as a module from the repository root: `python -m benchmarks.digitise`.
"""
