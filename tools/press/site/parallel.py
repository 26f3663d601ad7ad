"""Pages rendered on every core.

Pelican renders and writes pages one by one. The press's writer instead decides, page by page and
in Pelican's order, whether a page is reused (a hard link, at once) or must be made; the pages to
make are rendered at the end of the run by a pool of forked workers, each rendering its share with
the same templates and context (inherited through ``fork``) and writing the files itself. The
parent then claims every file on the positive list, as if Pelican had written it.

A page sees exactly the context it would have seen in Pelican's loop: its local context, and the
shared ``localsiteurl`` as Pelican had set it when the page's turn came.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass

from ..store import Store
from .outputs import vacate
from .workers import Workers, cores_for, inherited

# Below this many pages, or on one core, pages are rendered in this process: forking a build of
# thousands of articles and paging in its memory costs more than a few hundred pages take.
MIN_PAGES = 400


@dataclass
class Job:
    path: str  # where the page is written (absolute, inside the build folder)
    name: str  # the output name (relative), for the render memo
    template: object  # the Jinja template
    localcontext: dict
    shared: dict  # the context Pelican's writer was given: its "localsiteurl" is set per page
    localsiteurl: object
    fingerprint: bytes | None
    store: Store | None = None  # where the page is kept for later builds (a page with a fingerprint)


def _write(job: Job) -> str | None:
    """Render and write ``job``'s page; the sha256 of its bytes as the store keeps them, if it does."""
    job.shared["localsiteurl"] = job.localsiteurl
    data = job.template.render(job.localcontext).encode("utf-8")
    vacate(job.path)
    with open(job.path, "wb") as f:
        f.write(data)
    # kept by the worker that made it, from the bytes in hand: the build's own process never reads
    # the page back (on a cold build, thousands of pages: a second of the build's one busy core at 1,000)
    return job.store.put(data) if job.store is not None and job.fingerprint is not None else None


def _work(indexes: range) -> tuple[Exception | None, list[str | None]]:
    """Render the pages ``indexes``: the first error, as Pelican's writer would have raised it, and
    each page's digest in the store (:func:`_write`)."""
    kept: list[str | None] = []
    for i in indexes:
        try:
            kept.append(_write(inherited()[i]))  # the jobs, inherited through fork
        except Exception as exc:  # raised again in the parent: the build reports it
            try:
                pickle.dumps(exc)
                return exc, kept
            except Exception:
                return RuntimeError(f"{type(exc).__name__}: {exc}"), kept
    return None, kept


def render(jobs: list[Job]) -> list[str | None]:
    """Render and write ``jobs``; each page's digest in the store (None where it is not kept). Raises
    the first page's error, as rendering it here would."""
    cores = cores_for(len(jobs), MIN_PAGES)
    if not cores:
        saved = {id(job.shared): (job.shared, job.shared.get("localsiteurl")) for job in jobs}
        try:
            return [_write(job) for job in jobs]
        finally:  # as Pelican's loop left it, for whatever runs next
            for shared, value in saved.values():
                shared["localsiteurl"] = value
    chunk = 32
    kept: list[str | None] = []
    errors = []
    with Workers("rendering pages", cores, inherited=jobs) as workers:
        for error, digests in workers.map(_work, [range(i, min(i + chunk, len(jobs))) for i in range(0, len(jobs), chunk)]):
            kept += digests
            if error is not None:
                errors.append(error)
    if errors:
        raise errors[0]
    return kept
