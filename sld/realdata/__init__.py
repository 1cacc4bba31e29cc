"""Real drawings from other projects, turned into the project's inputs and ground truth.

Each module reads one source's files (see the shared `realdata/SOURCES.md`), renders them to
PDF where needed and converts that source's own ground truth into a result `Page`, so the
stages can be scored on drawings nobody here made.
"""
