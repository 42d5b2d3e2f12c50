"""A progress bar while a dispatch goes out, on a terminal only."""

from __future__ import annotations


class ProgressBar:
    """A rich progress bar on a terminal; nothing when output is piped."""

    def __init__(self, total: int, label: str, *, enabled: bool) -> None:
        self._progress = None
        self._task = None
        if enabled and total >= 20:
            from gonogo.render.console import console  # noqa: PLC0415

            out = console(stderr=True)
            if out.is_terminal:  # only then is rich.progress worth its import
                from rich.progress import Progress  # noqa: PLC0415

                self._progress = Progress(console=out, transient=True)
                self._progress.start()
                self._task = self._progress.add_task(f"Sending {label}", total=total)

    def advance(self, n: int) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task, n)

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
