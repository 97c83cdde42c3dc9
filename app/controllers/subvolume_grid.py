"""The state of an inference run's subvolumes, as the infer page draws them, without Qt.

A run cut into subvolumes writes its plan (``run_dir/plan.json``, see
:class:`ffn_core.infer.plan.Plan`) and reports each subvolume's state in its progress
records (``metrics["states"]``: one character per subvolume in plan order, see
:data:`STATES`). :class:`SubvolumeGrid` keeps both and gives the rectangles to draw on the
y, x plane of one z slice: the *owned* parts of the subvolumes at that slice, which tile the
box exactly (each voxel of the stitched result comes from the subvolume that owns it).
Until the run stitches them, the owned parts of the finished subvolumes (their own segment
IDs, not yet joined across seams) can be shown in place of the result
(:meth:`SubvolumeGrid.owned_segmentation`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ffn_core.infer.plan import STATES, Plan, Subvolume, read_plan
from ffn_core.infer.storage import load_subvolume_segmentation, subvolume_path
from ffn_core.zyx import box_slices, relative_box

__all__ = ["STATE_COLOURS", "SubvolumeGrid"]

#: RGB of each state (grey, amber, green, red); faces are drawn translucent
STATE_COLOURS = {
    "w": (0.62, 0.62, 0.62),
    "r": (1.0, 0.72, 0.1),
    "d": (0.25, 0.85, 0.35),
    "f": (0.95, 0.25, 0.25),
}


@dataclass
class SubvolumeGrid:
    """A run's plan and the state of each of its subvolumes.

    Attributes
    ----------
    plan : Plan
        The subvolumes (boxes in image coordinates).
    run_dir : Path
        The run's folder (where ``plan.json`` and the subvolumes' npz files are).
    states : str
        One character of :data:`STATES` per subvolume, in plan order.
    """

    plan: Plan
    run_dir: Path
    states: str = ""

    def __post_init__(self) -> None:
        self.states = self.states or "w" * len(self.plan.subvolumes)

    @classmethod
    def read(cls, plan_json: str | Path) -> SubvolumeGrid:
        """The grid of the plan at ``plan_json`` (``run_dir/plan.json``), every subvolume
        waiting.

        Raises
        ------
        OSError, ValueError, KeyError
            The file is missing or is not a plan.
        """
        run_dir = Path(plan_json).parent
        plan = read_plan(run_dir)
        if plan is None:
            raise FileNotFoundError(plan_json)
        return cls(plan, run_dir)

    def update(self, states: str) -> list[Subvolume]:
        """Take the states of a progress record; returns the subvolumes done since the last
        states. Ignored (nothing changes) when they do not describe this plan (another length,
        unknown characters)."""
        if len(states) != len(self.plan.subvolumes) or not set(states) <= set(STATES):
            return []
        finished = [
            sub
            for sub, old, new in zip(self.plan.subvolumes, self.states, states)
            if new == "d" != old
        ]
        self.states = states
        return finished

    def settle(self) -> list[Subvolume]:
        """After the job ended: a subvolume whose result file exists is done, a failed one stays
        failed, any other is waiting (a stopped run resumes it). Returns the subvolumes done
        since the last states."""
        return self.update(
            "".join(
                "d" if self.saved(sub) else "f" if state == "f" else "w"
                for sub, state in zip(self.plan.subvolumes, self.states)
            )
        )

    def saved(self, sub: Subvolume) -> bool:
        """Whether ``sub``'s result (``x/y/seg-x_y_z.npz``) is in the run folder."""
        return subvolume_path(self.run_dir, sub.corner, "npz").is_file()

    def owned_segmentation(self, sub: Subvolume) -> np.ndarray:
        """The segment IDs ``sub`` found in the part of the box it owns (its own IDs, from its
        saved result), in the order of :meth:`owned_slices`."""
        segmentation = load_subvolume_segmentation(self.run_dir, sub.corner)
        return segmentation[box_slices(relative_box(sub.owned, sub.box))]

    def owned_slices(self, sub: Subvolume) -> tuple[slice, slice, slice]:
        """Where ``sub``'s owned part lies in an array of the plan's box."""
        return box_slices(relative_box(sub.owned, self.plan.box))

    def at_slice(self, z: float) -> list[Subvolume]:
        """The subvolumes owning voxels of slice ``z`` (image voxels; a slice outside the box
        takes the box's nearest slice), in plan order."""
        (z0, z1) = self.plan.box[0]
        z = min(max(int(np.floor(z)), z0), z1 - 1)
        return [sub for sub in self.plan.subvolumes if sub.owned[0][0] <= z < sub.owned[0][1]]

    def rectangles(self, z: float) -> tuple[list[np.ndarray], list[str]]:
        """The owned y, x rectangles of slice ``z`` as napari corners ``[[y0, x0], [y1, x1]]``
        in voxels (the shapes layer carries the image's scale) and the state of each."""
        subs = self.at_slice(z)
        corners = [
            np.array([[sub.owned[1][0], sub.owned[2][0]], [sub.owned[1][1], sub.owned[2][1]]])
            for sub in subs
        ]
        return corners, [self.states[sub.index] for sub in subs]
