"""Seed entry point, kept so that ``from test_and_visualize import test_model`` works from a checkout.

Evaluation lives in :mod:`numseries.evaluate` and plots in :mod:`numseries.plots`; this module only
wraps the seed's ``test_model``.
"""

from numseries.evaluate import predict_loader


def test_model(model, test_loader):
    """``preds, targs, attns = test_model(trained_model, test_loader)``.

    ``test_loader`` yields ``(x (B, T), y (B,), mask (B, T))`` batches, as from
    :func:`numseries.data.make_loader`. Returns numpy arrays: predictions (N,), targets (N,) and
    attention (N, T).
    """
    return predict_loader(model, test_loader)


test_model.__test__ = False  # a seed API whose name starts with "test": not a pytest test

__all__ = ["test_model"]
