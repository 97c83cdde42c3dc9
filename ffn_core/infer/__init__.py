"""Inference engine: canvas, movement and seed policies, runner, storage (reference §2)."""
