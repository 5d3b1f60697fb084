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
    template = ZH_ERRORS.get(code)
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
    "groups_divide": "必须同时整除 in_channels（{in_channels}）和 out_channels（{out_channels}），当前为 {groups}",
    "same_stride": "'same' 填充要求步幅为 1（PyTorch 规则）；请改用数字",
    "reflect_too_large": "reflect 填充（{pad}）必须小于输入（{size}）的每条边",
    "circular_too_large": "circular 填充（{pad}）不能大于输入（{size}）的每条边",
    "output_padding_too_large": "必须小于步幅或膨胀率（收到 {got}，步幅 {stride}，膨胀 {dilation}）",
    "pool_padding": "池化填充（{pad}）最多为卷积核大小的一半（{kernel} → {high}）",
    "pool_channels": "池化不改变通道数：请省略或设为 in_channels（{in_channels}）",
    "numeric_padding": "此操作的 padding 只能是数字或 [高, 宽]",
    "not_for_op": "此选项不适用于 {op}",
    "output_empty": "过大：输出将是 {size}，至少要 1x1",
    "canvas_too_large": "填充后的网格（{size}）超过每边 {high} 格；请减少填充、步幅或膨胀",
    "too_many_taps": "此追踪将有 {taps:,} 个抽头，超过上限 {high:,}；请减小输入、卷积核或通道数",
    "bad_json": "不是有效的 JSON",
}
