"""Seed entry point: ``models.lstm_with_attention`` re-exports the model from :mod:`numseries.model`."""
