"""Running the engine on more than one process: Dask clusters (:mod:`ffn_core.scale.cluster`)."""
