"""convplay: every convolution, step by step, exact to PyTorch, animated."""

__version__ = "0.2.0"
