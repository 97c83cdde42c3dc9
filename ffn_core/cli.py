"""The only argument parser: ``python -m ffn_core <stage> [options]``.

Each stage lives in its own module, which provides::

    def add_arguments(parser: argparse.ArgumentParser) -> None
    def run(args: argparse.Namespace, emit: Emitter, cancel: CancelToken) -> dict

``run`` returns the outputs named in the final ``result`` line (absolute paths or
``file.h5:dataset`` specs); it may return ``{"status": "stopped", ...}`` keys through
:class:`StageResult`. User errors are raised as :class:`~ffn_core.errors.UserError`
and become one ``error`` line and exit status 2; any other exception exits 1.
Stage modules are imported only when their stage runs, so ``info`` never loads TensorFlow.
"""
from __future__ import annotations

import argparse
import importlib
import json
import sys
import traceback
from dataclasses import dataclass, field
from typing import Any, Sequence

from ffn_core.errors import UserError
from ffn_core.events import CancelToken, Emitter, TextEmitter, listen_for_stop

STAGES: dict[str, tuple[str, str]] = {
    "import": ("ffn_core.io.importer", "import image (and label) stacks into the project"),
    "info": ("ffn_core.project_info", "print the project as JSON"),
    "preprocess": ("ffn_core.preprocess.stage", "partitions and training coordinates"),
    "train": ("ffn_core.train.stage", "train an FFN model"),
    "infer": ("ffn_core.infer.stage", "segment the project's image with a model"),
    "export": ("ffn_core.io.export_stage", "export a segmentation as slices, TIFF or HDF5"),
    "evaluate": ("ffn_core.evaluate_stage", "score a segmentation against ground truth"),
    "demo": ("ffn_core.demo", "run the whole pipeline on synthetic demo data"),
    "env": ("ffn_core.environment", "report TensorFlow, GPUs and CPU threads"),
}


@dataclass
class StageResult:
    """What a stage returns when it wants to say more than its outputs."""

    outputs: dict[str, Any]
    status: str = "completed"
    extra: dict[str, Any] = field(default_factory=dict)


class _Parser(argparse.ArgumentParser):
    """Reports usage errors as a protocol ``error`` line too, so the GUI can show them."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        Emitter(stage=self.prog.split()[-1]).error(
            f"Invalid arguments: {message}.", f"See '{self.prog} --help'.")
        sys.exit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="ffn-core", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="stage", required=True, parser_class=_Parser)
    for name, (module_name, help_text) in STAGES.items():
        stage_parser = sub.add_parser(name, help=help_text)
        try:
            module = importlib.import_module(module_name)
        except Exception as exc:  # noqa: BLE001 - one broken stage must not break the others
            stage_parser.set_defaults(_missing=f"{type(exc).__name__}: {exc}")
            continue
        module.add_arguments(stage_parser)
    return parser


def _record_params(args: argparse.Namespace) -> dict[str, Any]:
    return {k: v for k, v in vars(args).items()
            if not k.startswith("_") and k not in ("stage", "project")}


def main(argv: Sequence[str] | None = None) -> int:
    """Run one stage; prints JSON lines; returns the exit status."""
    args = build_parser().parse_args(argv)
    emit = (TextEmitter if getattr(args, "text", False) else Emitter)(stage=args.stage)
    if getattr(args, "_missing", None):
        emit.error(f"The '{args.stage}' stage is not available: {args._missing}.",
                   "Update or reinstall FFN Workbench.")
        return 2
    cancel = CancelToken()
    listen_for_stop(cancel)
    project, run_id = None, None
    try:
        module = importlib.import_module(STAGES[args.stage][0])
        if getattr(args, "project", None) and args.stage not in ("info",):
            from ffn_core.project import Project
            project = Project.open_or_create(args.project)
            run_id = project.begin_run(args.stage, _record_params(args))
        result = module.run(args, emit, cancel)
        if not isinstance(result, StageResult):
            result = StageResult(outputs=result or {})
        if project is not None:
            project.end_run(run_id, result.status, result.outputs)
        emit.result(result.outputs, status=result.status, **result.extra)
        return 0
    except UserError as exc:
        _fail(project, run_id, emit, exc.message, exc.hint)
        return 2
    except KeyboardInterrupt:
        _fail(project, run_id, emit, "Interrupted.", "Run the stage again to continue.")
        return 130
    except Exception as exc:  # noqa: BLE001 - report anything to the GUI, then exit
        emit.log(traceback.format_exc(), level="error")
        _fail(project, run_id, emit, f"{type(exc).__name__}: {exc}",
              "This is a bug or an unexpected input; the log above has the details.")
        return 1


def _fail(project: Any, run_id: str | None, emit: Emitter, message: str, hint: str) -> None:
    if project is not None and run_id is not None:
        try:
            project.end_run(run_id, "failed", message=message)
        except Exception:  # noqa: BLE001 - the error line matters more than the history
            pass
    emit.error(message, hint)


def print_json(value: Any) -> None:
    """Print ``value`` as indented JSON (for ``info``-like commands)."""
    json.dump(value, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def console_main() -> None:
    """Entry point of the ``ffn-core`` console script."""
    sys.exit(main())
