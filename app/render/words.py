"""The figure labels' words, in English and Simplified Chinese (the glossary's terms).

Only the words: `scene.labels` decides which are said. Kept in the renderer, which
knows nothing of the web layer's page strings.
"""

from __future__ import annotations

WORDS: dict[str, dict[str, str]] = {
    "input": {"en": "input {h}×{w}", "zh": "输入 {h}×{w}"},
    "output": {"en": "output {h}×{w}", "zh": "输出 {h}×{w}"},
    "channels": {"en": " × {n} channels", "zh": " × {n} 通道"},
    "cropped": {"en": " (cropped from {h}×{w})", "zh": "（由 {h}×{w} 裁剪）"},
    "grown": {"en": ", {how} to {h}×{w}", "zh": "，{how}至 {h}×{w}"},
    "padded": {"en": "padded", "zh": "填充"},
    "inserted": {"en": "zeros inserted and padded", "zh": "插零并填充"},
    "ceil": {"en": "ceil_mode windows reach", "zh": "ceil_mode 窗口延伸"},
    "and": {"en": ", ", "zh": "、"},
    "hatched": {"en": " (hatched: never read)", "zh": "（斜线：从未读取）"},
    "shade_out": {"en": "output values", "zh": "输出数值"},
    "shade_in": {"en": "input values", "zh": "输入数值"},
    "stamps": {"en": "input[{c},{y},{x}] = {v} stamps {v} × kernel into the output",
               "zh": "输入[{c},{y},{x}] = {v}：把 {v} × 卷积核 加到输出上"},
    # the matrix, im2col and gradient views (app/render/matrix_scene.py, backward_scene.py)
    "matrix_c": {"en": "C {rows}×{cols}", "zh": "C {rows}×{cols}"},
    "matrix_ct": {"en": "C {rows}×{cols} (y = C^T x)", "zh": "C {rows}×{cols}（y = C^T x）"},
    "y_is_cx": {"en": "output.flatten() = C · input.flatten()", "zh": "卷积的矩阵乘法形式：output.flatten() = C · input.flatten()"},
    "y_is_ctx": {"en": "transposed convolution: output.flatten() = C^T · input.flatten(), C the matching conv2d's matrix",
                 "zh": "转置卷积：output.flatten() = C^T · input.flatten()，C 为对应常规卷积的矩阵"},
    "plus_bias": {"en": " + bias", "zh": " + 偏置"},
    "padded_input": {"en": "padded input {h}×{w}", "zh": "填充后的输入 {h}×{w}"},
    "kernel_rows": {"en": "W: kernel flattened {rows}×{cols}", "zh": "W：展平的卷积核 {rows}×{cols}"},
    "unfold": {"en": "im2col = F.unfold {rows}×{cols}", "zh": "im2col = F.unfold {rows}×{cols}"},
    "output_rows": {"en": "output {rows}×{cols}", "zh": "输出 {rows}×{cols}"},
    "grad_y": {"en": "dL/dY", "zh": "dL/dY"},
    "grad_x": {"en": "dL/dX", "zh": "dL/dX"},
    "grad_y_sized": {"en": "dL/dY {h}×{w}", "zh": "dL/dY {h}×{w}"},
    "grad_x_sized": {"en": "dL/dX {h}×{w}", "zh": "dL/dX {h}×{w}"},
    "legend": {"en": "below: {below}; above: {above}", "zh": "下方：{below}；上方：{above}"},
    "forward": {"en": "forward", "zh": "前向传播"},
    "backward_full": {"en": "backward: dL/dY, zeros inserted and padded, read by the kernel turned 180°",
                      "zh": "反向传播：dL/dY 插零并填充，用旋转 180° 的卷积核读取"},
    "backward_routed": {"en": "backward: where each output's gradient goes", "zh": "反向传播：每个输出的梯度流向哪里"},
    "formula_conv2d": {"en": "dL/dX = full_conv(dL/dY, rot180(W))", "zh": "反向传播：dL/dX = full_conv(dL/dY, rot180(W))（卷积核旋转 180°）"},
    "formula_conv_transpose2d": {"en": "dL/dX = conv2d(dL/dY, W): the transposed convolution's gradient is the plain convolution",
                                 "zh": "反向传播：dL/dX = conv2d(dL/dY, W)：转置卷积的梯度就是常规卷积"},
    "formula_max_pool2d": {"en": "max pooling: each dL/dY goes to the one cell that won its window (the argmax)",
                           "zh": "最大池化：每个 dL/dY 只传给其窗口中取得最大值的单元（argmax）"},
    "formula_avg_pool2d": {"en": "average pooling: each dL/dY is spread equally over its window (dL/dY / divisor each)",
                           "zh": "平均池化：每个 dL/dY 平均分给窗口中的单元（各得 dL/dY / 除数）"},
    "formula_any": {"en": "dL/dX = J^T dL/dY: each dL/dY times the factor its output read the cell with",
                    "zh": "反向传播：dL/dX = J^T dL/dY：每个 dL/dY 乘以对应输出读取该单元时的系数"},
    "y_is_wu": {"en": "im2col: output = W · F.unfold(input)", "zh": "im2col：output = W · F.unfold(input)"},
    "cone": {"en": "output[{c},{y},{x}] reads the tinted cells of every map below (dashed: the recurrence's field)",
             "zh": "输出[{c},{y},{x}] 依赖下方各层中着色的单元（虚线：递推公式给出的感受野）"},
}


def say(key: str, lang: str, **args) -> str:
    return WORDS[key][lang].format(**args)
