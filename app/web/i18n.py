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
