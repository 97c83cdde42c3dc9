"""A Python console dock (qtconsole, in-process kernel) with the project and viewer in scope.

Names available at the prompt::

    project            ConsoleProject: project.volume("image") -> numpy array, project.root, ...
    viewer             the napari ViewerModel of the main window
    run_stage(config)  run a stage config on the project in a worker; returns its StageResult
    ImportConfig, PreprocessConfig, TrainConfig, InferConfig, ExportConfig, EvaluateConfig, ...
                       the stage configs (see :mod:`ffn_core.stages`)
    np                 numpy

For example ``run_stage(TrainConfig(run="a", max_steps=500))``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import h5py
import numpy as np
from qtconsole.inprocess import QtInProcessKernelManager
from qtconsole.rich_jupyter_widget import RichJupyterWidget

from ffn_core.errors import UserError
from ffn_core.pipeline import run_stage
from ffn_core.project import Project
from ffn_core.stages import STAGES, StageConfig, StageResult, config_class

BANNER = (
    "FFN Workbench console. In scope: project, viewer, run_stage(config), the stage "
    "configs (ImportConfig, ..., EvaluateConfig), np.\n"
    "Examples: project.volume('image').shape; run_stage(TrainConfig(max_steps=500))\n"
)


class ConsoleProject:
    """The open project as seen from the console."""

    def __init__(self, root: Path) -> None:
        self._project = Project.open(root)

    @property
    def root(self) -> Path:
        return self._project.root

    @property
    def data(self) -> dict[str, Any]:
        """The project's project.json content (re-read on every access)."""
        self._project.reload()
        return self._project.data

    def volume(self, name: str) -> np.ndarray:
        """The imported volume ``name`` ("image" or "labels") as a numpy array (z, y, x)."""
        record = self._project.volume(name)
        with h5py.File(self._project.path(record["file"]), "r") as handle:
            return handle[record["dataset"]][...]

    def __repr__(self) -> str:
        return f"<FFN Workbench project {self.root}>"


class ConsoleWidget(RichJupyterWidget):
    """qtconsole widget on an in-process IPython kernel."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.banner = BANNER
        self.kernel_manager = QtInProcessKernelManager()
        self.kernel_manager.start_kernel(show_banner=False)
        self.kernel_manager.kernel.gui = "qt"
        self.kernel_client = self.kernel_manager.client()
        self.kernel_client.start_channels()
        self._root: Path | None = None
        self.push(
            {
                "np": np,
                "run_stage": self.run_stage,
                **{cls.__name__: cls for cls in map(config_class, STAGES)},
            }
        )

    def push(self, names: dict[str, Any]) -> None:
        """Put ``names`` into the console's namespace."""
        self.kernel_manager.kernel.shell.push(names)

    def set_project(self, root: Path | None) -> None:
        """Expose the project at ``root`` as ``project`` (None removes it)."""
        self._root = root
        self.push({"project": ConsoleProject(root) if root is not None else None})

    def run_stage(self, config: StageConfig) -> StageResult:
        """Run ``config`` on the project in a worker process, blocking the console until it ends.

        Raises
        ------
        UserError
            When no project is open, or with the worker's error.
        """
        if self._root is None:
            raise UserError("No project is open.", "Open a project in the window first.")
        return run_stage(config, self._root)

    def namespace(self) -> dict[str, Any]:
        """The console's user namespace (for tests and the main window)."""
        return self.kernel_manager.kernel.shell.user_ns

    def shutdown(self) -> None:
        """Stop the kernel channels; call before the widget is destroyed."""
        self.kernel_client.stop_channels()
        self.kernel_manager.shutdown_kernel()
