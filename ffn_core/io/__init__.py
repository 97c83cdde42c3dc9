"""Reading and writing volumes: slice stacks, TIFF, HDF5 ``file.h5:dataset`` specs, exports."""
