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


def _write(job: Job) -> None:
    job.shared["localsiteurl"] = job.localsiteurl
    output = job.template.render(job.localcontext)
    vacate(job.path)
    with open(job.path, "w", encoding="utf-8") as f:
        f.write(output)


def _work(indexes: range) -> Exception | None:
    """Render the pages ``indexes``; the first error, as Pelican's writer would have raised it."""
    for i in indexes:
        try:
            _write(inherited()[i])  # the jobs, inherited through fork
        except Exception as exc:  # raised again in the parent: the build reports it
            try:
                pickle.dumps(exc)
                return exc
            except Exception:
                return RuntimeError(f"{type(exc).__name__}: {exc}")
    return None


def render(jobs: list[Job]) -> None:
    """Render and write ``jobs``; raises the first page's error, as rendering it here would."""
    cores = cores_for(len(jobs), MIN_PAGES)
    if not cores:
        saved = {id(job.shared): (job.shared, job.shared.get("localsiteurl")) for job in jobs}
        try:
            for job in jobs:
                _write(job)
        finally:  # as Pelican's loop left it, for whatever runs next
            for shared, value in saved.values():
                shared["localsiteurl"] = value
        return
    chunk = 32
    with Workers("rendering pages", cores, inherited=jobs) as workers:
        errors = [e for e in workers.map(_work, [range(i, min(i + chunk, len(jobs))) for i in range(0, len(jobs), chunk)]) if e]
    if errors:
        raise errors[0]
