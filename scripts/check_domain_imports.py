"""Fail if dms_domain imports anything but the standard library and itself."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "dms_domain"


def offending_imports() -> list[str]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if top != "dms_domain" and top not in sys.stdlib_module_names:
                    found.append(f"{path.relative_to(ROOT.parent)}:{node.lineno}: imports {name}")
    return found


if __name__ == "__main__":
    problems = offending_imports()
    for line in problems:
        print(line)
    sys.exit(1 if problems else 0)
