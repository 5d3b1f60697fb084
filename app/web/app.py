"""The FastAPI application: the API, the pages, the static files."""

from __future__ import annotations

import threading
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline

from app import __version__
from app.engine import operations

from . import animation, api, errors, image_api, image_page, network_api, network_page, network_pictures, pages, teach, views
from .answers import FastAnswers
from .edge import Edge
from .work import pool

DESCRIPTION = """Every convolution, step by step, exact to PyTorch.

`GET` or `POST /api/v1/trace` runs one operation ({ops}) and returns each step
with its taps; `GET /api/v1/ops` describes every operation and its fields. Invalid
settings answer 422 with a message that names the parameter and the rule.
"""


class CompressText:
    """gzip for pages and static files; API answers are stored compressed already, and images gain nothing from it."""

    def __init__(self, app):
        self.app, self.gzip = app, GZipMiddleware(app, minimum_size=1024, compresslevel=5)

    async def __call__(self, scope, receive, send):
        plain = scope["type"] != "http" or scope["path"].startswith("/api/")
        await (self.app if plain else self.gzip)(scope, receive, send)


@asynccontextmanager
async def lifespan(app: FastAPI):
    threading.Thread(target=pool.start, daemon=True).start()   # the server answers (/healthz) while the processes start
    yield
    pool.close()


def create_app() -> FastAPI:
    # /docs and /redoc with Swagger UI and ReDoc from an installed package, not a CDN: they work offline
    app = FastAPIOffline(title="convplay", version=__version__, description=DESCRIPTION.format(ops=", ".join(op.name for op in operations())),
                         exception_handlers=errors.HANDLERS, lifespan=lifespan)
    app.router.redirect_slashes = False   # its redirects would name the Host header
    app.add_middleware(CompressText)
    app.add_middleware(FastAnswers)
    app.add_middleware(Edge)
    app.include_router(api.router)
    app.include_router(network_api.router)
    app.include_router(network_pictures.router)
    app.include_router(network_page.router)
    app.include_router(animation.router)
    app.include_router(views.router)
    app.include_router(teach.router)
    app.include_router(image_api.router)
    app.include_router(image_page.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=str(pages.STATIC)), name="static")
    return app


app = create_app()
