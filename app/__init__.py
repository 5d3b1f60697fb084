"""convplay: every convolution, step by step, exact to PyTorch, animated."""

__version__ = "0.1.0"
