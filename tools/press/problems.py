"""Problems found in the press's input: each names a file, a line and what to do."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input, as ``path:line: message``.

    ``path`` is relative to the press root, ``line`` is 1-based (0 when the problem is
    about the file as a whole).
    """

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"

    def as_json(self) -> dict:
        return {"path": self.path, "line": self.line, "message": self.message}


class PressError(Exception):
    """A problem that stops a command outright (usage or configuration)."""

    def __init__(self, problem: Problem | str):
        self.problem = problem
        super().__init__(str(problem))


# How long git (`git log` over content/, `git rev-parse`) may take before press gives up on it (seconds). A hung git must
# fail the command with a message, never hang a build or a pull-request check for ever.
GIT_TIMEOUT = float(os.environ.get("PRESS_GIT_TIMEOUT", "600"))
