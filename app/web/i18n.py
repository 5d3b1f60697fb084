"""Languages: English and Simplified Chinese, chosen by ?lang= or Accept-Language."""

from __future__ import annotations

from fastapi import Request

LANGUAGES = ("en", "zh")


def language(request: Request) -> str:
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        return asked
    for part in request.headers.get("accept-language", "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh"
        if tag.startswith("en"):
            return "en"
    return "en"


def error_message(lang: str, param: str, code: str, english: str, args: dict) -> str:
    """The English message, or its Chinese form when one is known for the code."""
    if lang != "zh":
        return english
    # a dilated kernel is named as such in both languages
    template = ZH_ERRORS.get(f"{code}_dilated" if args.get("dilated") else code)
    if template is None:
        return english
    try:
        return f"{param}：" + template.format(**args)
    except (KeyError, IndexError, ValueError):
        return english


ZH_ERRORS = {
    "not_whole": "必须是整数（收到 {got!r}）",
    "not_pair": "必须是一个数或一对 [高, 宽]",
    "too_small": "必须至少为 {low}（收到 {got}）",
    "too_large": "最大为 {high}（收到 {got}）；此上限防止单个请求压垮服务器",
    "not_bool": "必须是 true 或 false",
    "not_choice": "必须是 {options} 之一（收到 {got!r}）",
    "negative": "不能为负数",
    "unknown_field": "不是可用的参数",
    "not_numbers": "必须是形状为 {shape} 的数字嵌套列表",
    "bad_shape": "形状应为 {expected}，实际为 {got}",
    "not_finite": "数值必须是有限数（位置 {at}）",
    "too_large_value": "数值必须在 -{high:g} 与 {high:g} 之间",
    "kernel_too_large": "卷积核（{kernel}）比填充后的输入（{padded}）还大",
    "kernel_too_large_dilated": "膨胀后的卷积核（{kernel}）比填充后的输入（{padded}）还大",
    "groups_divide": "必须同时整除 in_channels（{in_channels}）和 out_channels（{out_channels}），当前为 {groups}",
    "same_stride": "'same' 填充要求步长为 1（PyTorch 规则）；请改用数字",
    "reflect_too_large": "reflect 填充（{pad}）必须小于输入（{size}）的每条边",
    "circular_too_large": "circular 填充（{pad}）不能大于输入（{size}）的每条边",
    "output_padding_too_large": "必须小于步长或膨胀率（收到 {got}，步长 {stride}，膨胀 {dilation}）",
    "pool_padding": "池化填充（{pad}）最多为卷积核大小的一半（{kernel} → {high}）",
    "pool_channels": "池化不改变通道数：请省略或设为 in_channels（{in_channels}）",
    "numeric_padding": "此操作的 padding 只能是数字或 [高, 宽]",
    "not_for_op": "此选项不适用于 {op}",
    "output_empty": "过大：输出将是 {size}，至少要 1x1",
    "canvas_too_large": "绘制的网格（{size}）超过每边 {high} 格；请减少填充、步长或膨胀",
    "too_many_taps": "此追踪将有 {taps:,} 个抽头，超过上限 {high:,}；请减小输入、卷积核或通道数",
    "bad_json": "不是有效的 JSON",
    "bad_sides": "按边填充只接受 top、bottom、left、right（收到 {got!r}）",
    "not_object": "必须是包含参数字段的 JSON 对象",
    "bad_scale": "必须是 {low} 到 {high} 之间的数（1 为参考尺寸）；收到 {got!r}",
    "too_many_frames": "此动画将有 {frames:,} 帧，超过上限 {high}；请使用 granularity=row 或更小的输入",
    "frame_too_large": "单帧将为 {size} 像素，超过 {high:,}；请使用更小的 scale",
    "animation_too_large": "动画总像素超过 {high:,}；请使用更小的 scale 或 granularity=row",
    "webp_too_large": "动画 WebP 共 {total:,} 像素，超过允许的 {high:,}；请下载 GIF 或 MP4，或使用 granularity=row 或更小的 scale",
    "invalid": "请求无效",
}


def ui(lang: str) -> dict[str, str]:
    """The page strings in one language (English where a translation is missing)."""
    return {key: pair.get(lang) or pair["en"] for key, pair in UI.items()}


UI: dict[str, dict[str, str]] = {k: {"en": en, "zh": zh} for k, en, zh in [
    ("title", "convplay: the convolution playground", "convplay：卷积演示场"),
    ("tagline", "Every convolution, step by step, exact to PyTorch.", "每一种卷积，逐步演示，结果与 PyTorch 完全一致。"),
    ("nav_playground", "Playground", "演示场"),
    ("nav_gallery", "Gallery", "图库"),
    ("nav_docs", "API docs", "API 文档"),
    ("lang_other", "中文", "English"),
    ("preset", "Preset", "预设"),
    ("preset_custom", "Custom settings", "自定义设置"),
    ("group_reference", "Reference animations", "参考动画"),
    ("group_paper", "The paper's figures", "论文中的图"),
    ("group_ours", "Beyond the reference", "更多示例"),
    ("op", "Operation", "运算"),
    ("op_conv2d", "Convolution (conv2d)", "卷积 (conv2d)"),
    ("op_conv_transpose2d", "Transposed convolution", "转置卷积"),
    ("op_max_pool2d", "Max pooling", "最大池化"),
    ("op_avg_pool2d", "Average pooling", "平均池化"),
    ("input_size", "Input size", "输入尺寸"),
    ("height", "height", "高"),
    ("width", "width", "宽"),
    ("link", "Keep height and width equal", "保持高宽相等"),
    ("channels", "Channels", "通道"),
    ("in_channels", "In channels", "输入通道"),
    ("out_channels", "Out channels", "输出通道"),
    ("groups", "Groups", "分组数"),
    ("depthwise", "Depthwise", "深度卷积"),
    ("kernel_size", "Kernel", "卷积核"),
    ("stride", "Stride", "步长"),
    ("padding", "Padding", "填充"),
    ("pad_number", "number", "一个数"),
    ("pad_axis", "per axis", "按轴"),
    ("pad_sides", "per side", "按边"),
    ("pad_valid", "valid (none)", "valid（无）"),
    ("pad_same", "same", "same（同尺寸）"),
    ("pad_full", "full", "full（全填充）"),
    ("top", "top", "上"),
    ("bottom", "bottom", "下"),
    ("left", "left", "左"),
    ("right", "right", "右"),
    ("dilation", "Dilation", "膨胀"),
    ("output_padding", "Output padding", "输出填充"),
    ("padding_mode", "Padding mode", "填充方式"),
    ("pm_zeros", "zeros", "零填充"),
    ("pm_reflect", "reflect", "反射"),
    ("pm_replicate", "replicate", "复制"),
    ("pm_circular", "circular", "循环"),
    ("ceil_mode", "Round the output size up (ceil_mode)", "输出尺寸向上取整 (ceil_mode)"),
    ("count_include_pad", "Count padding in the mean", "平均时计入填充"),
    ("view", "Picture", "视图"),
    ("view_gather", "gather: zeros inserted, kernel turned 180°", "聚合：插入零并将卷积核旋转 180°"),
    ("view_scatter", "scatter: each input cell stamps the kernel", "散射：每个输入单元印出卷积核"),
    ("show", "Show", "显示"),
    ("numbers", "Numbers", "数值"),
    ("labels", "Labels", "标注"),
    ("layout", "Layout", "布局"),
    ("layout_slanted", "slanted", "倾斜视图"),
    ("layout_flat", "flat", "平面视图"),
    ("palette", "Colours", "配色"),
    ("palette_solarized", "Solarized", "Solarized"),
    ("palette_colorblind", "colour-blind safe", "色盲友好"),
    ("play", "Play", "播放"),
    ("pause", "Pause", "暂停"),
    ("prev", "Step back", "后退一步"),
    ("next", "Step forward", "前进一步"),
    ("speed", "Speed", "速度"),
    ("step", "Step", "步骤"),
    ("of", "of", "/"),
    ("arithmetic", "The arithmetic", "算式"),
    ("output_size", "Output size", "输出尺寸"),
    ("effective_kernel", "Effective kernel", "有效卷积核"),
    ("canvas_size", "Drawn grid", "绘制网格"),
    ("unreached", "Rows / columns never read", "从未读取的行 / 列"),
    ("remainder", "Remainder (rows, columns)", "余数（行，列）"),
    ("parameters", "Parameters", "参数量"),
    ("macs", "Multiply-accumulates", "乘加次数"),
    ("torch_line", "The PyTorch layer", "PyTorch 层"),
    ("none", "none", "无"),
    ("copy_text", "Copy", "复制"),
    ("copied", "Copied", "已复制"),
    ("share", "Share and embed", "分享与嵌入"),
    ("gif_url", "GIF link (for <img>)", "GIF 链接（用于 <img>）"),
    ("iframe", "Embed (iframe)", "嵌入（iframe）"),
    ("markdown", "Markdown", "Markdown"),
    ("download", "Download", "下载"),
    ("hint", "Hover or tap a cell: an output cell shows exactly the cells it reads and their weights; an input cell shows every output that reads it.",
     "悬停或点击单元格：输出单元会显示它读取的所有单元及其权重；输入单元会显示读取它的所有输出。"),
    ("loading", "Drawing…", "绘制中…"),
    ("cannot", "This setting cannot be drawn:", "无法绘制此设置："),
    ("steps", "steps", "步"),
    ("reads", "reads", "读取"),
    ("read_by", "read by", "被读取于"),
    ("open_in", "Open in convplay", "在 convplay 中打开"),
    ("gallery_title", "Gallery", "图库"),
    ("gallery_intro", "Every preset, drawn from an exact, PyTorch-checked trace. Open one to play with it.",
     "每个预设都由经 PyTorch 校验的精确追踪绘制。点击即可在演示场中打开。"),
    ("noscript", "This page draws with JavaScript; here is the animation as a GIF.", "本页需要 JavaScript 绘制；以下为 GIF 动画。"),
    ("credit", "Reference animations after Dumoulin & Visin, “A guide to convolution arithmetic for deep learning” (arXiv:1603.07285).",
     "参考动画源自 Dumoulin 与 Visin《A guide to convolution arithmetic for deep learning》（arXiv:1603.07285）。"),
    ("granularity", "Frames", "帧"),
    ("granularity_step", "every step", "每一步"),
    ("granularity_row", "every row", "每一行"),
]}
