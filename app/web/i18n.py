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
    """The page strings in one language (English where a translation is missing).

    Operation, field and choice labels are not here: the operations declare them
    (`contract.Field.label`) and the page reads them from the embedded description.
    """
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
    ("height", "height", "高"),
    ("width", "width", "宽"),
    ("link", "Keep height and width equal", "保持高宽相等"),
    ("pad_number", "numbers", "数值"),
    ("pad_sides", "per side", "按边"),
    ("pad_valid", "valid (none)", "valid（无）"),
    ("pad_same", "same", "same（同尺寸）"),
    ("pad_full", "full", "full（全填充）"),
    ("top", "top", "上"),
    ("bottom", "bottom", "下"),
    ("left", "left", "左"),
    ("right", "right", "右"),
    ("show", "Show", "显示"),
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
    ("stale", "Out of date: the current settings were refused (see the message).", "已过期：当前设置被拒绝（见提示）。"),
    ("picture_refused", "The picture cannot be drawn:", "无法绘制此图："),
    ("need_value", "needs a value", "需要填写数值"),
    ("need_whole", "must be a whole number", "必须是整数"),
    ("need_number", "must be a number", "必须是数字"),
    ("either", "Give", "给定"),
    ("values_given", "given in the link", "由链接给定"),
    ("clear", "Clear", "清除"),
    ("reads", "reads", "读取"),
    ("read_by", "read by", "被读取于"),
    ("open_in", "Open in convplay", "在 convplay 中打开"),
    ("gallery_title", "Gallery", "图库"),
    ("gallery_intro", "Every preset, drawn from an exact, PyTorch-checked trace. Open one to play with it.",
     "每个预设都由经 PyTorch 校验的精确追踪绘制。点击即可在演示场中打开。"),
    ("noscript", "This page draws with JavaScript; here is the animation as a GIF.", "本页需要 JavaScript 绘制；以下为 GIF 动画。"),
    ("credit", "Reference animations after Dumoulin & Visin, “A guide to convolution arithmetic for deep learning” (arXiv:1603.07285).",
     "参考动画源自 Dumoulin 与 Visin《A guide to convolution arithmetic for deep learning》（arXiv:1603.07285）。"),
]}
