"""FFN training: learning, checkpoints, stop/resume, SIGKILL, fine-tuning from the reference."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import h5py
import numpy as np
import pytest
from PIL import Image
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from ffn_core.demo_data import DemoSpec, make_demo_volume
from ffn_core.errors import UserError
from ffn_core.events import CancelToken, Emitter
from ffn_core.model.args import ModelArgs, load_preset
from ffn_core.project import Project
from ffn_core.stages.train import TrainConfig, train
from ffn_core.train.examples import ExampleStream, TrainVolume
from ffn_core.train.metrics import eval_metrics
from ffn_core.train.run_config import RunSettings, merge_for_resume, read_run_config

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")

from ffn_core.model.checkpoints import checkpoint_info, resolve_checkpoint  # noqa: E402
from ffn_core.model.predictor import Predictor  # noqa: E402
from ffn_core.train.trainer import Trainer, example_config  # noqa: E402
from ffn_core.train.volumes import usable_coordinates  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
TINY = ModelArgs(depth=2, fov_size_zyx=(9, 9, 9), deltas_zyx=(2, 2, 2), features=16)
SHAPE = (24, 64, 64)


def train_volume() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Synthetic EM-like image, labels and example centres that leave room for a 13^3 example."""
    image, labels = make_demo_volume(DemoSpec(shape_zyx=SHAPE, n_cells=16))
    coords = np.random.default_rng(0).integers((6, 8, 8), (18, 56, 56), (4000, 3))
    return image, labels, coords.astype(np.int32)


@pytest.fixture(scope="module")
def volume():
    return train_volume()


def one_volume(image, labels, coords) -> list[TrainVolume]:
    """The training volumes of a project with one volume."""
    return [TrainVolume("main", image, labels, coords)]


def tiny_config(image: np.ndarray, **changes) -> RunSettings:
    values = dict(
        model_args=TINY,
        image_mean=float(image.mean()),
        image_stddev=float(image.std()),
        optimizer="adam",
        max_steps=100,
        summary_seconds=1.0,
    )
    return RunSettings(**(values | changes))


class StopAt(Emitter):
    """An emitter that records every line and asks for a stop at ``step``."""

    def __init__(self, cancel: CancelToken, step: int | None = None) -> None:
        super().__init__("train", stream=io.StringIO(), min_interval=0.0)
        self.cancel, self.stop_step = cancel, step

    def progress(self, done, total, unit="", **metrics):
        super().progress(done, total, unit, **metrics)
        if self.stop_step is not None and done >= self.stop_step:
            self.cancel.cancel()

    def losses(self) -> dict[int, float]:
        records = [json.loads(line) for line in self.stream.getvalue().splitlines()]
        return {
            r["metrics"]["step"]: r["metrics"]["loss"] for r in records if r["type"] == "progress"
        }


def eval_examples(
    predictor: Predictor, volume, config: RunSettings, examples: int = 30
) -> dict[str, float]:
    """Eval metrics of whole examples (fixed policy) with frozen weights, on fixed coordinates
    (the last ``examples`` of the volume's, which training leaves out)."""
    image, labels, coords = volume
    stream = ExampleStream(
        image, labels, coords[-examples:], example_config(config), np.random.default_rng(7)
    )
    finished = []
    while len(finished) < examples:
        fov = stream.next_fov()
        stream.update(predictor.predict(fov.image[None], fov.seed[None])[0])
        finished += stream.pop_finished()
    return eval_metrics(
        np.concatenate([f.labels.ravel() for f in finished]),
        np.concatenate([f.logits.ravel() for f in finished]),
    )


def test_training_learns(tmp_path, volume):
    keras.utils.set_random_seed(0)
    image, labels, coords = volume
    config = tiny_config(image, max_steps=1500)
    training = one_volume(image, labels, coords[:-30])
    trainer = Trainer(config, tmp_path, training, StopAt(CancelToken()))
    trainer.restore_or_initialize()
    before = eval_examples(Predictor(trainer.model, TINY), volume, config)["f1"]
    outcome = trainer.train()
    after = eval_examples(Predictor.from_checkpoint(outcome.checkpoint, TINY), volume, config)["f1"]
    assert outcome.status == "completed" and outcome.step == 1500
    assert after > max(0.3, before + 0.25), (before, after)

    history = [json.loads(line) for line in (tmp_path / "history.jsonl").read_text().splitlines()]
    assert [h["eval"]["f1"] for h in history if "eval" in h]  # eval summaries were written
    events = EventAccumulator(str(tmp_path))  # TensorBoard's own reader
    events.Reload()
    assert {"loss", "steps_per_s", "eval/f1"} <= set(events.Tags()["scalars"])
    assert "final_xy/image/0" in events.Tags()["images"]
    with Image.open(tmp_path / "preview.png") as preview:
        assert preview.size[0] >= 100


def test_stop_then_resume_continues_the_step_count(tmp_path, volume):
    keras.utils.set_random_seed(1)
    image, labels, coords = volume
    cancel = CancelToken()
    first = StopAt(cancel, step=150)
    trainer = Trainer(
        tiny_config(image, max_steps=1000), tmp_path, one_volume(*volume), first, cancel
    )
    trainer.restore_or_initialize()
    stopped = trainer.train()
    assert stopped.status == "stopped" and stopped.step == 150
    assert checkpoint_info(tmp_path / "checkpoints").step == 150
    saved = [w.numpy() for w in trainer.model.weights]

    second = StopAt(CancelToken())
    resumed = Trainer(tiny_config(image, max_steps=200), tmp_path, one_volume(*volume), second)
    assert "at step 150" in resumed.restore_or_initialize()
    assert int(resumed.optimizer.iterations.numpy()) == 150  # optimizer state came back
    for restored, kept in zip(resumed.model.weights, saved):
        np.testing.assert_array_equal(restored.numpy(), kept)
    assert resumed.train().step == 200

    before, after = first.losses(), second.losses()
    assert min(after) == 151
    untrained = np.mean([before[s] for s in range(2, 12)])
    assert np.mean([after[s] for s in range(151, 171)]) < 0.8 * untrained  # no jump back
    steps = [
        json.loads(line)["step"] for line in (tmp_path / "history.jsonl").read_text().splitlines()
    ]
    assert steps == sorted(steps) and steps[-1] == 200


def test_learning_rate_decays_in_stairs_and_resumes_on_schedule(tmp_path, volume):
    image, labels, coords = volume
    with pytest.raises(UserError, match="needs both"):
        tiny_config(image, decay_steps=10)
    config = tiny_config(
        image, max_steps=25, learning_rate=0.01, learning_rate_decay_factor=0.5, decay_steps=10
    )
    trainer = Trainer(config, tmp_path, one_volume(*volume), StopAt(CancelToken()))
    trainer.restore_or_initialize()
    trainer.train()
    rate = trainer.optimizer.learning_rate  # read at the optimizer's current iteration
    assert float(rate.numpy()) == pytest.approx(0.01 * 0.5**2)
    history = [json.loads(line) for line in (tmp_path / "history.jsonl").read_text().splitlines()]
    logged = {h["step"]: h["learning_rate"] for h in history if "learning_rate" in h}
    assert logged == pytest.approx({10: 0.005, 20: 0.0025})  # the rate the next step uses

    resumed = Trainer(
        tiny_config(
            image, max_steps=35, learning_rate=0.01, learning_rate_decay_factor=0.5, decay_steps=10
        ),
        tmp_path,
        one_volume(*volume),
        StopAt(CancelToken()),
    )
    resumed.restore_or_initialize()
    assert float(resumed.optimizer.learning_rate.numpy()) == pytest.approx(0.0025)
    resumed.train()
    assert float(resumed.optimizer.learning_rate.numpy()) == pytest.approx(0.01 * 0.5**3)


def test_resume_refuses_another_model(tmp_path, volume):
    config = tiny_config(volume[0])
    other = ModelArgs(depth=3, fov_size_zyx=(9, 9, 9), deltas_zyx=(2, 2, 2))
    merged = merge_for_resume(config, {"max_steps": 500, "learning_rate": None}, tmp_path)
    assert merged.max_steps == 500 and merged.learning_rate == config.learning_rate
    with pytest.raises(UserError, match="was trained with model_args"):
        merge_for_resume(config, {"model_args": other}, tmp_path)
    with pytest.raises(UserError, match="was trained with optimizer"):
        merge_for_resume(config, {"optimizer": "sgd"}, tmp_path)


def test_coordinates_without_room_for_an_example_are_dropped():
    coords = np.array([[6, 6, 6], [5, 6, 6], [6, 6, 18], [17, 17, 17]])  # 13: c - 6 .. c + 6
    kept = usable_coordinates(coords, (24, 24, 24), (13, 13, 13), np.random.default_rng(0))
    np.testing.assert_array_equal(kept, [[6, 6, 6], [17, 17, 17]])
    with pytest.raises(UserError, match="leaves room for a training example"):
        usable_coordinates(coords[1:3], (24, 24, 24), (13, 13, 13), np.random.default_rng(0))


def write_project(root: Path, image: np.ndarray, labels: np.ndarray, coords: np.ndarray) -> None:
    project = Project.create(root)
    for name, data in (("image", image), ("labels", labels)):
        path = root / "volumes" / f"{name}.h5"
        path.parent.mkdir(exist_ok=True)
        with h5py.File(path, "w") as handle:
            handle.create_dataset("raw", data=data, chunks=True)
        stats = {"mean": float(image.mean()), "std": float(image.std())} if name == "image" else {}
        project.register_volume(name, path, "raw", **stats)
    (root / "preprocess").mkdir()
    np.save(root / "preprocess" / "coordinates.npy", coords)


def test_train_config_round_trip_and_checks():
    config = TrainConfig(
        run="tiny",
        model_args=TINY.to_json(),
        max_steps=30,
        optimizer="adam",
        learning_rate_decay_factor=0.5,
        decay_steps=10,
        image_stddev=40.0,
    )
    assert config.model_args == TINY
    stored = json.loads(json.dumps(config.to_dict()))
    assert stored["model_args"] == TINY.to_reference() and stored["batch_size"] is None
    assert TrainConfig.from_dict(stored) == config
    assert TrainConfig(decay_steps=10).decay_steps == 10  # a resumed run may hold the factor
    for bad, message in (
        (dict(optimizer="rmsprop"), "Unknown optimizer"),
        (dict(batch_size=0), "batch_size must be at least 1"),
        (dict(learning_rate=0.0), "must be positive"),
        (dict(learning_rate_decay_factor=2.0), r"must be in \(0, 1\]"),
        (dict(fov_policy="random"), "Unknown FOV policy"),
        (dict(preset="cubic"), "No model preset named 'cubic'"),
        (dict(model_args='{"depth": 2}'), "missing deltas, fov_size"),
    ):
        with pytest.raises(UserError, match=message):
            TrainConfig(**bad)
    with pytest.raises(UserError, match="Unknown train setting"):
        TrainConfig.from_dict({"steps": 10})


def test_train_from_python_starts_then_continues_a_run(tmp_path, volume):
    write_project(tmp_path, *volume)
    project = Project.open(tmp_path)
    emit = StopAt(CancelToken())
    config = TrainConfig(
        run="tiny", model_args=TINY, optimizer="adam", max_steps=20, summary_seconds=1.0
    )
    result = train(config, project, emit=emit)
    run = tmp_path / "runs" / "tiny"
    assert result.status == "completed" and result.outputs["step"] == 20
    assert result.outputs["run_dir"] == str(run)
    assert checkpoint_info(run).step == 20
    assert Path(result.outputs["checkpoint"]).name == "ckpt-20.weights.h5"
    settings = read_run_config(run)
    assert settings.model_args == TINY and settings.optimizer == "adam"
    assert settings.image_mean == pytest.approx(volume[0].mean())  # the project image's
    assert project.stage_params("train")["run"] == "tiny"

    again = StopAt(CancelToken())
    resumed = train(TrainConfig(run="tiny", max_steps=25), project, emit=again)
    assert resumed.outputs["step"] == 25 and min(again.losses()) == 21
    assert read_run_config(run).max_steps == 25 and read_run_config(run).optimizer == "adam"
    with pytest.raises(UserError, match="was trained with optimizer"):
        train(TrainConfig(run="tiny", optimizer="sgd"), project, emit=StopAt(CancelToken()))
    with pytest.raises(UserError, match="needs both"):
        train(
            TrainConfig(run="new", model_args=TINY, decay_steps=10),
            project,
            emit=StopAt(CancelToken()),
        )


def _start_worker(project: Path, *extra: str) -> subprocess.Popen:
    command = [
        sys.executable,
        "-u",
        "-m",
        "ffn_core",
        "train",
        "--project",
        str(project),
        "--model-args",
        json.dumps(TINY.to_reference()),
        "--optimizer",
        "adam",
        "--checkpoint-minutes",
        "0.02",
        *extra,
    ]
    return subprocess.Popen(
        command,
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def _records(child: subprocess.Popen):
    for line in child.stdout:
        if line.startswith("{"):
            yield json.loads(line)


def test_sigkill_loses_at_most_the_last_checkpoint_interval(tmp_path, volume):
    write_project(tmp_path, *volume)
    announced, last_step = [], 0
    with _start_worker(tmp_path, "--max-steps", "1000000") as child:
        for record in _records(child):
            if record["type"] == "artifact" and record["kind"] == "checkpoint":
                announced.append(record["path"])
                announced_at = time.monotonic()
            if record["type"] == "progress":
                last_step = record["metrics"]["step"]
            if len(announced) >= 3 and time.monotonic() - announced_at > 0.5:
                break
        os.kill(child.pid, signal.SIGKILL)

    Project.open(tmp_path)  # the project still opens
    run = tmp_path / "runs" / "default"
    kept = checkpoint_info(run)
    assert resolve_checkpoint(run) == kept.prefix
    assert kept.prefix.endswith(Path(announced[-1]).name)  # the latest save survived
    assert kept.step < last_step
    with open(run / "history.jsonl", "a") as history:
        history.write('{"step": 99999999, "lo')  # a line the kill cut short

    records = []
    with _start_worker(tmp_path, "--max-steps", "1000000") as resumed:
        for record in _records(resumed):
            records.append(record)
            if (
                record["type"] == "progress"
                and record["metrics"]["step"] >= kept.step + 5
                and not resumed.stdin.closed
            ):
                resumed.stdin.write("stop\n")  # what the GUI's Stop button sends
                resumed.stdin.close()
    logs = " ".join(r["message"] for r in records if r["type"] == "log")
    assert f"at step {kept.step}" in logs
    result = records[-1]
    assert result["type"] == "result" and result["status"] == "stopped", result
    stopped_at = result["outputs"]["step"]
    assert stopped_at > kept.step and checkpoint_info(run).step == stopped_at
    assert read_run_config(run).model_args == TINY
    steps = [json.loads(line)["step"] for line in (run / "history.jsonl").read_text().splitlines()]
    assert steps == sorted(steps) and steps[-1] == stopped_at


def _snemi_volume(shared: Path) -> tuple[np.ndarray, np.ndarray]:
    def stack(folder: str) -> np.ndarray:
        return np.stack(
            [
                np.array(Image.open(shared / f"data/snemi3d/{folder}/{z:04d}.png"))[:160, :160]
                for z in range(30)
            ]
        )

    return stack("images"), stack("segment")


def test_fine_tuning_from_the_reference_starts_low(tmp_path, shared):
    image, labels = _snemi_volume(shared)
    coords = np.random.default_rng(3).integers((12, 24, 24), (18, 136, 136), (200, 3))
    losses = {}
    for name, init in (
        ("scratch", None),
        ("tuned", str(shared / "models/snemi3d_ffn_windows/model.ckpt-7000000")),
    ):
        keras.utils.set_random_seed(0)
        config = RunSettings(
            model_args=load_preset("anisotropic"),
            image_mean=131.0,
            image_stddev=62.0,
            batch_size=2,
            max_steps=3,
            init_checkpoint=init,
        )
        emit = StopAt(CancelToken())
        trainer = Trainer(config, tmp_path / name, one_volume(image, labels, coords), emit)
        trainer.restore_or_initialize()
        trainer.train()
        losses[name] = emit.losses()
    tuned, scratch = losses["tuned"].values(), losses["scratch"].values()
    assert losses["tuned"][1] < 0.4 and max(tuned) < min(scratch), losses
