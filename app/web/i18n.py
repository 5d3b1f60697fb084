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
    ("nav_image", "Images", "图像"),
    # the /image page
    ("img_title", "A kernel on a photograph", "卷积核作用于照片"),
    ("img_intro", "Pick a photograph and a kernel: the result is conv2d of the picture with the kernel, the same numbers as the playground's engine and PyTorch. Click the picture to watch the window slide over a small patch, with its numbers.",
     "选择一张照片和一个卷积核：结果是图片与卷积核的 conv2d，与演示场的引擎和 PyTorch 的数值完全相同。点击图片，可在一小块局部上观看窗口滑动及其数值。"),
    ("img_picture", "Picture", "图片"),
    ("img_sample", "Sample photograph", "示例照片"),
    ("img_upload", "Or upload a PNG or JPEG", "或上传 PNG / JPEG"),
    ("img_upload_limits", "At most {mb} MB and {side}×{side} pixels; the longer side is resized to {work} px when larger. Nothing is stored.",
     "最大 {mb} MB、{side}×{side} 像素；长边超过 {work} 像素时缩小到 {work} 像素。不保存任何文件。"),
    ("img_uploaded", "Your picture: {name}", "你的图片：{name}"),
    ("img_back_to_sample", "Use the sample instead", "改用示例照片"),
    ("img_color", "Colour", "颜色"),
    ("img_gray", "gray (one channel)", "灰度（单通道）"),
    ("img_rgb", "RGB (each channel on its own)", "RGB（逐通道）"),
    ("img_kernel", "Kernel", "卷积核"),
    ("img_custom", "Type your own…", "自定义…"),
    ("img_custom_label", "Your kernel, [kh][kw] (rows of numbers, up to 11×11)", "你的卷积核，[kh][kw]（若干行数字，最大 11×11）"),
    ("img_display", "Display", "显示方式"),
    ("img_input", "Input", "输入"),
    ("img_result", "Result", "结果"),
    ("img_size", "{h}×{w} px", "{h}×{w} 像素"),
    ("img_resized", "{h}×{w} px, resized from {oh}×{ow}", "{h}×{w} 像素，由 {oh}×{ow} 缩小"),
    ("img_shown_clip", "Shown as y clipped to 0..255.", "显示：y 截断到 0..255。"),
    ("img_shown_abs", "Shown as |y| × 255 / {max} (black: 0, white: the strongest response, {max}).", "显示：|y| × 255 / {max}（黑为 0，白为最强响应 {max}）。"),
    ("img_shown_minmax", "Shown as (y − min) × 255 / (max − min), min = {min}, max = {max}.", "显示：(y − min) × 255 / (max − min)，min = {min}，max = {max}。"),
    ("img_shown_signed", "Shown as 127.5 + y × 127.5 / {max} (mid-grey: 0, darker: negative, lighter: positive).", "显示：127.5 + y × 127.5 / {max}（中灰为 0，较暗为负，较亮为正）。"),
    ("img_download_png", "Download the result (PNG)", "下载结果（PNG）"),
    ("img_json", "exact numbers (JSON)", "精确数值（JSON）"),
    ("img_patch", "The window on a patch", "窗口在局部上滑动"),
    ("img_patch_hint", "Click or tap the input or the result to move the patch.", "点击输入或结果图片以移动这块局部。"),
    ("img_patch_where", "Input rows {r0}–{r1}, columns {c0}–{c1}, without padding: its {n}×{m} outputs are the result's pixels at rows {o0}–{o1}, columns {q0}–{q1}.",
     "输入的第 {r0}–{r1} 行、第 {c0}–{c1} 列，无填充：它的 {n}×{m} 个输出就是结果中第 {o0}–{o1} 行、第 {q0}–{q1} 列的像素。"),
    ("img_patch_small", "The picture is too small for a patch with this kernel.", "图片太小，无法在此卷积核下取局部。"),
    ("img_channel", "Channel", "通道"),
    ("img_channel_names", "red,green,blue", "红,绿,蓝"),
    ("img_download_gif", "Download the patch animation (GIF)", "下载局部动画（GIF）"),
    ("img_working", "Filtering…", "计算中…"),
    ("img_cannot", "This cannot be filtered:", "无法滤波："),
    ("img_credit", "Sample photographs from scikit-image's sample data:", "示例照片来自 scikit-image 的示例数据："),
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
    # the /network page
    ("nav_network", "Networks", "网络"),
    ("net_title", "convplay: networks of layers", "convplay：多层网络"),
    ("net_tagline", "Stack layers and see which cells each cell depends on, exactly.", "堆叠多层，精确查看每个单元依赖哪些单元。"),
    ("net_hint", "Hover or tap any cell of any map: the cells below it depends on, the cells above that depend on it, and its effective receptive field.",
     "悬停或点击任意一层的任意单元：显示它所依赖的下方单元、依赖它的上方单元，以及它的有效感受野。"),
    ("net_below", "depends on", "依赖"),
    ("net_above", "depended on by", "被依赖"),
    ("net_theory", "theoretical field (recurrence)", "理论感受野（递推公式）"),
    ("net_field", "Effective receptive field", "有效感受野"),
    ("net_paths", "paths (every weight 1)", "路径数（权重全为 1）"),
    ("net_gradient", "|gradient| (the real weights)", "|梯度|（实际权重）"),
    ("net_no_gradient", "no gradient through this stack", "此网络无法求梯度"),
    ("net_cell", "map {map}, cell [{cell}]: exact field {exact}, theoretical {theory}", "第 {map} 层特征图，单元 [{cell}]：精确感受野 {exact}，理论感受野 {theory}"),
    ("net_rf", "Receptive field, layer by layer", "逐层感受野"),
    ("net_layer", "Layer", "层"),
    ("net_size", "size r", "大小 r"),
    ("net_jump", "jump j", "跳距 j"),
    ("net_start", "start", "起点"),
    ("net_exact", "largest exact field", "最大精确感受野"),
    ("net_output", "output shape", "输出形状"),
    ("net_compare", "Compare", "对比"),
    ("net_ratio", "ratio (first / second)", "比值（前 / 后）"),
    ("net_blank", "Blank page", "空白页"),
    ("net_add", "Add a layer", "添加一层"),
    ("net_remove", "Remove", "删除"),
    ("net_up", "Move up", "上移"),
    ("net_down", "Move down", "下移"),
    ("net_overlap", "Shade each map's cells by the paths from the input (checkerboard)", "按来自输入的路径数为各层单元着色（棋盘效应）"),
    ("net_empty", "Add a layer to begin.", "添加一层以开始。"),
    ("net_layers", "layers", "层"),
    ("net_frames", "frames", "帧"),
    ("credit", "Reference animations after Dumoulin & Visin, “A guide to convolution arithmetic for deep learning” (arXiv:1603.07285).",
     "参考动画源自 Dumoulin 与 Visin《A guide to convolution arithmetic for deep learning》（arXiv:1603.07285）。"),
]}
