"""Profile the per-page CPU work (extraction + fingerprint, as a worker runs it).

Runs :func:`pipelines.workers.process_page` over generated pages in this process under
pyinstrument (``pip install pyinstrument``, dev-only) and prints the call tree, plus
CPU ms per page for each stage.

Example::

    python -m bench.profile_page --pages 300
"""

from __future__ import annotations

import argparse

from bench.sitegen import generate_site
from pipelines.dedup import DedupParams
from pipelines.workers import process_page


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    from pyinstrument import Profiler

    # the fetched bytes, as a worker gets them (decoding is part of its work)
    pages = [body for path, body in generate_site(args.pages, args.seed).items() if path != "/index.html"]
    params = DedupParams()
    content_type = "text/html; charset=utf-8"
    process_page(pages[0], None, None, params, content_type)  # imports and caches are not per-page work
    extract = dedup = 0.0
    with Profiler(interval=0.0005) as profiler:
        for body in pages:
            work = process_page(body, "http://127.0.0.1/", None, params, content_type)
            extract += work.extract_seconds
            dedup += work.dedup_seconds
    print(
        f"{len(pages)} pages: extract {1000 * extract / len(pages):.2f} ms/page, dedup {1000 * dedup / len(pages):.2f} ms/page"
    )
    print(profiler.output_text(unicode=False, color=False, show_all=False))


if __name__ == "__main__":
    main()
