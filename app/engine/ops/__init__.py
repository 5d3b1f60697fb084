"""One module per operation; each defines OPERATION (see app/engine/contract.py)."""
