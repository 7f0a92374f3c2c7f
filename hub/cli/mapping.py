"""``dms-hub mapping validate|test|check``: the integrator's tools for mapping files.

Mappings are found under ``--root``, else ``$DMS_MAPPINGS_DIR``, else
``./mappings``. The directory is read straight from the environment rather
than from ``Settings``: these commands check files on an integrator's laptop
and must not need a database URL or a secret key to do so.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from connectors.mapping import MappingFailure, MappingSpecError, jsonio, load_mapping
from connectors.mapping.golden import find_samples, load_xref, mapping_files, run_sample
from connectors.mapping.tryout import SampleSyntaxError, try_sample
from dms_domain.errors import InvalidInput

DEFAULT_ROOT = Path("mappings")
ROOT_ENV = "DMS_MAPPINGS_DIR"


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    mapping = subparsers.add_parser("mapping", help="check and try mapping files")
    actions = mapping.add_subparsers(dest="mapping_command", required=True, metavar="ACTION")

    validate = actions.add_parser("validate", help="load mapping files and report every problem")
    validate.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="files or folders")
    _add_root(validate)
    validate.set_defaults(handler=_validate)

    test = actions.add_parser("test", help="apply one mapping file to one sample record")
    test.add_argument("file", type=Path, metavar="FILE")
    test.add_argument("--sample", type=Path, required=True, metavar="SAMPLE.json")
    test.add_argument(
        "--xref",
        type=Path,
        metavar="FILE.json",
        help='cross-reference tables {"table": {"key": "code"}}; '
        "default: xref.json beside the sample, if any",
    )
    test.set_defaults(handler=_test)

    check = actions.add_parser("check", help="run every golden sample under the root")
    _add_root(check)
    check.set_defaults(handler=_check)


def _add_root(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--root",
        type=Path,
        default=None,
        help=f"the mappings folder (default: ${ROOT_ENV}, else ./mappings)",
    )


def _root(args: argparse.Namespace) -> Path:
    if args.root is not None:
        return Path(args.root)
    return Path(os.environ.get(ROOT_ENV) or DEFAULT_ROOT)


def _error(text: str) -> None:
    print(text, file=sys.stderr)


def _files(paths: list[Path], root: Path) -> list[Path] | None:
    """The mapping files named, folders expanded; None (after saying why) if one is missing."""
    files: list[Path] = []
    for path in paths or [root]:
        if path.is_dir():
            files.extend(mapping_files(path))
        elif path.is_file():
            files.append(path)
        else:
            _error(f"{path}: no such file or folder")
            return None
    return files


def _validate(args: argparse.Namespace) -> int:
    files = _files(list(args.paths), _root(args))
    if files is None:
        return 1
    if not files:
        _error("no mapping files found")
        return 1
    failed = 0
    for path in files:
        try:
            mapping = load_mapping(path)
        except MappingSpecError as exc:
            failed += 1
            for issue in exc.issues:
                _error(str(issue))
            continue
        slow = f", {mapping.slow_paths} through jsonpath-ng" if mapping.slow_paths else ""
        print(f"ok {path} ({mapping.fast_paths + mapping.slow_paths} paths{slow})")
    if failed:
        _error(f"{failed} of {len(files)} mapping files have problems")
        return 1
    return 0


def _test(args: argparse.Namespace) -> int:
    xref_path = args.xref
    if xref_path is None and (args.sample.parent / "xref.json").is_file():
        xref_path = args.sample.parent / "xref.json"
    try:
        mapping = load_mapping(args.file)
        text = args.sample.read_text(encoding="utf-8")
        xref = load_xref(xref_path)
        result = try_sample(mapping, text, xref)
    except OSError as exc:
        _error(f"{args.sample}: cannot read JSON: {exc}")
        return 1
    except SampleSyntaxError as exc:
        _error(f"{args.sample}:{exc.line}:{exc.column}: cannot read JSON: {exc.message}")
        return 1
    except (MappingSpecError, MappingFailure) as exc:
        for issue in exc.issues:
            _error(str(issue))
        return 1
    except InvalidInput as exc:
        _error(exc.detail)
        return 1
    print(jsonio.dumps(result, indent=2))
    return 0


def _check(args: argparse.Namespace) -> int:
    root = _root(args)
    files = mapping_files(root) if root.is_dir() else []
    if not files:
        _error(f"no mapping files under {root}")
        return 1
    passed = failed = 0
    for path in files:
        try:
            mapping = load_mapping(path)
        except MappingSpecError as exc:
            failed += 1
            for issue in exc.issues:
                _error(str(issue))
            continue
        samples = find_samples(path)
        if not samples:
            print(f"-- {path}: no golden samples")
        for sample in samples:
            outcome = run_sample(mapping, sample)
            if outcome.passed:
                passed += 1
                print(f"ok   {path} {sample.name}")
            else:
                failed += 1
                _error(f"FAIL {path} {sample.name}")
                for detail in outcome.details:
                    _error("     " + detail.replace("\n", "\n     "))
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0
