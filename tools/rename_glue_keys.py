"""Rename glue keys in the markdown of a chapter notebook (the naming rule's migration tool).

Rewrites the key of every ``{glue:text}`KEY…```, ``{glue}`KEY```, ``{glue:any}`KEY``` and
``{glue:figure} KEY`` in markdown cells, by exact old key or by old prefix, and leaves every
other byte of the notebook as it was. Idempotent: a second run changes nothing.

Usage::

    python tools/rename_glue_keys.py notebooks/car-t.ipynb cart-=car-t- data_as_of=car-t-data-as-of

An argument ``OLD=NEW`` whose OLD ends in ``-`` or ``_`` renames a prefix; otherwise a whole key.
Keys are then written in kebab case (``_`` → ``-``) when ``--kebab`` is given, and
``--add-prefix S-`` puts ``S-`` before every key that does not start with it.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROLE = re.compile(r"(\{glue(?::[a-z]+)?\}`)([^`:<>\s]+)")
DIRECTIVE = re.compile(r"(```\{glue:figure\}\s+)(\S+)")


def rename(key: str, rules: list[tuple[str, str]], kebab: bool, add_prefix: str = "") -> str:
    for old, new in rules:
        if old[-1] in "-_" and key.startswith(old):
            key = new + key[len(old):]
            break
        if key == old:
            key = new
            break
    key = key.replace("_", "-") if kebab else key
    return key if not add_prefix or key.startswith(add_prefix) else add_prefix + key


def rewrite(text: str, rules, kebab: bool, add_prefix: str = "") -> str:
    def sub(m):
        return m.group(1) + rename(m.group(2), rules, kebab, add_prefix)
    return DIRECTIVE.sub(sub, ROLE.sub(sub, text))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("notebook", type=Path)
    ap.add_argument("rules", nargs="*", help="OLD=NEW (a prefix if OLD ends in - or _)")
    ap.add_argument("--kebab", action="store_true", help="write keys in kebab case")
    ap.add_argument("--add-prefix", default="", help="prefix every key that lacks it (e.g. S-)")
    args = ap.parse_args(argv)
    rules = []
    for r in args.rules:
        if "=" not in r:
            print(f"rename_glue_keys: {r!r} is not OLD=NEW", file=sys.stderr)
            return 2
        rules.append(tuple(r.split("=", 1)))
    raw = args.notebook.read_text(encoding="utf-8")
    nb = json.loads(raw)
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            src = "".join(cell["source"])
            new = rewrite(src, rules, args.kebab, args.add_prefix)
            if new != src:
                cell["source"] = new.splitlines(keepends=True)
    out = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
    if out != raw:
        args.notebook.write_text(out, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
