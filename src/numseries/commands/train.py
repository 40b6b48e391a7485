"""``numseries train``: train on freshly generated sequences and write a weights folder."""

from __future__ import annotations

import argparse

from numseries.config import ModelConfig

_TRAIN_DEFAULTS = {
    "batch_size": 256,
    "batches_per_epoch": 500,
    "val_samples": 20_000,
    "max_epochs": 100,
    "patience": 6,
    "min_delta": 1e-4,
    "lr": 2e-3,
    "weight_decay": 1e-5,
    "grad_clip": 1.0,
    "seed": 0,
    "min_len": 3,
    "num_workers": 0,
}


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, help="weights folder to write (config.json, model.safetensors)")
    parser.add_argument("--run-dir", help="checkpoints and logs (default: runs/<name of --out>)")
    parser.add_argument("--resume", action="store_true", help="continue the run in --run-dir from its last checkpoint")
    data = parser.add_argument_group("data and schedule")
    for name, default in _TRAIN_DEFAULTS.items():
        data.add_argument(f"--{name.replace('_', '-')}", type=type(default), default=default)
    data.add_argument("--max-minutes", type=float, help="stop after this many minutes of training")
    data.add_argument("--families", nargs="+", help="training families (default: all but the held-out ones)")
    arch = parser.add_argument_group("architecture")
    for name, default in ModelConfig().to_dict().items():
        arch.add_argument(f"--{name.replace('_', '-')}", type=type(default), default=default)
    hw = parser.add_argument_group("hardware (passed to Lightning)")
    hw.add_argument("--accelerator", default="cpu", help="cpu, gpu, auto, ...")
    hw.add_argument("--devices", default="1", help="number of devices, or 'auto'")
    hw.add_argument("--num-nodes", type=int, default=1)
    hw.add_argument("--strategy", default="auto", help="auto, ddp, ddp_spawn, ...")
    hw.add_argument("--logger", choices=["csv", "tensorboard"], default="csv")
    hw.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    hw.add_argument(
        "--threads",
        type=int,
        help="CPU threads for torch (default: torch's choice); 1 is fastest on a busy machine",
    )


def run(args: argparse.Namespace) -> int:
    import torch

    from numseries.train import TrainConfig, run_training

    if args.threads is not None:
        if args.threads < 1:
            raise ValueError(f"--threads must be >= 1, got {args.threads}; e.g. --threads 1")
        torch.set_num_threads(args.threads)
    train_config = TrainConfig(
        **{name: getattr(args, name) for name in _TRAIN_DEFAULTS},
        max_minutes=args.max_minutes,
        families=tuple(args.families) if args.families else None,
    )
    model_config = ModelConfig(**{name: getattr(args, name) for name in ModelConfig().to_dict()})
    devices = int(args.devices) if args.devices.isdigit() else args.devices
    run_training(
        args.out,
        config=train_config,
        model_config=model_config,
        run_dir=args.run_dir,
        resume=args.resume,
        command=args.command_line,
        accelerator=args.accelerator,
        devices=devices,
        num_nodes=args.num_nodes,
        strategy=args.strategy,
        logger=args.logger,
        progress_bar=not args.no_progress,
    )
    return 0
