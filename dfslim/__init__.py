"""dfslim: a Dockerfile linter for image size and security."""

__version__ = "0.1.0"
