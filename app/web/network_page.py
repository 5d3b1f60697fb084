"""The network builder page (/network): a stack of layers built from the operations' description.

The page embeds what its script needs so the script names no operation or field: the
operations' description (as the playground), the network's own fields (input size and
channels, as the operations describe them), which fields a layer takes from its input,
the six presets with their numbers side by side and their permalink queries, and the
network the URL holds (its layers as given, so the form shows what was set).
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.engine import SpecError
from app.engine.network import FROM_INPUT, NETWORK_FIELDS, build_network
from app.engine.network_text import query
from app.engine.networks_presets import PRESETS, compare, get
from app.render.network_scene import DRAWN_OPTIONS

from .api import ops_description
from .network_api import from_query
from .pages import page_context, public_url, script_json, templates

router = APIRouter(include_in_schema=False)


@lru_cache(maxsize=1)
def presets() -> list[dict]:
    """Each preset's comparison (GET /api/v1/network/presets) with each side's permalink query."""
    out = []
    for p in PRESETS:
        entry = compare(p)
        for side in entry["sides"]:
            side["query"] = query(build_network(side["spec"]))
        out.append(entry)
    return out


def network_fields() -> list[dict]:
    """The network's own fields (input size and channels), as the operations describe them."""
    fields = ops_description()["ops"][0]["fields"]
    return [f for f in fields if f["name"] in NETWORK_FIELDS and f["kind"] != "array"]


LANDING = "dilated_stack"   # a URL naming no network opens on this preset's first stack: a picture, not an empty page


def initial(request: Request) -> tuple[dict, str]:
    """The network in the URL, as given (a query the engine cannot read starts blank; the API says why),
    and the preset menu's choice: the landing preset when the URL names no network."""
    if not any(k in NETWORK_FIELDS for k in request.query_params):
        return get(LANDING).sides[0][1], f"{LANDING}:0"
    try:
        raw, _ = from_query([(k, v) for k, v in request.query_params.multi_items() if k in NETWORK_FIELDS])
    except SpecError:
        return {}, ""
    return raw, ""


@router.get("/network", response_class=HTMLResponse)
def network_page(request: Request) -> HTMLResponse:
    network, preset = initial(request)
    page = {"network_fields": network_fields(), "from_input": list(FROM_INPUT), "render": list(DRAWN_OPTIONS),
            "presets": presets(), "initial": network, "preset": preset}
    oembed = public_url() + "/oembed?" + urlencode({"url": public_url() + "/network?" + request.url.query, "format": "json"})
    return templates.TemplateResponse(request, "network.html", page_context(
        request, ops_json=script_json(ops_description()), page_json=script_json(page), oembed=oembed))
