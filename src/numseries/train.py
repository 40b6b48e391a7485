"""Training on Lightning: a thin LightningModule around the plain model, early stopping, best and last
checkpoints, resuming, CSV/TensorBoard logs, gradient clipping, seeding and DDP pass-through.

The loss is scale-free: the L1 distance between the predicted and the true next value, both in the
series' own normalised units (divided by the context's mean absolute step), which is the scaled error
that evaluation reports.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import inspect
import json
import logging
import os
import platform
import shlex
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator, Sequence
from datetime import timedelta
from importlib import metadata
from pathlib import Path
from typing import Any

import lightning as L
import numpy as np
import torch
from lightning.fabric.utilities.exceptions import MisconfigurationException
from lightning.pytorch.callbacks import EarlyStopping, ModelCheckpoint, Timer, WeightAveraging
from lightning.pytorch.loggers import CSVLogger, Logger, TensorBoardLogger
from lightning.pytorch.plugins import TorchCheckpointIO
from lightning.pytorch.utilities.rank_zero import rank_zero_only
from torch import nn
from torch.utils.data import DataLoader

from numseries.config import ModelConfig, TrainConfig, check_lengths
from numseries.data import StreamingDataset, make_loader
from numseries.files import atomic_write, check_folder
from numseries.generate import generate_batch, resolve_families
from numseries.model import LSTMWithAttention, ModelOutput
from numseries.series import SequenceBatch
from numseries.weights import (
    INFO_FILE,
    check_weights_out,
    load_model,
    locate,
    read_training_info,
    save_pretrained,
)

log = logging.getLogger(__name__)

CHECKPOINT_DIR = "checkpoints"
LAST_CHECKPOINT = "last.ckpt"
BEST_CHECKPOINT = "best.ckpt"
RESUME_REFUSED = "cannot resume the run in"  # how fit's refusal to resume a run (before any training) begins
RUN_SETTINGS = "run_settings.json"  # in the run directory: the settings it was started with, and each command
# A resumed run may change only when it stops; any other change would train weights that training_info.json,
# which records one set of settings, does not describe
STOPPING_SETTINGS = frozenset({"max_epochs", "max_minutes", "patience", "min_delta"})


TARGET_CLIP = 100.0  # mean absolute steps


def scaled_l1(
    z_hat: torch.Tensor, target: torch.Tensor, last: torch.Tensor, scale: torch.Tensor
) -> torch.Tensor:
    """Mean |z_hat - (target - last) / scale|: the error in units of the context's mean absolute step.

    Targets are clipped to +-TARGET_CLIP steps: a jump after a (nearly) constant context can be
    millions of steps, which says nothing about the model but would swamp the mean. The gradient of
    an L1 loss keeps its sign under the clip, so training still moves towards such targets.
    """
    z_target = ((target.double() - last) / scale).clamp(-TARGET_CLIP, TARGET_CLIP).float()
    return (z_hat - z_target).abs().mean()


def pinball(
    quantiles: torch.Tensor, levels: torch.Tensor, target: torch.Tensor, last: torch.Tensor, scale: torch.Tensor
) -> torch.Tensor:
    """Mean pinball (quantile) loss of (B, Q) normalised quantiles at (Q,) levels, targets clipped as in
    :func:`scaled_l1`; its minimum over each column is that level's quantile of the target."""
    z_target = ((target.double() - last) / scale).clamp(-TARGET_CLIP, TARGET_CLIP).float()
    error = z_target[:, None] - quantiles  # (B, Q)
    return torch.maximum(levels * error, (levels - 1) * error).mean()


def attention_alignment(out: ModelOutput, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean KL divergence from each row's share of |weight| to its attention (0 when they agree).

    The weights ``w_i = d prediction / d x_i`` (see :mod:`numseries.gradient`) are taken by autograd
    on ``x`` (which must require grad) and held fixed: the loss moves the attention towards them, not
    them towards the attention.
    """
    prediction = out.last + out.scale * out.z_hat.double()  # (B,)
    (weights,) = torch.autograd.grad(prediction.sum(), x, retain_graph=True)  # (B, T)
    share = (weights.abs() * mask).float()  # (B, T)
    share = share / share.sum(dim=1, keepdim=True).clamp_min(1e-12)
    log_attention = torch.log(out.attention.clamp_min(1e-12))
    return (torch.xlogy(share, share) - share * log_attention).sum(dim=1).mean()


ROLLOUT_MIN_CONTEXT = 8  # the shortest context a training forecast starts from


def rollout_l1(model: LSTMWithAttention, x: torch.Tensor, mask: torch.Tensor, steps: int) -> torch.Tensor:
    """Mean scaled L1 of ``steps``-step forecasts, the model's own predictions fed back.

    Each (B, T) sequence of at least ``steps + ROLLOUT_MIN_CONTEXT`` values is cut before its last ``steps``
    values, which become the targets. Every step's prediction is written after the context as its newest
    value (gradients flow through it, so a step learns what its error does to the next) and every step's error
    is in mean absolute steps of the context the forecast starts from, targets clipped as in
    :func:`scaled_l1`. 0 when no sequence is long enough.
    """
    lengths = mask.sum(dim=1)  # (B,)
    rows = lengths >= steps + ROLLOUT_MIN_CONTEXT
    if not rows.any():
        return x.new_zeros((), dtype=torch.float32)
    values, length = x[rows].double(), lengths[rows] - steps  # (b, T), (b,) the forecasts' contexts
    targets = values.gather(1, length[:, None] + torch.arange(steps, device=x.device)[None, :])  # (b, steps)
    positions = torch.arange(values.shape[1], device=x.device)[None, :]  # (1, T)
    current = values
    total = x.new_zeros((), dtype=torch.float32)
    for k in range(steps):
        out = model.forward_all(current, positions < (length + k)[:, None])
        prediction = out.last + out.scale * out.z_hat.double()  # (b,)
        if k == 0:
            start_last, start_scale = out.last, out.scale  # (b,) the forecast's units
        total = total + scaled_l1(((prediction - start_last) / start_scale).float(), targets[:, k], start_last, start_scale)
        current = current.scatter(1, (length + k)[:, None], prediction[:, None])  # fed back
    return total / steps


def check_rollout(config: TrainConfig, max_len: int) -> None:
    """Refuse a rollout loss that no training sequence is long enough for (it would be 0 throughout):
    :func:`rollout_l1` needs ``rollout_steps + ROLLOUT_MIN_CONTEXT`` values, and no context is longer than ``max_len``."""
    need = config.rollout_steps + ROLLOUT_MIN_CONTEXT
    if not config.rollout_loss or max_len >= need:
        return
    fewer = f" or lower --rollout-steps to {max_len - ROLLOUT_MIN_CONTEXT}" if max_len > ROLLOUT_MIN_CONTEXT else ""
    raise ValueError(
        f"--rollout-steps {config.rollout_steps} needs sequences of at least {need} values, but --max-len is "
        f"{max_len}, so --rollout-loss would train nothing; raise --max-len to {need}{fewer}"
    )


def _ema_with_warmup(
    averaged: torch.Tensor, current: torch.Tensor, num_averaged: torch.Tensor, *, decay: float
) -> torch.Tensor:
    """One step of an exponential moving average whose decay ramps up as (1 + n) / (10 + n) to ``decay``,
    so that a short run averages its last few steps rather than staying near the initial weights."""
    rate = torch.clamp((1 + num_averaged) / (10 + num_averaged), max=decay)
    return rate * averaged + (1 - rate) * current


class SequenceModule(L.LightningModule):
    """Wraps :class:`LSTMWithAttention` for Lightning; the model itself knows nothing of Lightning."""

    levels: torch.Tensor  # (Q,) the quantile head's levels, a buffer

    def __init__(
        self,
        model: LSTMWithAttention,
        lr: float = 2e-3,
        weight_decay: float = 1e-5,
        attention_loss: float = 0.0,
        detach_heads: bool = False,
        rollout_loss: float = 0.0,
        rollout_steps: int = 4,
    ) -> None:
        super().__init__()
        self.model = model
        self.lr = lr
        self.weight_decay = weight_decay
        self.attention_loss = attention_loss
        self.detach_heads = detach_heads
        self.rollout_loss = rollout_loss
        self.rollout_steps = rollout_steps
        self.register_buffer("levels", torch.tensor(model.config.quantile_levels, dtype=torch.float32), persistent=False)

    def _losses(self, batch: tuple[torch.Tensor, ...]) -> dict[str, torch.Tensor]:
        """The scaled L1 of the point prediction, and the pinball and cross-entropy losses of the heads
        the model has (the pattern head needs batches that carry family indices)."""
        x, y, mask = _checked_batch(batch)
        # The attention loss differentiates the prediction with respect to x, in validation too.
        with torch.enable_grad() if self.attention_loss else contextlib.nullcontext():
            if self.attention_loss:
                x = x.detach().double().requires_grad_(True)
            out = self.model.forward_all(x, mask, detach_heads=self.detach_heads)
            losses = {"l1": scaled_l1(out.z_hat, y, out.last, out.scale)}
            if self.attention_loss:
                losses["attention"] = self.attention_loss * attention_alignment(out, x, mask)
        if self.rollout_loss:
            losses["rollout"] = self.rollout_loss * rollout_l1(self.model, x, mask, self.rollout_steps)
        if out.quantiles is not None:
            losses["pinball"] = pinball(out.quantiles, self.levels, y, out.last, out.scale)
        if out.pattern_logits is not None and len(batch) > 3:
            named = batch[3] >= 0  # (B,) series of a family the pattern head names
            logits = out.pattern_logits[named]  # (B', K)
            losses["pattern"] = nn.functional.cross_entropy(logits, batch[3][named]) if len(logits) else logits.sum()
        return losses

    def _loss(self, batch: tuple[torch.Tensor, ...], stage: str) -> torch.Tensor:
        losses = self._losses(batch)
        for name, value in losses.items():
            if len(losses) > 1:
                self.log(f"{stage}_{name}", value, on_step=False, on_epoch=True, sync_dist=True, batch_size=len(batch[0]))
        return sum(losses.values())  # type: ignore[return-value]

    def training_step(self, batch, batch_idx: int) -> torch.Tensor:  # noqa: ARG002 (Lightning's signature)
        loss = self._loss(batch, "train")
        if not torch.isfinite(loss):  # stop before NaN or inf reaches the weights that are saved
            raise ValueError(
                f"training diverged: the loss is {loss.item()} at step {self.global_step}; "
                f"train again with a lower --lr (this run: {self.lr:g}) or --grad-clip"
            )
        # sync_dist: under DDP the epoch's figure is the mean over every process's batches, not rank 0's alone
        self.log("train_loss", loss, prog_bar=True, on_step=True, on_epoch=True, sync_dist=True, batch_size=len(batch[0]))
        return loss

    def validation_step(self, batch, batch_idx: int) -> None:  # noqa: ARG002 (Lightning's signature)
        loss = self._loss(batch, "val")
        self.log("val_loss", loss, prog_bar=True, on_epoch=True, sync_dist=True, batch_size=len(batch[0]))

    def on_train_epoch_start(self) -> None:
        loader = self.trainer.train_dataloader
        if loader is not None and isinstance(loader.dataset, StreamingDataset):  # fresh data every epoch, new data after a resume
            loader.dataset.set_epoch(self.current_epoch)

    def configure_optimizers(self):
        trainable = [parameter for parameter in self.parameters() if parameter.requires_grad]
        optimizer = torch.optim.AdamW(trainable, lr=self.lr, weight_decay=self.weight_decay)
        scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.5, patience=2)
        return {"optimizer": optimizer, "lr_scheduler": {"scheduler": scheduler, "monitor": "val_loss"}}


@dataclasses.dataclass(frozen=True)
class TrainerOptions:
    """Where a run keeps its files and what Lightning runs it on: everything but the schedule."""

    out_dir: str | Path | None = None  # checkpoints and logs; None: a new runs/train-<time>-* folder
    resume: bool = False  # continue from out_dir's last checkpoint
    accelerator: str = "cpu"
    devices: int | str = 1
    num_nodes: int = 1
    strategy: str = "auto"
    logger: str = "csv"  # or "tensorboard" (CSV logs are always written)
    progress_bar: bool = True


@dataclasses.dataclass(frozen=True)
class FitResult:
    """What :func:`fit` returns: the best weights and the figures of the run."""

    model: LSTMWithAttention  # best (lowest val_loss) weights, in eval mode, on the CPU
    trainer: L.Trainer
    seconds: float  # wall time of training, from Lightning's Timer
    best_val_loss: float | None
    stopped_early: bool
    epochs: int  # epochs begun, the last perhaps cut short by max_minutes (:func:`_epochs_begun`)


def _epochs_begun(trainer: L.Trainer) -> int:
    """Epochs the run has trained in, counting one a time limit cut short: Lightning counts that epoch
    done when it stops, but a run resumed from its checkpoint holds it as begun, not done (training_info.json
    said 10 and the resume 9, adversarial round 52). From the steps, where an epoch has a known count of them."""
    batches = trainer.num_training_batches
    if isinstance(batches, int) and batches > 0:
        return -(-trainer.global_step // batches)
    return trainer.current_epoch


def fit(
    model: LSTMWithAttention,
    train_loader: DataLoader,
    val_loader: DataLoader,
    schedule: TrainConfig = TrainConfig(),
    options: TrainerOptions = TrainerOptions(),
) -> FitResult:
    """Train ``model`` with early stopping on validation loss and restore its best weights."""
    out_dir = options.out_dir
    if out_dir is None:  # a new folder for every run, so no earlier run is overwritten
        Path("runs").mkdir(exist_ok=True)
        out_dir = tempfile.mkdtemp(prefix=time.strftime("train-%Y%m%d-%H%M%S-"), dir="runs")
    out_dir = Path(out_dir)
    resume_from = _check_run_dir(out_dir, options.resume)
    if options.logger not in ("csv", "tensorboard"):
        raise ValueError(f"logger must be 'csv' or 'tensorboard', got {options.logger!r}")
    L.seed_everything(schedule.seed, workers=True, verbose=False)
    checkpoint = _RunCheckpoint(dirpath=out_dir / CHECKPOINT_DIR, filename=Path(BEST_CHECKPOINT).stem, monitor="val_loss")
    # The latest epoch, at every validation: Lightning's save_last writes last.ckpt only when the best one is
    # written, so a resume after an epoch that did not improve redid every epoch since the best one.
    latest = _RunCheckpoint(
        dirpath=out_dir / CHECKPOINT_DIR, filename=Path(LAST_CHECKPOINT).stem, monitor=None, enable_version_counter=False
    )
    early_stop = _EarlyStopping("val_loss", patience=schedule.patience, min_delta=schedule.min_delta)
    # Lightning's Timer times the run and, given a duration, stops it (what Trainer(max_time=...) adds).
    timer = Timer(duration=timedelta(minutes=schedule.max_minutes) if schedule.max_minutes else None, interval="step")
    callbacks = [early_stop, checkpoint, latest, timer]
    if schedule.ema_decay:  # validation, checkpoints and the weights returned all use the average
        callbacks.append(WeightAveraging(avg_fn=functools.partial(_ema_with_warmup, decay=schedule.ema_decay)))
    loggers: list[Logger] = [CSVLogger(out_dir, name="logs")]
    if options.logger == "tensorboard":
        loggers.append(TensorBoardLogger(out_dir, name="tensorboard"))
    with _quiet_lightning():
        trainer = _trainer(schedule, options, callbacks, loggers, out_dir)
        model.train()  # Lightning keeps the modes it finds: a model from load_model() would train in eval mode
        module = SequenceModule(
            model,
            lr=schedule.lr,
            weight_decay=schedule.weight_decay,
            attention_loss=schedule.attention_loss,
            detach_heads=schedule.detach_heads,
            rollout_loss=schedule.rollout_loss,
            rollout_steps=schedule.rollout_steps,
        )
        start_step = _global_step(resume_from) if resume_from is not None else None
        try:
            trainer.fit(module, train_loader, val_loader, ckpt_path=resume_from)
        except SystemExit as stop:  # Lightning ends Ctrl-C with exit(1) and SIGTERM with exit(None), silently
            if not trainer.interrupted:
                raise
            interrupted = KeyboardInterrupt(
                f"stopped in epoch {trainer.current_epoch + 1}; its checkpoints are in {out_dir}: "
                "continue it with numseries train --resume (in Python: resume=True)"
            )
            interrupted.exit_code = 130 if stop.code else 143  # type: ignore[attr-defined]  # Ctrl-C, SIGTERM
            raise interrupted from stop
        except (RuntimeError, MisconfigurationException) as err:
            if resume_from is None:
                raise
            lines = [line.strip() for line in str(err).splitlines() if line.strip()] or [type(err).__name__]
            first = next((line for line in lines if "mismatch" in line), lines[0])  # torch's first line names none
            raise ValueError(
                f"{RESUME_REFUSED} {out_dir} with these settings ({first}); resume it with the model "
                "options it was started with and more --max-epochs than it has done"
            ) from err
    if start_step is not None and trainer.global_step == start_step:
        log.warning(
            "the run in %s trained no further step: it has done %d epochs and stops there (--max-epochs %d, "
            "--patience %d%s); raise the one that stopped it to go on",
            out_dir, _epochs_begun(trainer), schedule.max_epochs, schedule.patience,
            f", --max-minutes {schedule.max_minutes:g}" if schedule.max_minutes else "",
        )  # fmt: skip
    best = checkpoint.best_model_path or str(resume_from or out_dir / CHECKPOINT_DIR / LAST_CHECKPOINT)
    if not Path(best).is_file():
        raise ValueError(
            f"training stopped after {trainer.global_step} steps, before its first validation, so no weights "
            "were kept; give it a training loader that yields batches, and time (max_minutes) for one epoch"
        )
    state = torch.load(best, map_location="cpu", weights_only=True)["state_dict"]
    model.load_state_dict({key.removeprefix("model."): value for key, value in state.items()})
    best_score = checkpoint.best_model_score
    return FitResult(
        model=model.cpu().eval(),
        trainer=trainer,
        seconds=timer.time_elapsed("train"),
        best_val_loss=float(best_score) if best_score is not None else None,
        stopped_early=bool(early_stop.stopped_epoch),
        epochs=_epochs_begun(trainer),
    )


class _EarlyStopping(EarlyStopping):
    """Lightning's EarlyStopping with the patience it is given, on a resume too (Lightning reads the patience
    back from the checkpoint, so a resume with another --patience went on with the first one). A run stopped
    early and resumed with more patience goes on where it has some left."""

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        patience = self.patience
        super().load_state_dict(state_dict)
        self.patience = patience
        if self.stopped_epoch and self.wait_count < patience:
            self.stopped_epoch = 0  # (it stopped for the old patience; with this one it goes on)


class _RunCheckpoint(ModelCheckpoint):
    """Lightning's ModelCheckpoint for a run folder that may have been moved or copied since its checkpoints
    were written: the paths a checkpoint records are read inside this folder. (Lightning keeps only the old
    path of the best checkpoint and drops its score: a resumed copy wrote the weights of whatever run was
    at the old path then, or the first epoch after the resume as its best.)"""

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        recorded, here = state_dict.get("dirpath"), self.dirpath
        if recorded is not None and here is not None and recorded != here:

            def moved(path: str | None) -> str | None:  # a checkpoint of the run, in this folder
                return str(Path(here) / Path(path).name) if path else path

            state_dict = {
                **state_dict,
                "dirpath": here,
                "best_model_path": moved(state_dict.get("best_model_path")),
                "kth_best_model_path": moved(state_dict.get("kth_best_model_path")),
                "last_model_path": moved(state_dict.get("last_model_path")),
                "best_k_models": {moved(path): score for path, score in state_dict.get("best_k_models", {}).items()},
            }
        super().load_state_dict(state_dict)


def _trainer(
    schedule: TrainConfig, options: TrainerOptions, callbacks: list[Any], loggers: list[Logger], out_dir: Path
) -> L.Trainer:
    """Lightning's Trainer for this run; its refusals of the hardware options as a one-line ``ValueError``."""
    try:
        return L.Trainer(
            max_epochs=schedule.max_epochs,
            accelerator=options.accelerator,
            devices=options.devices,
            num_nodes=options.num_nodes,
            strategy=options.strategy,
            gradient_clip_val=schedule.grad_clip,
            callbacks=callbacks,
            logger=loggers,
            enable_progress_bar=options.progress_bar,
            enable_model_summary=False,
            default_root_dir=out_dir,
            log_every_n_steps=min(50, schedule.batches_per_epoch),  # Lightning warns when fewer
            plugins=[AtomicCheckpointIO()],
        )
    except (MisconfigurationException, TypeError, ImportError) as err:  # Lightning's refusals of options
        raise ValueError(
            f"Lightning cannot run accelerator={options.accelerator!r}, devices={options.devices!r}, "
            f"num_nodes={options.num_nodes}, strategy={options.strategy!r}: {str(err).strip().splitlines()[0]}; "
            "check these options"
        ) from err


# Lightning's own notices, not about the run: the first seen with lightning 2.6 on torch 2.13, the second
# because the stream defines __len__ (batches_per_epoch) for the epoch length, on purpose; the third on every
# resume, whose checkpoint folder holds the run's checkpoints by design.
_LIGHTNING_NOTICES = (
    r".*isinstance\(treespec, LeafSpec\)",
    r"Your `IterableDataset` has `__len__` defined",
    r"Checkpoint directory .* exists and is not empty",
)


@contextlib.contextmanager
def _quiet_lightning() -> Iterator[None]:
    """Keep Lightning to its warnings and errors, once each, and its progress bar on stderr.

    Lightning logs at INFO what the user did not ask about (no GPU, a litlogger advert, "fit stopped"),
    and its tqdm bar writes to stdout, which then holds carriage returns when redirected.
    """
    loggers = [logging.getLogger(name) for name in ("lightning.pytorch", "lightning.fabric")]
    levels = [logger.level for logger in loggers]
    try:
        for logger in loggers:
            logger.setLevel(logging.WARNING)
        with warnings.catch_warnings(), contextlib.redirect_stdout(sys.stderr):
            for message in _LIGHTNING_NOTICES:
                warnings.filterwarnings("ignore", message=message)
            yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


class AtomicCheckpointIO(TorchCheckpointIO):
    """Checkpoints written to a temporary file beside their place, synced, then renamed into it
    (:func:`numseries.files.atomic_write`): a kill leaves the previous checkpoint whole.

    Lightning's own writer (fsspec, lightning 2.6) stages the file in TMPDIR and, when that is another file
    system, copies it over the checkpoint: a kill during the copy left ``last.ckpt`` empty (issue 18).
    """

    def save_checkpoint(self, checkpoint: dict[str, Any], path: Any, storage_options: Any = None) -> None:
        if storage_options is not None:
            raise TypeError(f"{type(self).__name__} takes no storage_options")

        def write(tmp: Path) -> None:
            with open(tmp, "wb") as file:
                torch.save(checkpoint, file)
                file.flush()
                os.fsync(file.fileno())  # on disk before the rename makes it the checkpoint

        atomic_write(path, write)


def _check_run_dir(out_dir: Path, resume: bool, announce: bool = True) -> Path | None:
    """The checkpoint to resume from, or ``None`` for a new run (whose folder must hold no run yet).

    Resuming takes the newest readable checkpoint of the run: ``last.ckpt``, or ``best.ckpt`` when the last
    one is damaged (by mtime; ``last.ckpt`` first on a tie), and (``announce``) says which on the log.
    """
    folder = out_dir / CHECKPOINT_DIR
    found = sorted(
        folder.glob("*.ckpt"), key=lambda path: (path.stat().st_mtime, path.name == LAST_CHECKPOINT), reverse=True
    )
    if not resume:
        if found:
            raise ValueError(
                f"{out_dir} already holds a training run; pass --resume to continue it, or another run directory"
            )
        return None
    if not found:
        raise ValueError(f"cannot resume: {folder / LAST_CHECKPOINT} does not exist; train without --resume first")
    skipped: list[str] = []
    for path in found:
        why = _unreadable(path)
        if why is None:
            if announce and skipped:
                log.warning("%s; resuming from %s instead", "; ".join(skipped), path)
            elif announce:
                log.info("resuming from %s", path)
            return path
        skipped.append(f"{path} is not a readable checkpoint ({why})")
    raise ValueError(f"cannot resume: {', '.join(skipped)}; delete the run directory and train again")


def _check_recorded_run(out: Path, run_dir: Path) -> None:
    """Before ``--resume`` without ``--run-dir``: where the default ``run_dir`` holds no checkpoint but ``out``'s
    training_info.json records the run it was trained in elsewhere, a ValueError naming that run (training
    without --resume, as the plain error advises, would start again from random weights and replace ``out``)."""
    if any((run_dir / CHECKPOINT_DIR).glob("*.ckpt")) or not (out / INFO_FILE).is_file():
        return
    recorded = read_training_info(out).get("run_dir")
    if not isinstance(recorded, str) or not recorded or not any((Path(recorded) / CHECKPOINT_DIR).glob("*.ckpt")):
        return  # (a relative record from before they were absolute names no run from here)
    if Path(recorded).resolve() != run_dir.resolve():
        raise ValueError(
            f"cannot resume: {run_dir} (the default for --out {out}) holds no run; {out} was trained in {recorded}: "
            f"resume it with --run-dir {recorded}"
        )


def _started_from(run_dir: Path) -> str | None:
    """The ``--init-weights`` the run in ``run_dir`` started from (``None``: none, or a run older than
    :data:`RUN_SETTINGS`)."""
    path = run_dir / RUN_SETTINGS
    return json.loads(path.read_text()).get("init_weights") if path.is_file() else None


def _record_settings(
    run_dir: Path,
    resume: bool,
    config: TrainConfig,
    model_config: ModelConfig,
    init_weights: str | Path | None,
    command_line: str,
    families: Sequence[str] | None,
    *,
    check_only: bool = False,
    validation: str | None = None,
) -> dict[str, Any]:
    """Write ``run_dir``'s :data:`RUN_SETTINGS` for a new run, or check a resumed run's settings against it
    (a one-line ``ValueError`` naming each change but those of :data:`STOPPING_SETTINGS`) and add this
    command; returns the settings, their ``commands`` every command of the run so far. ``families``: those
    the run generates (a pattern head's classes where ``--families`` was not given), whose code is recorded.
    ``validation``: the sha256 of the validation set it generated (:func:`_data_digest`), where it has one:
    what catches a family whose behaviour changed outside its own function (a helper it imports).
    ``check_only``: check, and write nothing."""
    path = run_dir / RUN_SETTINGS
    settings: dict[str, Any] = {
        "train_config": json.loads(json.dumps(dataclasses.asdict(config))),  # tuples as JSON lists
        "model_config": model_config.to_dict(),
        "init_weights": None if init_weights is None else str(Path(init_weights).resolve()),
        # what tells a moved starting point from another one
        "init_weights_sha256": None if init_weights is None else locate(init_weights).weights_sha256,
        "families_code": _families_code(families),
        "validation_sha256": validation,
        "commands": [command_line],
    }
    if resume and path.is_file():  # a run from before these files were written is resumed unchecked
        started = json.loads(path.read_text())
        changed = [
            f"{name} {started[part].get(name)!r} -> {settings[part].get(name)!r}"
            for part in ("model_config", "train_config")
            for name in sorted(set(started[part]) | set(settings[part]))
            if name not in STOPPING_SETTINGS and started[part].get(name) != settings[part].get(name)
        ]
        digest = started.get("init_weights_sha256")  # (runs from before it was recorded: the path alone)
        if digest is not None and digest != settings["init_weights_sha256"]:  # other weights there now, or elsewhere
            changed.append(
                f"the weights of --init-weights {settings['init_weights']} are not those the run started from "
                f"(sha256 {digest[:12]}…, then at {started['init_weights']})"
            )
        elif started["init_weights"] != settings["init_weights"] and digest is None:
            changed.append(f"init_weights {started['init_weights']!r} -> {settings['init_weights']!r}")
        # (the same weights from another folder: moved since, the run goes on from what it started from)
        code, now = started.get("families_code", settings["families_code"]), settings["families_code"]  # older runs: unchecked
        recoded = [name for name in sorted(set(code) & set(now)) if code[name] != now[name]]
        from numseries.generate import FAMILIES

        left_out = sorted(set(code) - set(now))
        for names, what in (  # a clause per kind of change, its families named (the first 5 of many)
            (recoded, "the code of {} (another --families-from file?)"),
            # registered now: --families chose fewer (round 57: the hint asked for a file of the built-in ones)
            ([name for name in left_out if name in FAMILIES], "{} left out (give --families as the run started, or none for the default mix)"),
            ([name for name in left_out if name not in FAMILIES], "{} left out (give the --families-from file that registers {})"),
            (sorted(set(now) - set(code)), "{} added (another --families-from file?)"),
        ):
            if names:
                shown = ", ".join(map(repr, names[:5])) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
                one = len(names) == 1
                changed.append(what.format(f"famil{'y' if one else 'ies'} {shown}", "it" if one else "them"))
        before = started.get("validation_sha256")  # (older runs, and the check before any data: unchecked)
        if not changed and None not in (before, validation) and before != validation:
            changed.append(  # (adversarial round 52: a helper module changed; the epochs after were thrown away)
                "the validation sequences its families generate now differ from those it started with: the code "
                "of a family or of a module it imports changed, or a family draws from another random source "
                "than the rng it is given"
            )
        if changed:
            raise ValueError(
                f"cannot resume the run in {run_dir} with other settings than it started with ({'; '.join(changed)}); "
                f"resume it with those of {path}, changing only {', '.join(sorted(STOPPING_SETTINGS))}, or "
                "start a new run with these (another --run-dir, without --resume)"
            )
        settings["commands"] = [*started["commands"], command_line]
    if not check_only:
        _write_settings(run_dir, settings)
    return settings


def _check_run_out(run_dir: Path, out: Path, explicit: bool) -> None:
    """Refuse the default run folder where it holds the run of another weights folder (``a/w`` and ``b/w``
    both default to ``runs/w``: resuming there copied a/w's run into b/w). A run folder given (``explicit``)
    is the user's choice: a run moved, or resumed into another folder. Runs from before ``out`` was recorded
    pass."""
    path = run_dir / RUN_SETTINGS
    if explicit or not path.is_file():
        return
    try:
        started = json.loads(path.read_text()).get("out")
    except (OSError, ValueError, AttributeError):
        return  # (read again, and named, where the run is checked)
    if started is None or Path(started) == out.resolve():
        return
    raise ValueError(
        f"{run_dir} (the default for --out {out}, named after its folder) holds the training run of --out "
        f"{started}; give this one its own: --run-dir "
        f"{run_dir.parent / (out.resolve().parent.name + '-' + out.resolve().name)}, or --out {started} to go on with that run"
    )


def _write_settings(run_dir: Path, settings: dict[str, Any]) -> None:
    """Write a run's :data:`RUN_SETTINGS` (on the first process only: DDP's others run the command again)."""
    if getattr(rank_zero_only, "rank", 0) == 0:
        atomic_write(run_dir / RUN_SETTINGS, lambda tmp: tmp.write_text(json.dumps(settings, indent=2) + "\n"))


def _data_digest(batch: SequenceBatch) -> str:
    """The sha256 (16 hex digits) of a generated batch's sequences, next values (as float32: numpy's exp or sin
    may differ in the last bit of a float64 on another CPU or numpy, round 53), lengths and families."""
    digest = hashlib.sha256()
    with np.errstate(over="ignore"):  # (past float32's range: inf, as well as any)
        rounded = (batch.data.astype(np.float32), batch.labels.astype(np.float32))
    for array in (*rounded, batch.lengths, batch.family_ids):
        digest.update(np.ascontiguousarray(array).tobytes())
    digest.update(json.dumps(batch.family_names).encode())
    return digest.hexdigest()[:16]


def _families_code(families: Sequence[str] | None) -> dict[str, str]:
    """Each family a run generates -> a sha256 of its function's source and its settings: resumed with
    other code under the same names (another ``--families-from`` file), a run would compare its losses on
    another validation set."""
    from numseries.generate import FAMILIES, resolve_families

    out = {}
    for name in resolve_families(families):
        family = FAMILIES[name]
        try:
            source = inspect.getsource(family.fn)
        except (OSError, TypeError):  # defined where no source is kept (an interactive session)
            source = repr(getattr(getattr(family.fn, "__code__", None), "co_code", family.fn))
        text = json.dumps([source, family.weight, family.holdout, family.noise, family.stochastic])
        out[name] = hashlib.sha256(text.encode()).hexdigest()[:16]
    return out


def _checkpoint(path: Path) -> Any:
    """A checkpoint's contents, read without unpickling objects (torch's own warnings kept quiet)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return torch.load(path, map_location="cpu", weights_only=True)


def _global_step(path: Path) -> int | None:
    """The optimiser steps a checkpoint was saved after (``None`` where it does not say)."""
    step = _checkpoint(path).get("global_step")
    return int(step) if isinstance(step, int) else None


def _unreadable(path: Path) -> str | None:
    """Why ``path`` is not a Lightning checkpoint one can resume from, or ``None`` if it is one."""
    try:
        checkpoint = _checkpoint(path)
    except Exception as err:  # truncated or foreign files raise many different errors
        return type(err).__name__
    return None if isinstance(checkpoint, dict) and "state_dict" in checkpoint else "no state_dict in it"


# Memory of training, measured (ru_maxrss, torch 2.13 on CPU, OMP_NUM_THREADS=1): the validation set takes
# 34-35 bytes per value of val_samples x (max_len + 1), generated and made into tensors; a forward and
# backward pass 134-177 bytes per batch_size x max_len x hidden_size of each LSTM layer; weights, gradients,
# AdamW's two moments and the weight average 20 bytes per parameter. Rounded up, so a run that fits is not refused.
_BYTES_PER_VALIDATION_VALUE = 40
_BYTES_PER_ACTIVATION = 200
_BYTES_PER_PARAMETER = 20


def training_memory(config: TrainConfig, model_config: ModelConfig, accelerator: str = "cpu") -> dict[str, int]:
    """Bytes of host memory a training run needs at most, by part (the training step's only on the CPU)."""
    parts = {
        "validation set": _BYTES_PER_VALIDATION_VALUE * config.val_samples * (model_config.max_len + 1),
        "weights and optimizer": _BYTES_PER_PARAMETER * model_config.parameter_count(),
    }
    if accelerator == "cpu":
        layers = model_config.hidden_size * model_config.num_layers
        parts["training step"] = _BYTES_PER_ACTIVATION * config.batch_size * model_config.max_len * layers
    return parts


def available_memory() -> int | None:
    """Bytes this process may still allocate: the smaller of the kernel's MemAvailable and what the cgroup
    (container) limit leaves; ``None`` where neither can be read (not Linux)."""
    limits = []
    with contextlib.suppress(OSError, ValueError, StopIteration):
        lines = Path("/proc/meminfo").read_text().splitlines()
        limits.append(int(next(line for line in lines if line.startswith("MemAvailable:")).split()[1]) * 1024)
    with contextlib.suppress(OSError, ValueError):
        cgroup = Path("/sys/fs/cgroup")
        limits.append(int((cgroup / "memory.max").read_text()) - int((cgroup / "memory.current").read_text()))
    return min(limits) if limits else None


def check_memory(config: TrainConfig, model_config: ModelConfig, accelerator: str = "cpu") -> None:
    """Refuse, before anything is allocated, a run that needs more memory than this machine has available."""
    parts = training_memory(config, model_config, accelerator)
    available = available_memory()
    if available is None or sum(parts.values()) <= available:
        return
    listed = ", ".join(f"{name} {size / 1e9:.1f} GB" for name, size in parts.items())
    raise ValueError(
        f"training would need about {sum(parts.values()) / 1e9:.1f} GB of memory ({listed}), and "
        f"{available / 1e9:.1f} GB are available; lower --val-samples, --batch-size or --max-len"
    )


def _checked_batch(batch: Any) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """A loader's batch as ``(x (B, T) float, y (B,) float, mask (B, T) bool)``, or a ValueError naming what
    is not: labels shaped (B, 1) broadcast against (B,) and trained a far worse model without a word."""
    expected = "batches must be (x (B, T) float, y (B,) float, mask (B, T) bool[, family (B,) int])"
    if not isinstance(batch, (tuple, list)) or len(batch) < 3 or not all(isinstance(t, torch.Tensor) for t in batch[:3]):
        got = f"{len(batch)} items" if isinstance(batch, (tuple, list)) else type(batch).__name__
        raise ValueError(f"{expected}; got {got}: yield (x, y, mask) from the loader (numseries.data.make_loader does)")
    x, y, mask = batch[:3]
    if x.dim() != 2 or not x.is_floating_point():
        raise ValueError(f"{expected}; got x of shape {tuple(x.shape)} and dtype {x.dtype}: one row of values per series")
    if y.shape != x.shape[:1]:
        fix = "pass labels as a 1-D tensor (y.squeeze(-1))" if y.dim() == 2 and y.shape[1] == 1 else "one label per row of x"
        raise ValueError(f"{expected}; got y of shape {tuple(y.shape)} for x of shape {tuple(x.shape)}: {fix}")
    if mask.shape != x.shape or mask.dtype != torch.bool:
        raise ValueError(
            f"{expected}; got mask of shape {tuple(mask.shape)} and dtype {mask.dtype}: True on each row's values "
            "(mask.bool())"
        )
    return x, y, mask


def train_model(
    model: LSTMWithAttention, train_loader: DataLoader, val_loader: DataLoader, **options: Any
) -> LSTMWithAttention:
    """Train ``model`` with early stopping on validation loss; return it with its best weights restored.

    The seed API (``train_loop.train_model``). Loaders yield ``(x (B, T), y (B,), mask (B, T))``
    batches. Options: the schedule fields of :class:`TrainConfig` (``max_epochs``, ``max_minutes``,
    ``patience``, ``min_delta``, ``lr``, ``weight_decay``, ``grad_clip``, ``ema_decay``, ``seed``; same
    defaults), and the fields of :class:`TrainerOptions` (``out_dir``, ``resume``, ``accelerator``,
    ``devices``, ``num_nodes``, ``strategy``, ``logger``, ``progress_bar``).
    """
    fields = {field.name for field in dataclasses.fields(TrainConfig)}
    schedule = TrainConfig(**{name: value for name, value in options.items() if name in fields})
    rest = TrainerOptions(**{name: value for name, value in options.items() if name not in fields})
    return fit(model, train_loader, val_loader, schedule, rest).model


def _versions() -> dict[str, str]:
    names = ("numseries", "torch", "lightning", "numpy", "safetensors")
    versions = {"python": platform.python_version()}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _hardware(trainer: L.Trainer) -> str:
    if trainer.strategy.root_device.type == "cuda":
        return f"{trainer.world_size} x {torch.cuda.get_device_name(trainer.strategy.root_device)}"
    return f"{trainer.world_size} x CPU ({torch.get_num_threads()} threads, {platform.machine()})"


HEADS = ("quantile_head.", "pattern_head.")  # parameters of the optional heads
HEAD_OPTIONS = {"quantile_levels": "--quantile-levels", "pattern_names": "--pattern-names"}  # what asks for each head


def _with_init_heads(path: str | Path, model_config: ModelConfig) -> tuple[ModelConfig, list[str]]:
    """``model_config`` with the heads of ``path``'s model that it does not ask for (fine-tuning keeps the
    starting model's heads), and the names of those it took (``quantile_levels``, ``pattern_names``)."""
    saved = locate(path).model_config()
    taken = [head for head in HEAD_OPTIONS if getattr(saved, head) and not getattr(model_config, head)]
    return dataclasses.replace(model_config, **{head: getattr(saved, head) for head in taken}), taken


def _load_init_weights(path: str | Path, model_config: ModelConfig) -> LSTMWithAttention:
    """The weights of ``path`` in a model of ``model_config``: the same backbone, and heads that are
    either in ``path`` or new (randomly initialised) when the config adds them."""
    loaded = load_model(path)
    if loaded.config.without_heads() != model_config.without_heads():
        asked = model_config.without_heads().to_dict()
        saved = loaded.config.without_heads().to_dict()
        differ = [name for name, value in saved.items() if asked.get(name) != value]
        shown = ", ".join(f"{name} {saved[name]} (this run's {asked.get(name)})" for name in differ)
        options = " ".join(f"--{name.replace('_', '-')} {saved[name]}" for name in differ)
        raise ValueError(  # (round 52: "leave the options at its values" said to a user who had given none)
            f"--init-weights {path} has another architecture: {shown}; give its values: {options}"
        )
    model = LSTMWithAttention(model_config)
    state = {key: value for key, value in loaded.state_dict().items() if key in model.state_dict()}
    missing = model.load_state_dict(state, strict=False).missing_keys
    new = [key for key in missing if not key.startswith(HEADS)]
    assert not new, new  # the backbones are equal, so only heads can be missing
    # A head in both must be the same head, or its weights mean something else; one the config leaves
    # out is dropped, and said so.
    for head, option in HEAD_OPTIONS.items():
        saved, asked = getattr(loaded.config, head), getattr(model_config, head)
        if saved and asked and saved != asked:
            raise ValueError(
                f"--init-weights {path} has other {head} ({' '.join(map(str, saved))}); "
                f"give the same ones, or leave {option} out to keep them"
            )
        if saved and not asked:
            log.warning("--init-weights %s has a %s head that this run's model leaves out: it is dropped", path, head)
    return model


def run_training(
    out: str | Path,
    *,
    config: TrainConfig = TrainConfig(),
    model_config: ModelConfig = ModelConfig(),
    run_dir: str | Path | None = None,
    resume: bool = False,
    init_weights: str | Path | None = None,
    command: Sequence[str] | None = None,
    **trainer_options: Any,
) -> LSTMWithAttention:
    """Train a model on fresh generated data and write a weights folder to ``out``.

    ``run_dir`` holds checkpoints and logs (default: ``runs/<name of out>``). ``init_weights`` starts
    from a weights folder of the same architecture (fine-tuning, e.g. on families of your own) instead
    of from random weights, with its quantile and pattern heads where ``model_config`` asks for none; ``resume`` continues from the run's last checkpoint either way.
    ``trainer_options`` are the fields of :class:`TrainerOptions` (accelerator, devices, num_nodes,
    strategy, logger, progress_bar).
    """
    out = Path(out)
    run_dir_given = bool(run_dir)
    run_dir = Path(run_dir) if run_dir else Path("runs") / out.resolve().name
    check_lengths(config.min_len, model_config.max_len)
    check_rollout(config, model_config.max_len)
    check_folder(out, "the weights")  # before training, not after it
    if resume and not run_dir_given:
        _check_recorded_run(out, run_dir)
    replaces = check_weights_out(out)
    check_folder(run_dir, "the run's checkpoints and logs")
    check_memory(config, model_config, trainer_options.get("accelerator", "cpu"))
    _check_run_out(run_dir, out, explicit=run_dir_given)
    _check_run_dir(run_dir, resume, announce=False)  # before the run's settings are written: a run there is kept
    command_line = shlex.join(command if command is not None else ["python", *sys.argv])
    if init_weights is None and resume:  # a fine-tuning run resumes from the weights it started from
        init_weights = _started_from(run_dir)
        if init_weights is not None and not Path(init_weights).exists():
            raise ValueError(
                f"cannot resume the run in {run_dir}: it started from --init-weights {init_weights} (its "
                f"{RUN_SETTINGS}), which no longer exists; resume with --init-weights naming where those weights are now"
            )
    if init_weights is not None and out.resolve() in (init := Path(init_weights).resolve(), *init.parents):
        raise ValueError(  # (adversarial round 52: such a run overwrote what it started from, and could not resume)
            f"--out {out} is the --init-weights folder: the run would replace the weights it starts from (and could "
            f"not be resumed from them); write it to another folder, e.g. --out {out.parent / (out.resolve().name + '-tuned')}"
        )
    torch.manual_seed(config.seed)
    origin = None
    inherited: list[str] = []  # the heads taken from --init-weights
    if init_weights is None:
        model = LSTMWithAttention(model_config)
    else:  # with --resume as well, the checkpoint's weights replace these in fit
        model_config, inherited = _with_init_heads(init_weights, model_config)
        model = _load_init_weights(init_weights, model_config)
        if inherited:
            kept = " and ".join(f"{len(getattr(model_config, head))} {head}" for head in inherited)
            log.info("--init-weights %s: keeping its heads (%s)", init_weights, kept)
        origin = {"path": str(init_weights), "training_info": read_training_info(init_weights)}
    if config.heads_only:
        if init_weights is None:
            raise ValueError("--heads-only trains new heads on a trained model; give it --init-weights DIR")
        for name, parameter in model.named_parameters():
            parameter.requires_grad_(name.startswith(HEADS))
        if not any(parameter.requires_grad for parameter in model.parameters()):
            raise ValueError("--heads-only needs a head to train; add --quantile-levels or --pattern-names")
    if model_config.dropout > 0 and model_config.num_layers == 1 and init_weights is None and not resume:
        # (round 52: accepted, and it did nothing; weights saved so before, fine-tuned or resumed, keep their value)
        raise ValueError(
            f"--dropout {model_config.dropout} acts between LSTM layers only, and --num-layers 1 has none between; "
            "drop it, or add layers (--num-layers 2)"
        )
    if config.detach_heads and not (model_config.quantile_levels or model_config.pattern_names):
        raise ValueError(
            "--detach-heads stops the heads' losses at the network, but this model has no head, so it would "
            "change nothing; drop it, or add --quantile-levels or --pattern-names"
        )
    families = config.families
    classes = model_config.pattern_names or None  # the pattern head learns the families it names
    if classes is not None:
        resolve_families(classes)  # each a family of the registry, as --families' are
    if classes is not None and families is None and "pattern_names" not in inherited:
        families = classes  # its classes are the families trained on, in order
    # (a pattern head kept from --init-weights leaves the default, so that held-out families stay held out)
    elif classes is not None and families is not None and not set(families) & set(classes):
        if "pattern_names" in inherited:  # fine-tuning on other families: the head is kept, but nothing trains it
            log.warning(
                "--families %s hold none of the pattern head's families (from --init-weights): it is kept untrained; "
                "add some of %s to --families to train it",
                " ".join(families),
                " ".join(classes),
            )
        else:
            raise ValueError(
                f"--families {' '.join(families)} hold none of --pattern-names {' '.join(classes)}; "
                "the pattern head learns from the families it names: give some of them"
            )
    elif classes is not None and families is not None and (
        init_weights is None or tuple(locate(init_weights).model_config().pattern_names) != tuple(classes)
    ):  # a new head (--init-weights with these very classes brings one that learnt them: the shipped fine-tunes)
        unseen = [name for name in classes if name not in families]
        if unseen:  # (adversarial round 52: accepted without a word; a new head learns never to name them)
            log.warning(
                "note: --pattern-names %s: not among --families, so the new pattern head never sees %s and will "
                "not name %s; add %s to --families, or leave %s out of --pattern-names",
                " ".join(unseen), *(["it"] * 4 if len(unseen) == 1 else ["them"] * 4),
            )
    if resume:  # other settings than the run started with are said before any data is generated
        _record_settings(run_dir, resume, config, model_config, init_weights, command_line, families, check_only=True)
    frozen = {name: value.clone() for name, value in model.state_dict().items() if not name.startswith(HEADS)}
    train_data = StreamingDataset(
        config.batch_size,
        config.batches_per_epoch,
        min_len=config.min_len,
        max_len=model_config.max_len,
        families=families,
        seed=config.seed,
        classes=classes,
    )
    val_batch = generate_batch(
        config.val_samples,
        min_len=config.min_len,
        max_len=model_config.max_len,
        families=families,
        seed=config.seed + 1_000_003,  # never the training stream's seed
    )
    settings = _record_settings(
        run_dir, resume, config, model_config, init_weights, command_line, families, check_only=True,
        validation=_data_digest(val_batch),
    )  # fmt: skip
    settings["out"] = str(out.resolve())  # whose run it is: another --out of the same name is refused it
    if not resume:  # now, not when it ends: a run killed (SIGKILL, out of memory) is resumed with its settings checked
        run_dir.mkdir(parents=True, exist_ok=True)
        _write_settings(run_dir, settings)
    if replaces:
        log.warning("%s holds trained weights: this run replaces them when it ends", out)
    refused = False
    try:
        result = fit(
            model,
            DataLoader(train_data, batch_size=None, num_workers=config.num_workers),
            make_loader(val_batch, batch_size=1024, classes=classes),
            config,
            TrainerOptions(out_dir=run_dir, resume=resume, **trainer_options),
        )
    except ValueError as err:
        refused = resume and str(err).startswith(RESUME_REFUSED)  # (too few --max-epochs): trained nothing
        raise
    finally:  # a run that trained, stopped or was interrupted: this command is one of it (a refused one is not)
        if not refused:
            _write_settings(run_dir, settings)
    if config.heads_only:  # the weight average rounds frozen weights by an ulp: keep them bit for bit
        result.model.load_state_dict(frozen, strict=False)
    trainer = result.trainer
    if trainer.is_global_zero:
        info = {
            "command": command_line,
            "commands": settings["commands"],  # every command of the run, in order: a resumed run has several
            "seed": config.seed,
            "train_config": dataclasses.asdict(config),
            "model_config": model_config.to_dict(),
            "data": {
                "families": list(train_data.families),
                "min_len": config.min_len,
                "max_len": model_config.max_len,
                "samples_seen": trainer.global_step * config.batch_size * trainer.world_size,
                "val_samples": config.val_samples,
            },
            "run_dir": str(run_dir.resolve()),  # (a resume from another folder finds it)
            "init_weights": origin,
            "epochs": result.epochs,
            "duration_seconds": round(result.seconds, 1),
            "stopped_early": result.stopped_early,
            "best_val_loss": result.best_val_loss,
            "world_size": trainer.world_size,
            "hardware": _hardware(trainer),
            "versions": _versions(),
        }
        save_pretrained(result.model, out, training_info=info)
        best = info["best_val_loss"]
        log.info("wrote %s (best val_loss %s)", out, f"{best:.4g}" if best is not None else "none")
    return result.model
