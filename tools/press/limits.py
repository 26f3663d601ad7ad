"""The size limits on everything a writer or an editor hands the press, in one place.

Each limit is far above any honest input and far below what would make a check slow or a machine
run out of memory; docs/building.md gives the reason for each number. A file over a limit is a
problem with its path (``path: message``), never a crash and never a silent skip. Every scanner of
writer-supplied text is linear in its input (docs/building.md, "Scanners"), so a limit bounds the
time a check can take, not only its memory.
"""

from __future__ import annotations

# An article or page in Markdown. A long feature is 60 KB (10,000 words); a book chapter 200 KB.
MAX_MARKDOWN_BYTES = 1024 * 1024
# Front matter of one article: a handful of fields.
MAX_FRONT_MATTER_BYTES = 64 * 1024
# One attachment. Git hosts refuse larger files (GitHub: 100 MiB); a two-hour MP3 at 96 kbit/s is 86 MB.
MAX_ATTACHMENT_BYTES = 100 * 1024 * 1024
# All attachments of one article together (a few photos and one recording).
MAX_BUNDLE_BYTES = 200 * 1024 * 1024
# A YAML record (roster, meeting, ballot, council record).
MAX_RECORD_BYTES = 256 * 1024
# A detached signature of a record (an SSH signature is about 300 bytes of armour).
MAX_SIGNATURE_BYTES = 16 * 1024


def size(n: int) -> str:
    """``1,048,576 bytes``: exact, as ``ls -l`` shows it."""
    return f"{n:,} bytes"


def markdown_too_large(n: int) -> str:
    return (f"the article is {size(n)}; articles and pages are limited to {size(MAX_MARKDOWN_BYTES)}"
            " — split it, or move long material into an attachment")


def record_too_large(n: int) -> str:
    return f"record is {size(n)}; records are limited to {size(MAX_RECORD_BYTES)}"
