"""Proposers: untrusted code that suggests points, curves and witnesses for the kernel to check."""
