"""The teaching views as pictures: one registry of the views a trace can be drawn as
besides its forward pass (the matrix, im2col, the backward pass), their labels, and
the caps a view's scene must stay under before it is drawn.

The playground's view switch, the endpoints and the CLI read `VIEWS`; the forward
view is the ordinary scene (scene.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from app.engine import SpecError, Trace
from app.engine.contract import Text

from .backward_scene import build_backward_scene
from .caps import MAX_FRAMES, check_pixels, check_scene
from .matrix_scene import build_im2col_scene, build_matrix_scene
from .options import RenderOptions

PARAM = "picture"   # the query parameter that names a view (`view` is conv_transpose2d's gather/scatter)


@dataclass(frozen=True)
class View:
    name: str
    label: Text
    doc: Text
    build: object            # (trace, options, grad_output) -> scene; None: the forward scene
    takes_grad: bool = False  # reads `grad_output`


VIEWS = {v.name: v for v in (
    View("forward", Text("forward", "前向"), Text("The operation step by step.", "逐步展示运算。"), None),
    View("matrix", Text("matrix y = Cx", "矩阵 y = Cx"),
         Text("Convolution as a matrix: C with the current step's row lit and linked to its window (transposed convolution: a column, y = Cᵀx).",
              "卷积的矩阵乘法形式：C 中当前步的一行被点亮，并与输入上的窗口相连（转置卷积：一列，y = Cᵀx）。"),
         lambda t, o, g: build_matrix_scene(t, o)),
    View("im2col", Text("im2col", "im2col"),
         Text("The patch matrix (F.unfold) whose product with the flattened kernel gives the output.",
              "im2col：图像块矩阵（F.unfold）与展平的卷积核相乘得到输出。"),
         lambda t, o, g: build_im2col_scene(t, o)),
    View("backward", Text("backward", "反向传播"),
         Text("The backward pass beside the forward one: dL/dX = full_conv(dL/dY, rot180(W)); pooling routes the gradient.",
              "反向传播与前向并排：dL/dX = full_conv(dL/dY, rot180(W))；池化按规则传递梯度。"),
         build_backward_scene, takes_grad=True),
)}


def view(name: str) -> View:
    if name not in VIEWS or VIEWS[name].build is None:
        listed = ", ".join(n for n, v in VIEWS.items() if v.build is not None)
        raise SpecError(PARAM, "not_choice", listed=listed, got=name)
    return VIEWS[name]


def build_view_scene(name: str, trace: Trace, options: RenderOptions, drawer=None, grad_output=None) -> dict:
    """The view's scene within the caps of what draws it (a raster writer's, or the browser's)."""
    v = view(name)
    frames = trace.spec.input.size if v.takes_grad else trace.steps   # one frame per input cell, or per step
    if drawer is not None and drawer.raster and frames > MAX_FRAMES:
        raise SpecError("input_size", "too_many_frames", frames=frames, high=MAX_FRAMES, hint=Text("use a smaller input", "请使用更小的输入"))
    scene = v.build(trace, options, grad_output)
    if drawer is not None and drawer.raster:
        check_pixels(scene, options)
        drawer.check(scene)
    else:
        check_scene(scene, options)
    return scene


def api_prefix(name: str | None) -> str:
    """Where a view's `scene` and `animation.{format}` are served: the forward pass's for none.
    An unknown name gets its own path, whose answer is the 422 that names it."""
    if not name or name == next(iter(VIEWS)):
        return "/api/v1"
    return f"/api/v1/views/{quote(name, safe='')}"


def describe() -> dict:
    """For the playground: the parameter, the views and where their pictures are served."""
    return {"param": PARAM, "views": [{"name": v.name, "label": v.label.as_dict(), "doc": v.doc.as_dict(), "grad": v.takes_grad}
                                      for v in VIEWS.values()],
            "scene": "/api/v1/views/{name}/scene", "animation": "/api/v1/views/{name}/animation.{format}"}
