"""``numseries train``: train on freshly generated sequences and write a weights folder.

    numseries train --out my_weights --max-minutes 30 --threads 1
    numseries train --out my_weights --families-from my_families.py --families fibonacci_like linear
"""

from __future__ import annotations

import argparse
import dataclasses
import os

from numseries.commands import families
from numseries.config import ModelConfig, TrainConfig

_HELP = {
    "batch_size": "sequences per training step",
    "batches_per_epoch": "fresh batches per epoch (an endless stream; every epoch is new data)",
    "val_samples": "fixed validation sequences, generated with a seed of their own",
    "max_epochs": "stop after this many epochs",
    "max_minutes": "stop after this many minutes of training (default: no limit)",
    "patience": "epochs without improvement of val_loss before stopping early",
    "min_delta": "smallest change of val_loss that counts as an improvement",
    "lr": "AdamW learning rate (halved when val_loss plateaus for 2 epochs)",
    "weight_decay": "AdamW weight decay",
    "grad_clip": "gradient norm clip",
    "ema_decay": "decay of the moving average of the weights that is validated and kept (0: off)",
    "seed": "seed of the data stream and the weight initialisation",
    "min_len": "shortest context length trained on",
    "num_workers": "DataLoader processes that generate batches",
    "families": "training families (default: all but the held-out ones; with --pattern-names, the families it names)",
    "max_len": "longest context the model reads",
    "hidden_size": "LSTM hidden units",
    "num_layers": "stacked LSTM layers",
    "head_size": "hidden units of the output MLP",
    "dropout": "dropout between LSTM layers",
    "heads_only": "train only the optional heads (quantiles, pattern) of --init-weights' model, the rest frozen",
    "attention_loss": "weight of a loss that pulls the attention towards each step's share of |weight| "
    "(the exact per-step weights, by autograd); 0: off",
    "detach_heads": "stop the heads' gradients at the backbone: the quantile and pattern losses train the heads "
    "only, and the point prediction learns from its L1 alone",
    "rollout_loss": "weight of a loss on forecasts of --rollout-steps steps, each step's prediction fed back as "
    "the next step's last value (the error of every step, in mean steps of the context the forecast starts from); "
    "0: off",
    "rollout_steps": "steps of the forecasts that --rollout-loss trains on (the last values of each training "
    "sequence are their targets)",
    "quantile_levels": "add a quantile head at these levels (symmetric, with 0.5), e.g. 0.1 0.5 0.9",
    "pattern_names": "add a pattern head that tells these generator families apart (it learns from those of "
    "--families it names; the others train the other heads only)",
}


def _add_fields(group: argparse._ArgumentGroup, config_class: type) -> None:
    """One option per field of a config dataclass, with its default."""
    for field in dataclasses.fields(config_class):
        flag = f"--{field.name.replace('_', '-')}"
        if field.name in ("families", "pattern_names"):
            group.add_argument(flag, nargs="+", default=field.default, help=_HELP[field.name])
        elif field.name == "quantile_levels":
            group.add_argument(flag, nargs="+", type=float, default=field.default, help=_HELP[field.name])
        elif isinstance(field.default, bool):
            group.add_argument(flag, action="store_true", help=_HELP[field.name])
        elif field.default is None:
            group.add_argument(flag, type=float, help=_HELP[field.name])
        else:
            group.add_argument(
                flag, type=type(field.default), default=field.default, help=f"{_HELP[field.name]} (default: %(default)s)"
            )


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, help="weights folder to write (config.json, model.safetensors)")
    parser.add_argument("--run-dir", help="checkpoints and logs (default: runs/<name of --out>)")
    parser.add_argument("--resume", action="store_true", help="continue the run in --run-dir from its last checkpoint")
    parser.add_argument(
        "--init-weights",
        help="start from this weights folder instead of random weights (fine-tuning; same architecture)",
    )
    families.add_option(parser)
    _add_fields(parser.add_argument_group("data and schedule"), TrainConfig)
    _add_fields(parser.add_argument_group("architecture"), ModelConfig)
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
    families.load(args.families_from)  # before the config checks the family names

    cpus = os.cpu_count() or 1
    if args.threads is not None and not 1 <= args.threads <= cpus:
        raise ValueError(f"--threads must be from 1 to {cpus} (this machine's CPUs), got {args.threads}; e.g. --threads 1")
    import torch

    from numseries.train import run_training

    if args.threads is not None:
        torch.set_num_threads(args.threads)
    options = {field.name: getattr(args, field.name) for field in dataclasses.fields(TrainConfig)}
    train_config = TrainConfig(**{**options, "families": tuple(args.families) if args.families else None})
    model_config = ModelConfig(**{field.name: getattr(args, field.name) for field in dataclasses.fields(ModelConfig)})
    hardware = {name: getattr(args, name) for name in ("accelerator", "num_nodes", "strategy", "logger")}
    hardware["devices"] = int(args.devices) if args.devices.isdigit() else args.devices
    run_training(
        args.out,
        config=train_config,
        model_config=model_config,
        run_dir=args.run_dir,
        resume=args.resume,
        init_weights=args.init_weights,
        command=args.command_line,
        progress_bar=not args.no_progress,
        **hardware,
    )
    return 0
