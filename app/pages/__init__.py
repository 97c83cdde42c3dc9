"""One page per stage of the workflow: import, preprocess, train, infer, export."""
