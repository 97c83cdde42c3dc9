"""The only argument parser: ``python -m ffn_core <command> [options]``.

The CLI turns argv into a stage config and calls the stage's engine function through
:func:`ffn_core.stages.execute`; nothing else in the engine sees argparse. Each stage has
a module ``ffn_core.cli.<stage>_options`` with::

    def add_arguments(parser: argparse.ArgumentParser) -> None
    def to_config(args: argparse.Namespace) -> <Stage>Config
    def open_project(args: argparse.Namespace) -> Project | None   # optional

Without ``open_project`` the project is ``--project``, opened (or created for import).

``run --project P --job FILE`` runs a job file written by :mod:`ffn_core.jobs` (what the GUI
and the demo pipeline start). ``info`` and ``env`` report on the project and the machine.
Every command prints protocol records (:mod:`ffn_core.protocol`), or readable lines with
``--text``. A :class:`~ffn_core.errors.UserError` becomes one ``error`` line and exit status
2; any other exception exits 1. Stage modules are imported only when their command runs, so
``info`` never loads TensorFlow.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import traceback
from collections.abc import Sequence

from ffn_core.errors import UserError, write_failure
from ffn_core.events import CancelToken, Emitter, TextEmitter, listen_for_stop
from ffn_core.stages import StageResult, execute
from ffn_core.stages.base import open_stage_project

COMMANDS: dict[str, tuple[str, str]] = {
    "import": ("ffn_core.cli.import_options", "import image (and label) stacks into the project"),
    "preprocess": ("ffn_core.cli.preprocess_options", "partitions and training coordinates"),
    "train": ("ffn_core.cli.train_options", "train an FFN model"),
    "infer": ("ffn_core.cli.infer_options", "segment the project's image with a model"),
    "export": ("ffn_core.cli.export_options", "export a segmentation as slices, TIFF or HDF5"),
    "evaluate": ("ffn_core.cli.evaluate_options", "score a segmentation against ground truth"),
    "demo": ("ffn_core.cli.demo_options", "run the whole pipeline on synthetic demo data"),
    "run": ("ffn_core.cli.job_command", "run a job file written by the GUI or a script"),
    "info": ("ffn_core.cli.info_command", "print the project as JSON"),
    "env": ("ffn_core.cli.env_command", "report the backends, GPUs and CPU threads"),
    "convert": ("ffn_core.cli.convert_command", "a TensorFlow checkpoint as portable weights"),
}


class _Parser(argparse.ArgumentParser):
    """Reports usage errors as a protocol ``error`` line too, so the GUI can show them."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        Emitter(stage=self.prog.split()[-1]).error(
            f"Invalid arguments: {message}.", f"See '{self.prog} --help'."
        )
        sys.exit(2)


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command (a command whose module cannot load says so when run)."""
    parser = _Parser(prog="ffn-core", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="stage", required=True, parser_class=_Parser)
    for name, (module_name, help_text) in COMMANDS.items():
        command_parser = sub.add_parser(name, help=help_text)
        command_parser.add_argument(
            "--text", action="store_true", help="readable lines instead of JSON"
        )
        try:
            module = importlib.import_module(module_name)
        except Exception as exc:  # noqa: BLE001 - one broken stage must not break the others
            command_parser.set_defaults(_missing=f"{type(exc).__name__}: {exc}")
            continue
        module.add_arguments(command_parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; prints JSON lines; returns the exit status."""
    args = build_parser().parse_args(argv)
    emit = (TextEmitter if args.text else Emitter)(stage=args.stage)
    if getattr(args, "_missing", None):
        emit.error(
            f"The '{args.stage}' stage is not available: {args._missing}.",
            "Update or reinstall FFN Workbench.",
        )
        return 2
    cancel = CancelToken()
    listen_for_stop(cancel)
    try:
        result = _run(args, emit, cancel)
        emit.result(result.outputs, status=result.status, **result.extra)
        return 0
    except UserError as exc:
        emit.error(exc.message, exc.hint, exc.gui_hint)
        return 2
    except KeyboardInterrupt:
        emit.error("Interrupted.", "Run the stage again to continue.")
        return 130
    except Exception as exc:  # noqa: BLE001 - report anything to the GUI, then exit
        failure = write_failure(exc) if isinstance(exc, OSError) else None
        if failure is not None:  # a read-only, full or forbidden folder: not a bug
            emit.error(failure.message, failure.hint, failure.gui_hint)
            return 2
        emit.log(traceback.format_exc(), level="error")
        emit.error(
            f"{type(exc).__name__}: {exc}",
            "This is a bug or an unexpected input; the log above has the details.",
        )
        return 1


def _run(args: argparse.Namespace, emit: Emitter, cancel: CancelToken) -> StageResult:
    module = importlib.import_module(COMMANDS[args.stage][0])
    if hasattr(module, "command"):  # info, env, run: not a stage of their own
        return module.command(args, emit, cancel)
    config = module.to_config(args)
    project = (
        module.open_project(args)
        if hasattr(module, "open_project")
        else open_stage_project(config, args.project)
    )
    if project is not None:
        emit.project_root = project.root
    return execute(config, project, emit=emit, cancel=cancel)


def console_main() -> None:
    """Entry point of the ``ffn-core`` console script."""
    sys.exit(main())
