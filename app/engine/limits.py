"""Caps that keep one request from exhausting a shared machine.

A trace holds one record per tap, so the tap count is the real bound on time and
memory; the per-field caps keep every picture readable and every message specific.
"""

MAX_SIDE = 64          # input height / width
MAX_CHANNELS = 8       # in_channels, out_channels
MAX_KERNEL = 11        # kernel height / width
MAX_STRIDE = 16
MAX_DILATION = 16
MAX_PADDING = 32       # per side
MAX_CANVAS = 200       # padded / zero-inserted grid height / width
MAX_TAPS = 50_000      # taps in one trace, summed over all steps
MAX_ABS_VALUE = 1e6    # |input|, |weight|, |bias|, so sums stay exact and finite
MAX_LAYERS = 8         # layers in one network
MAX_NETWORK_TAPS = 200_000  # taps summed over a network's layers (each layer also within MAX_TAPS)

LIMITS = {
    "max_side": MAX_SIDE,
    "max_channels": MAX_CHANNELS,
    "max_kernel": MAX_KERNEL,
    "max_stride": MAX_STRIDE,
    "max_dilation": MAX_DILATION,
    "max_padding": MAX_PADDING,
    "max_canvas": MAX_CANVAS,
    "max_taps": MAX_TAPS,
    "max_abs_value": MAX_ABS_VALUE,
    "max_layers": MAX_LAYERS,
    "max_network_taps": MAX_NETWORK_TAPS,
}
