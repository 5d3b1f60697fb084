"""The catalogue of refusals: one wording per rule, in English and Simplified Chinese.

A SpecError carries a `code` and its `args`; the message is this catalogue's
template for the code, filled in. Arguments that are words (a `Text`) are said in
the message's language. An operation's own rules add their entries through its
`Operation.messages`, merged here when it registers.
"""

from __future__ import annotations

from .contract import Text

MESSAGES: dict[str, Text] = {k: Text(en, zh) for k, en, zh in [
    # --- one field's value
    ("not_whole", "must be a whole number (got {got!r})", "必须是整数（收到 {got!r}）"),
    ("not_number", "must be a number (got {got!r})", "必须是数字（收到 {got!r}）"),
    ("not_pair", "must be one number or a pair [height, width] (got {count} numbers)", "必须是一个数或一对 [高, 宽]（收到 {count} 个数）"),
    ("too_small", "must be at least {low}{what} (got {got})", "必须至少为 {low}{what}（收到 {got}）"),
    ("too_large", "must be at most {high}{what} (got {got}); this cap keeps one request from overloading the server",
     "最大为 {high}{what}（收到 {got}）；此上限防止单个请求压垮服务器"),
    ("not_bool", "must be true or false (got {got!r})", "必须是 true 或 false（收到 {got!r}）"),
    ("not_choice", "must be one of {listed} (got {got!r})", "必须是 {listed} 之一（收到 {got!r}）"),
    ("negative", "must not be negative (got {got})", "不能为负数（收到 {got}）"),
    ("bad_sides", "per-side padding takes top, bottom, left and right (got {got!r})", "按边填充只接受 top、bottom、left、right（收到 {got!r}）"),
    ("not_numbers", "must be a nested list of numbers{why}", "必须是数字的嵌套列表{why}"),
    ("not_finite", "values must be finite numbers (found {found} at {at})", "数值必须是有限数（位置 {at} 为 {found}）"),
    ("too_large_value", "values must lie between -{high:g} and {high:g}", "数值必须在 -{high:g} 与 {high:g} 之间"),
    ("bad_nesting", "expected [H][W] or [C][H][W], got {got} levels of nesting", "应为 [H][W] 或 [C][H][W]，实际嵌套 {got} 层"),
    ("bad_shape", "expected shape {expected}, got {got}", "形状应为 {expected}，实际为 {got}"),
    ("bad_json", "is not valid JSON", "不是有效的 JSON"),
    ("not_object", "must be a JSON object with the spec fields", "必须是包含参数字段的 JSON 对象"),
    ("unknown_field", "is not a field of {op}; its fields are {listed}", "不是 {op} 的参数；可用参数为 {listed}"),
    ("not_for_op", "{op} has no {param}; {owners} {have} it", "{op} 没有 {param}；{owners} 才有此参数"),
    ("numeric_padding", "{op} takes a number or a pair [height, width] for padding", "{op} 的 padding 只能是数字或 [高, 宽]"),
    ("one_of", "give {first} or {second}, not both", "{first} 与 {second} 只能给出一个"),
    # --- pictures (POST /api/v1/image): the upload and its decoding
    ("file_too_large", "the upload is larger than the {high:,} bytes ({mb} MB) allowed; send a smaller PNG or JPEG",
     "上传的文件超过 {high:,} 字节（{mb} MB）的上限；请发送更小的 PNG 或 JPEG"),
    ("image_too_large", "the picture is {size} ({pixels:,} pixels), more than the {high:,} ({side}x{side}) decoded here; make it smaller first",
     "图片为 {size}（{pixels:,} 像素），超过此处可解码的 {high:,} 像素（{side}x{side}）；请先缩小图片"),
    ("decompression_bomb", "the file declares far more pixels than it holds data for (a decompression bomb); at most {high:,} pixels are decoded",
     "该文件声明的像素远多于其数据（解压炸弹）；此处最多解码 {high:,} 像素"),
    ("not_image", "must be a PNG or JPEG image; this file is not one{what}", "必须是 PNG 或 JPEG 图片；此文件不是{what}"),
    ("broken_image", "the {format} file is damaged or cut short: its pixels could not be decoded", "该 {format} 文件已损坏或不完整：无法解码其像素"),
    ("no_image", "give a picture: upload a PNG or JPEG as `file`, or name a sample ({listed}) as `sample`",
     "请提供图片：以 `file` 上传 PNG 或 JPEG，或以 `sample` 指定示例图片（{listed}）"),
    ("not_form", "send the fields as a form (multipart/form-data for an upload, or application/x-www-form-urlencoded); got {got}",
     "请以表单发送字段（上传文件用 multipart/form-data，否则用 application/x-www-form-urlencoded）；收到 {got}"),
    ("bad_form", "is not a form that could be read ({reason})", "无法读取该表单（{reason}）"),
    ("bad_crop", "must be top,left,height,width of a window inside the {size} picture (got {got})",
     "必须是 top,left,height,width，且窗口位于 {size} 的图片之内（收到 {got}）"),
    # --- rules between fields
    ("kernel_too_large", "the {what} ({kernel}) is larger than the padded input ({padded})", "{what}（{kernel}）比填充后的输入（{padded}）还大"),
    ("canvas_too_large", "the drawn grid ({size}) is larger than {high} cells on a side; use less padding, stride or dilation",
     "绘制的网格（{size}）超过每边 {high} 格；请减少填充、步长或膨胀"),
    ("output_empty", "is too large: the output would be {size}; it must be at least 1x1", "过大：输出将是 {size}，至少要 1x1"),
    ("keeps_channels", "{op} keeps the channel count: leave it out or set it to in_channels ({in_channels})",
     "{op} 不改变通道数：请省略或设为 in_channels（{in_channels}）"),
    ("groups_divide", "must divide both in_channels ({in_channels}) and out_channels ({out_channels}); got {groups}",
     "必须同时整除 in_channels（{in_channels}）和 out_channels（{out_channels}），当前为 {groups}"),
    ("too_many_taps", "this trace would have {taps:,} taps, more than the {high:,} allowed; use a smaller input, kernel or fewer channels",
     "此追踪将有 {taps:,} 个抽头，超过上限 {high:,}；请减小输入、卷积核或通道数"),
    # --- the renderer's caps and options
    ("bad_scale", "must be a number from {low} to {high} (1 = the reference cell size); got {got!r}",
     "必须是 {low} 到 {high} 之间的数（1 为参考尺寸）；收到 {got!r}"),
    ("too_many_frames", "this animation would have {frames:,} frames, more than the {high} allowed; {hint}",
     "此动画将有 {frames:,} 帧，超过上限 {high}；{hint}"),
    ("network_too_large", "the animation would be {frames} frames of {size} pixels ({total:,} in all), more than the caps "
     "({frame_high:,} a frame, {high:,} in all); {hint}",
     "此动画将有 {frames} 帧、每帧 {size} 像素（共 {total:,}），超过上限（每帧 {frame_high:,}，总计 {high:,}）；{hint}"),
    ("frame_too_large", "one frame would be {size} pixels, more than {high:,}; use a smaller scale", "单帧将为 {size} 像素，超过 {high:,}；请使用更小的 scale"),
    ("animation_too_large", "the animation would draw {total:,} pixels, more than {high:,}; use a smaller scale or granularity=row",
     "动画总像素 {total:,} 超过 {high:,}；请使用更小的 scale 或 granularity=row"),
    ("webp_too_large", "an animated WebP of {total:,} pixels is more than the {high:,} allowed; download the GIF or MP4, or use granularity=row or a smaller scale",
     "动画 WebP 共 {total:,} 像素，超过允许的 {high:,}；请下载 GIF 或 MP4，或使用 granularity=row 或更小的 scale"),
    ("scene_too_large", "this picture would have {items:,} shapes and texts, more than the {high:,} the browser is sent; use granularity=row, numbers=false or a smaller input",
     "此图将有 {items:,} 个图形与文字，超过浏览器可接收的 {high:,}；请使用 granularity=row、numbers=false 或更小的输入"),
    ("scene_too_many_bytes", "this picture would be {size:,} bytes, more than the {high:,} the browser is sent; use granularity=row, numbers=false or a smaller input",
     "此图将有 {size:,} 字节，超过浏览器可接收的 {high:,}；请使用 granularity=row、numbers=false 或更小的输入"),
    ("unavailable", "{label} cannot be written on this server (it needs {needs}); choose another format",
     "此服务器无法生成 {label}（需要 {needs}）；请改用其他格式"),
    ("frame_out_of_range", "must be from 0 to {high}: this animation has {frames} frames (got {got})", "必须在 0 到 {high} 之间：此动画共 {frames} 帧（收到 {got}）"),
    ("invalid", "{text}", "请求无效（{text}）"),
    # --- the server's own limits
    ("too_deep", "nests more than {high} levels of lists or objects", "列表或对象的嵌套超过 {high} 层"),
    ("body_too_large", "the request body is more than the {high:,} bytes allowed", "请求体超过 {high:,} 字节的上限"),
    ("too_costly", "this {fmt} would take about {seconds} s to encode, more than the {high:g} s one request may use; "
     "download the GIF, or use granularity=row or a smaller scale",
     "此 {fmt} 编码约需 {seconds} 秒，超过单个请求允许的 {high:g} 秒；请下载 GIF，或使用 granularity=row 或更小的 scale"),
    ("busy", "the server is busy with {jobs} renders; retry in {retry} s", "服务器正忙（{jobs} 个渲染）；请在 {retry} 秒后重试"),
    ("busy_ahead", "a request asked ahead (prefetch) is made only while no render runs, and {jobs} are running; ask without it",
     "预取请求只在没有渲染运行时处理，当前有 {jobs} 个渲染在运行；请不带预取标记再请求"),
    ("render_timeout", "this render passed the {high:g} s time limit and was stopped; use granularity=row, a smaller scale, or the GIF",
     "渲染超过 {high:g} 秒的时间上限而被终止；请使用 granularity=row、更小的 scale 或 GIF"),
    # --- other views of an operation
    ("no_linear_view", "the matrix and backward views read taps that are a value times a weight, added up; {op}'s are not (yet)",
     "矩阵与反向传播视图要求每个抽头是数值乘以权重再求和；{op} 的抽头（暂时）不是这样"),
    ("not_linear", "the matrix form is for linear operations; {op} is not linear (it picks a maximum, it does not weigh)",
     "矩阵形式只适用于线性运算；{op} 不是线性的（它取最大值，而不是加权求和）"),
    ("matrix_too_large", "the matrix would be {rows}×{cols}, more than {high} a side can be drawn; use a smaller input",
     "矩阵为 {rows}×{cols}，超过可绘制的每边 {high}；请使用更小的输入"),
    ("no_im2col", "the im2col view is conv2d's (F.unfold of its padded input); {op} has none",
     "im2col 视图属于常规卷积（对填充后的输入做 F.unfold）；{op} 没有此视图"),
    # --- networks: a layer's param is written layers[i].field, {source} is layers[i-1] or the network's input
    ("net_no_layers", "must be a list of at least one layer (got {got})", "必须是至少含一层的列表（收到 {got}）"),
    ("net_too_many_layers", "a network has at most {high} layers (got {got}); this cap keeps one request from overloading the server",
     "网络最多 {high} 层（收到 {got}）；此上限防止单个请求压垮服务器"),
    ("net_layer_not_object", "must be an object with the layer's fields, such as {{\"op\": \"conv2d\", \"kernel_size\": 3}}",
     "必须是包含该层参数的对象，例如 {{\"op\": \"conv2d\", \"kernel_size\": 3}}"),
    ("net_from_previous", "comes from {source}; leave it out of the layer", "由{source}决定；请不要在层中给出"),
    ("net_groups_divide", "{groups} does not divide the {channels} channels coming from {source}",
     "{groups} 不能整除来自{source}的 {channels} 个通道"),
    ("net_kernel_too_large", "the {what} ({kernel}) is larger than the padded input ({padded}) it receives from {source}",
     "{what}（{kernel}）比它从{source}收到的填充后输入（{padded}）还大"),
    ("net_too_many_taps", "the network would have {taps:,} taps by this layer, more than the {high:,} allowed in all; use a smaller input, fewer channels or fewer layers",
     "到此层为止网络将有 {taps:,} 个抽头，超过总上限 {high:,}；请减小输入、通道数或层数"),
    ("net_not_finite", "the values coming from {source} are not all finite (a max-pooling window that covers only padding gives -inf); change {source}",
     "来自{source}的数值并非全为有限数（只覆盖填充的最大池化窗口得到 -inf）；请修改{source}"),
    ("net_bad_token", "cannot read {got!r}; write the operation first, then name=value items separated by ':' (conv2d:k=3:s=2 or conv2d:k3:s2)",
     "无法解析 {got!r}；请先写运算名，再写以 ':' 分隔的 name=value（如 conv2d:k=3:s=2 或 conv2d:k3:s2）"),
    ("net_no_map", "must be from 0 (the input) to {high} (the output of layers[{last}]); got {got}",
     "必须在 0（输入）到 {high}（layers[{last}] 的输出）之间；收到 {got}"),
    ("net_no_cell", "must be [c, y, x] inside map {map} of shape {shape}; got {got}", "必须是形状为 {shape} 的第 {map} 张图中的 [c, y, x]；收到 {got}"),
]}


def add(entries: dict[str, Text], owner: str) -> None:
    """An operation's own rules join the catalogue; a code means one thing only."""
    for code, text in entries.items():
        if code in MESSAGES and MESSAGES[code] != text:
            raise ValueError(f"{owner}: message code {code!r} is already in the catalogue with other wording")
        MESSAGES[code] = text


def say(code: str, lang: str, args: dict) -> str | None:
    """The catalogue's wording for `code` in `lang`, filled in; None when there is none."""
    template = MESSAGES.get(code)
    if template is None:
        return None
    words = {k: (v(lang) if isinstance(v, Text) else v) for k, v in args.items()}
    try:
        return template(lang).format(**words)
    except (KeyError, IndexError, ValueError):
        return None
