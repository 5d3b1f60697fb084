"""The FastAPI application: the API, the pages, the static files."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline

from app import __version__
from app.engine import operations

from . import animation, api, errors, image_api, image_page, pages, views

DESCRIPTION = """Every convolution, step by step, exact to PyTorch.

`GET` or `POST /api/v1/trace` runs one operation ({ops}) and returns each step
with its taps; `GET /api/v1/ops` describes every operation and its fields. Invalid
settings answer 422 with a message that names the parameter and the rule.
"""


def create_app() -> FastAPI:
    # /docs and /redoc with Swagger UI and ReDoc from an installed package, not a CDN: they work offline
    app = FastAPIOffline(title="convplay", version=__version__, description=DESCRIPTION.format(ops=", ".join(op.name for op in operations())),
                         exception_handlers=errors.HANDLERS)
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=5)
    app.include_router(api.router)
    app.include_router(animation.router)
    app.include_router(views.router)
    app.include_router(image_api.router)
    app.include_router(image_page.router)
    app.include_router(pages.router)
    app.middleware("http")(pages.frame_policy)
    app.mount("/static", StaticFiles(directory=str(pages.STATIC)), name="static")
    return app


app = create_app()
