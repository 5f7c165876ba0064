"""Kit helpers that run inside the worker, next to the student's code (see main._kit_function).

Each module here is plain code of the kit's authors, importable in the sandbox; functions take the
notebook's namespace as their first argument and return plain data.
"""
