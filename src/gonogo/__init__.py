"""gonogo: run the Go/NoGo night of a platform release."""

__version__ = "0.1.0"
