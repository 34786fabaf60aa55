"""The floor: Python-Markdown converting every article body of a site in one process.

    .venv/bin/python bench/floor.py SITE [--arshif-root DIR]

reads SITE/content/**/*.md, drops the front matter and converts each body with the Markdown
configuration Arshif uses (arshif.content.new_markdown(), imported from the Arshif checkout), one
converter reset between documents as Arshif does. Prints a JSON line: files, bytes, and the seconds
spent reading and converting (interpreter start and imports excluded; run.py also times the
whole process with /usr/bin/time).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ARSHIF_ROOT = Path(__file__).resolve().parent.parent


def converter_factory(arshif_root: Path):
    sys.path.insert(0, str(arshif_root))
    try:
        from arshif.content import new_markdown
        return new_markdown, "arshif.content.new_markdown"
    except ImportError:  # the engine moved it: the same settings, written out
        import markdown
        from markdown.extensions.toc import slugify_unicode

        def new_markdown():
            return markdown.Markdown(extensions=["extra", "sane_lists", "toc"],
                                     extension_configs={"toc": {"slugify": slugify_unicode}},
                                     output_format="html")
        return new_markdown, "a copy of Arshif's settings (extra, sane_lists, toc)"


def body_of(text: str) -> str:
    """The text after a YAML front matter block (--- ... ---)."""
    if text.startswith("---"):
        end = text.find("\n---", 3)
        if end != -1:
            newline = text.find("\n", end + 4)
            return text[newline + 1:] if newline != -1 else ""
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--arshif-root", type=Path, default=ARSHIF_ROOT)
    args = parser.parse_args(argv)
    new_markdown, source = converter_factory(args.arshif_root)
    started = time.perf_counter()
    converter = new_markdown()
    # An older engine's new_markdown() gives a Markdown instance, reset between documents; a newer one's
    # converter resets itself.
    reset = getattr(converter, "reset", lambda: None)
    files = 0
    size_in = size_out = 0
    for path in sorted((args.site / "content").rglob("*.md")):
        text = path.read_bytes().decode("utf-8")
        reset()
        html = converter.convert(body_of(text))
        files += 1
        size_in += len(text)
        size_out += len(html)
    seconds = time.perf_counter() - started
    print(json.dumps({"files": files, "chars_in": size_in, "chars_out": size_out,
                      "seconds": round(seconds, 3), "markdown": source}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
