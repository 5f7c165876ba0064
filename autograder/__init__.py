"""The Deep Learning exercise kit: release, self-check and sandboxed grading of course notebooks."""

__version__ = "0.1.0"
