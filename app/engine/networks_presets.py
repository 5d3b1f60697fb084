"""Networks that teach, as data: each preset sets two stacks side by side.

`compare(preset)` builds both and gives their numbers next to each other (output
shape, parameters, multiply-accumulates, receptive field, taps), so the lesson is
in the numbers: 1/N + 1/k^2 for depthwise separable, 72 vs 81 multiplications
for the separable Sobel, fields 15 vs 7 for the dilated stack, and so on.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import registry
from .contract import Text
from .network import build_network, receptive_field

SOBEL_X = [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]


@dataclass(frozen=True)
class NetworkPreset:
    slug: str
    title: Text
    lesson: Text
    sides: tuple[tuple[Text, dict], ...]    # (label, network spec), compared left to right


def _nearest_x2(channels: int) -> dict:
    """Nearest upsampling by 2: the `upsample` operation when there is one, else its exact
    stand-in, a depthwise 2x2 transposed convolution of ones at stride 2."""
    if "upsample" in registry.names():
        return {"op": "upsample", "scale_factor": 2, "mode": "nearest"}
    return {"op": "conv_transpose2d", "kernel_size": 2, "stride": 2, "groups": channels,
            "weight": [[[[1, 1], [1, 1]]]] * channels}


PRESETS: tuple[NetworkPreset, ...] = (
    NetworkPreset(
        "depthwise_separable", Text("Depthwise separable vs standard 3x3", "深度可分离卷积 vs 标准 3x3 卷积"),
        Text("A 3x3 depthwise conv then a 1x1 pointwise conv gives the same output shape as one 3x3 conv, "
             "with 1/N + 1/k^2 of its parameters and multiply-accumulates (N output channels, k the kernel).",
             "3x3 逐通道卷积加 1x1 逐点卷积与一个 3x3 卷积输出形状相同，参数量和乘加次数只有它的 1/N + 1/k^2（N 为输出通道数，k 为卷积核大小）。"),
        ((Text("depthwise 3x3 + pointwise 1x1", "逐通道 3x3 + 逐点 1x1"),
          {"input_size": 8, "in_channels": 4, "layers": [
              {"op": "conv2d", "out_channels": 4, "groups": 4, "kernel_size": 3, "padding": 1},
              {"op": "conv2d", "out_channels": 8, "kernel_size": 1}]}),
         (Text("standard 3x3", "标准 3x3"),
          {"input_size": 8, "in_channels": 4, "layers": [{"op": "conv2d", "out_channels": 8, "kernel_size": 3, "padding": 1}]})),
    ),
    NetworkPreset(
        "spatially_separable", Text("Spatially separable Sobel: 3x1 then 1x3 vs 3x3", "空间可分离 Sobel：3x1 再 1x3 vs 3x3"),
        Text("The Sobel kernel is the product of [1, 2, 1] down and [-1, 0, 1] across: the two thin layers give "
             "the same output as the 3x3 one, with 72 multiplications instead of 81 on a 5x5 input.",
             "Sobel 核是竖向 [1, 2, 1] 与横向 [-1, 0, 1] 的乘积：两个细长层的输出与 3x3 层相同，在 5x5 输入上只需 72 次乘法而非 81 次。"),
        ((Text("3x1 then 1x3", "3x1 再 1x3"),
          {"input_size": 5, "layers": [
              {"op": "conv2d", "kernel_size": [3, 1], "weight": [[[[1], [2], [1]]]]},
              {"op": "conv2d", "kernel_size": [1, 3], "weight": [[[[-1, 0, 1]]]]}]}),
         (Text("3x3 Sobel", "3x3 Sobel"),
          {"input_size": 5, "layers": [{"op": "conv2d", "kernel_size": 3, "weight": [[SOBEL_X]]}]})),
    ),
    NetworkPreset(
        "dilated_stack", Text("Dilated stack (1, 2, 4) vs plain 3-layer stack", "膨胀卷积堆叠（1、2、4）vs 普通三层堆叠"),
        Text("Three 3x3 layers with dilations 1, 2, 4 see 15x15 input pixels; three plain ones see 7x7. "
             "The effective field of the dilated stack shows its gridding: some pixels inside reach the output by few paths.",
             "膨胀率为 1、2、4 的三个 3x3 层的感受野为 15x15，三个普通层只有 7x7。膨胀堆叠的有效感受野呈网格状：部分像素只经少数路径到达输出。"),
        ((Text("dilations 1, 2, 4", "膨胀 1、2、4"),
          {"input_size": 16, "layers": [{"op": "conv2d", "kernel_size": 3, "dilation": d} for d in (1, 2, 4)]}),
         (Text("plain", "普通"),
          {"input_size": 16, "layers": [{"op": "conv2d", "kernel_size": 3} for _ in range(3)]})),
    ),
    NetworkPreset(
        "encoder_decoder", Text("Encoder-decoder: conv stride 2, transposed conv stride 2", "编码器-解码器：步长 2 卷积，再步长 2 转置卷积"),
        Text("A stride-2 conv halves the map; a stride-2 transposed conv with output_padding 1 brings it back to the input's size.",
             "步长 2 的卷积把特征图减半；步长 2、output_padding 为 1 的转置卷积把它恢复到输入大小。"),
        ((Text("down then up", "先下采样再上采样"),
          {"input_size": 8, "layers": [
              {"op": "conv2d", "out_channels": 2, "kernel_size": 3, "stride": 2, "padding": 1},
              {"op": "conv_transpose2d", "out_channels": 1, "kernel_size": 3, "stride": 2, "padding": 1, "output_padding": 1}]}),),
    ),
    NetworkPreset(
        "checkerboard", Text("Checkerboard: transposed conv vs upsample then conv", "棋盘效应：转置卷积 vs 先上采样再卷积"),
        Text("A 3x3 transposed conv at stride 2 reaches its output cells unevenly (1, 2 or 4 input cells: the checkerboard "
             "in `overlap`); nearest upsampling then a 3x3 conv reaches every inner cell the same way (Odena et al., 2016).",
             "步长 2 的 3x3 转置卷积对输出单元的覆盖不均匀（1、2 或 4 个输入单元：`overlap` 中的棋盘格）；先最近邻上采样再 3x3 卷积则对每个内部单元覆盖均匀（Odena 等，2016）。"),
        ((Text("transposed 3x3, stride 2", "转置 3x3，步长 2"),
          {"input_size": 4, "layers": [{"op": "conv_transpose2d", "kernel_size": 3, "stride": 2, "padding": 1, "output_padding": 1}]}),
         (Text("nearest x2, then 3x3", "最近邻 x2，再 3x3"),
          {"input_size": 4, "layers": [_nearest_x2(1), {"op": "conv2d", "kernel_size": 3, "padding": 1}]})),
    ),
    NetworkPreset(
        "vgg", Text("VGG-style: two 3x3 = one 5x5 field", "VGG 风格：两个 3x3 = 一个 5x5 感受野"),
        Text("Two stacked 3x3 convs see 5x5 input pixels, like one 5x5 conv, with 2*9 = 18 instead of 25 weights per channel pair.",
             "两个堆叠的 3x3 卷积与一个 5x5 卷积的感受野相同（5x5），每对通道只需 2*9 = 18 个权重而非 25 个。"),
        ((Text("3x3 then 3x3", "3x3 再 3x3"),
          {"input_size": 9, "in_channels": 4, "layers": [{"op": "conv2d", "kernel_size": 3} for _ in range(2)]}),
         (Text("one 5x5", "一个 5x5"),
          {"input_size": 9, "in_channels": 4, "layers": [{"op": "conv2d", "kernel_size": 5}]})),
    ),
)


def get(slug: str) -> NetworkPreset:
    return next(p for p in PRESETS if p.slug == slug)


def compare(preset: NetworkPreset) -> dict:
    """Each stack's numbers side by side; for two stacks, the first's parameters and MACs over the second's."""
    sides = []
    for label, spec in preset.sides:
        net = build_network(spec)
        last = receptive_field(net)[-1]
        field = {"size": last["size"], "exact_size": last["exact_size"]}
        sides.append({
            "label": label.as_dict(), "spec": spec, "output_shape": list(net.traces[-1].output.shape),
            "params": net.params, "macs": net.macs, "taps": net.taps, "receptive_field": field,
        })
    out = {"slug": preset.slug, "title": preset.title.as_dict(), "lesson": preset.lesson.as_dict(), "sides": sides}
    if len(sides) == 2 and sides[1]["params"] and sides[1]["macs"]:
        out["ratio"] = {"params": sides[0]["params"] / sides[1]["params"], "macs": sides[0]["macs"] / sides[1]["macs"]}
    return out
