"""`python -m devtools.contractdocs [--check]` (`make docs` runs it without --check)."""

from __future__ import annotations

import argparse
import sys

from devtools.contractdocs.markers import CONTRACT, rewrite, stale_sections
from devtools.contractdocs.tables import SECTIONS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.contractdocs",
                                     description="Rewrite the generated parts of docs/contract.md from the code.")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 naming each stale part")
    args = parser.parse_args(argv)
    text = CONTRACT.read_text()
    fresh = {name: render() for name, render in SECTIONS.items()}
    if args.check:
        stale = stale_sections(text, fresh)
        for name in stale:
            print(f"docs/contract.md: the generated part '{name}' is stale; run `make docs`", file=sys.stderr)
        return 1 if stale else 0
    new = rewrite(text, fresh)
    if new != text:
        CONTRACT.write_text(new)
        print("docs/contract.md rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main())
