"""Expensive work (traces, scenes, encoders, oEmbed sizes) in worker processes, admitted with a bound.

Why processes: drawing and encoding are CPU work in NumPy, Pillow and ffmpeg. In a
process a render cannot hold up the event loop, it is killed when it passes its time
limit (pebble), and processes are recycled after a few jobs so memory goes back to
the system after a storm. Why a bound: a request that cannot start soon is better
answered at once with 503 and Retry-After than left to pile up. One job per distinct
answer: requests for the same bytes while they are being made wait for that one job.

The jobs below run in the worker: they take a validated spec and options and return
the bytes to serve (JSON already gzipped), or the engine's refusal as plain data. Every
job is defined here, none in a route module: a process imports the module of each job it
is sent, and a route module brings FastAPI and the pages (0.6 s, in every recycled process).
"""

from __future__ import annotations

import asyncio
import copyreg
import ctypes
import gzip
import json
import multiprocessing
import os
import threading
from concurrent.futures import TimeoutError as JobTimeout
from types import MappingProxyType

import orjson

from app.engine import SpecError

GZIP_LEVEL = 5
RENDER_NICENESS = 10      # renders yield the CPU to the server processes, so /healthz and cached answers stay quick
TEXT_FORMATS = ("svg",)   # stored and sent gzipped; the image formats are compressed already


def _read_only(values: dict) -> MappingProxyType:
    return MappingProxyType(values)


# a Spec keeps its values in a read-only mapping, which pickle cannot send to a worker as it is
copyreg.pickle(MappingProxyType, lambda proxy: (_read_only, (dict(proxy),)))


def _env(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


class Busy(Exception):
    """No room for this job now: answered 503 with Retry-After (the wording is in the catalogue under `code`)."""

    def __init__(self, code: str, retry: int, param: str = "request", **args):
        super().__init__(code)
        self.code, self.retry, self.param, self.args_ = code, retry, param, args


class Pool:
    """A pebble process pool behind a counter of jobs admitted (running + waiting)."""

    def __init__(self):
        server_workers = int(_env("CONVPLAY_WORKERS", 1))
        self.processes = int(_env("CONVPLAY_RENDER_PROCESSES", max(1, (os.cpu_count() or 1) // server_workers)))
        self.queue = int(_env("CONVPLAY_RENDER_QUEUE", 16 * self.processes))   # waiting jobs cost no thread, only memory
        self.timeout = _env("CONVPLAY_RENDER_TIMEOUT", 30)
        self.max_tasks = int(_env("CONVPLAY_RENDER_MAX_TASKS", 20))
        self.admitted = 0
        self._pool = None
        self._starting = threading.Lock()
        self._pending: dict[str, asyncio.Future] = {}

    def start(self) -> None:
        """Start the processes (from a thread at server start, so the first render need not wait for them)."""
        from pebble import ProcessPool

        with self._starting:
            if self._pool is not None:
                return
            context = multiprocessing.get_context("forkserver")   # clean children, even from a threaded server
            # a small preload: every render process is forked with it (measured: the image modules would cost
            # 74 MB more RSS at idle with 2 workers; the cache and network modules cost 2 MB and spare each fresh
            # process 34 ms on its first network job; a job imports what else it needs)
            context.set_forkserver_preload(["app.web.work", "app.render.encode", "app.web.cache", "app.render.network_scene"])
            self._pool = ProcessPool(max_workers=self.processes, max_tasks=self.max_tasks, context=context,
                                     initializer=os.nice, initargs=(RENDER_NICENESS,))
            self._pool.schedule(os.getpid)   # the first process starts now, not at the first render

    async def run(self, key: str, job, *args, ahead: bool = False):
        """The result of job(*args), shared by every caller that asks for the same key meanwhile. A job
        asked `ahead` (a guess at the next request) is started only while no other job is admitted."""
        pending = self._pending.get(key)
        if pending is None:
            if ahead and self.admitted:
                raise Busy("busy_ahead", retry=1, param="Purpose", jobs=self.admitted)
            if self.admitted >= self.processes + self.queue:
                raise Busy("busy", retry=2, jobs=self.admitted)
            self.admitted += 1   # now, not when the task first runs: a burst must see every job it admitted
            pending = self._pending[key] = asyncio.ensure_future(self._submit(key, job, args))
        return await asyncio.shield(pending)

    async def _submit(self, key: str, job, args):
        try:
            if self._pool is None:
                await asyncio.to_thread(self.start)
            future = self._pool.schedule(job, args=args, timeout=self.timeout)
            try:
                kind, value = await asyncio.wrap_future(future)
            except JobTimeout:
                raise Busy("render_timeout", retry=30, high=self.timeout) from None
            if kind == "refused":
                raise value
            return value
        finally:
            self.admitted -= 1
            self._pending.pop(key, None)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.stop()
            self._pool.join()
            self._pool = None


pool = Pool()


# --- in the worker process ---------------------------------------------------

def worker_result(fn, *args):
    """fn(*args) as ('ok', value), or the engine's refusal as ('refused', the SpecError) to raise in the server."""
    try:
        return "ok", fn(*args)
    except SpecError as exc:
        exc.__traceback__ = None   # the refusal is data: its frames stay here
        return "refused", exc
    finally:
        _give_memory_back()


TRIM_ABOVE = 128 * 2**20   # resident bytes past which a finished job's freed heap goes back to the system


def _give_memory_back() -> None:
    """Hand freed heap pages to the system now, not when this process is recycled: after a large job only
    (measured: trimming after every still cost the next job 1.1 ms of page faults, 240 against 15)."""
    try:
        with open("/proc/self/statm") as statm:
            resident = int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        if resident > TRIM_ABOVE:
            ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError, ValueError):
        pass


def _trace(spec, detail: str = "full") -> bytes:
    from .cache import trace_for

    trace = trace_for(spec)
    data = gzip.compress(trace.to_json() if detail == "full" else trace.summary_json(), GZIP_LEVEL, mtime=0)
    trace._json.clear()   # the server keeps the gzipped bytes; this process keeps the arrays its scenes need
    return data


def _scene(spec, options) -> bytes:
    from app.render import build_scene

    from .cache import trace_for

    return _scene_answer(build_scene(trace_for(spec), options))


def _animation(spec, options, fmt: str) -> bytes:
    from app.render import build_scene, writer
    from app.render.caps import check_cost

    from .cache import trace_for

    drawer = writer(fmt)
    scene = build_scene(trace_for(spec), options, drawer)
    check_cost(scene, fmt)
    data = drawer.write(scene, options.frame)
    return gzip.compress(data, GZIP_LEVEL, mtime=0) if fmt in TEXT_FORMATS else data


def _size(spec, options) -> tuple[int, int]:
    from app.render import build_scene

    from .cache import trace_for

    scene = build_scene(trace_for(spec), options)
    return scene["width"], scene["height"]


def json_bytes(data) -> bytes:
    """Compact UTF-8 JSON, the bytes json.dumps(separators=(",", ":"), ensure_ascii=False) gives, 8x as fast
    (orjson; measured on network scenes: 25 KB in 0.25 ms against 2.0): a still's answer is mostly this."""
    return orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS)


def _gzipped_json(data) -> bytes:
    return gzip.compress(json_bytes(data), GZIP_LEVEL, mtime=0)


def _scene_answer(scene: dict) -> bytes:
    """A scene as its answer: JSON within the scene byte cap (refused past it), gzipped."""
    from app.render.caps import check_scene_bytes

    data = json_bytes(scene)
    check_scene_bytes(len(data))
    return gzip.compress(data, GZIP_LEVEL, mtime=0)


def _matrix(spec) -> bytes:
    from app.engine import matrix

    from .cache import trace_for

    return _gzipped_json(matrix.to_json(trace_for(spec)))


def _backward(spec, grad_output) -> bytes:
    from app.engine import backward

    from .cache import trace_for

    return _gzipped_json(backward.to_json(backward.backward(trace_for(spec), grad_output)))


def _network(raw, detail: str = "full") -> bytes:
    from .cache import network_for

    net = network_for(raw)
    return gzip.compress(net.to_json() if detail == "full" else net.summary_json(), GZIP_LEVEL, mtime=0)


def _field(raw, where: dict) -> bytes:
    from app.engine.network import dependency_field

    from .cache import network_for

    net = network_for(raw)
    last = len(net.traces)
    m = where.get("map", last)
    shape = net.maps[m].shape if isinstance(m, int) and not isinstance(m, bool) and 0 <= m <= last else None
    cell = where.get("cell", [0, shape[1] // 2, shape[2] // 2] if shape else None)
    return _gzipped_json(dependency_field(net, m, cell))


def _image(items: dict, data: bytes | None) -> tuple[bytes, str, dict]:
    from .image_answer import answer

    return answer(items, data)


# --- network pictures (network_pictures.py's routes) ---------------------------------------------

def _network_scene(raw: dict, given: dict, still: int | None = None) -> bytes:
    from app.render.caps import check_scene
    from app.render.network_scene import network_scene

    from .cache import network_for

    net = network_for(raw)
    scene, options = network_scene(net, given, still=still)
    check_scene(scene, options)
    if still is not None:   # a page's first paint: its numbers too (STILL_DOC)
        scene["meta"]["numbers"] = orjson.Fragment(net.summary_json())
    return _scene_answer(scene)


def _network_animation(raw: dict, given: dict, fmt: str) -> bytes:
    from app.render import writer
    from app.render.caps import check_cost, check_scene
    from app.render.network_scene import network_scene

    from .cache import network_for

    drawer = writer(fmt)
    scene, options = network_scene(network_for(raw), given, raster=drawer.raster)
    if drawer.raster:   # network_scene checked the network's pixel caps (naming the way under them)
        drawer.check(scene)
    else:
        check_scene(scene, options)
    check_cost(scene, fmt)
    data = drawer.write(scene, options.frame)
    return gzip.compress(data, GZIP_LEVEL, mtime=0) if fmt in TEXT_FORMATS else data


def _network_embedding(raw: dict, given: dict) -> tuple[int, int, str, str]:
    """What oEmbed needs: the scene's size, the network's readable query and its title."""
    from app.engine.network_text import query
    from app.render.network_scene import network_scene

    from .cache import network_for

    net = network_for(raw)
    scene, _ = network_scene(net, given)
    return scene["width"], scene["height"], query(net), " → ".join(s.op for s in net.specs)


def _network_normal_and_scene(raw: dict, given: dict, still: int | None) -> tuple[bytes, bytes]:
    from .cache import normalised

    normal = normalised(raw)
    return normal, _network_scene(json.loads(normal), given, still)   # the normal form finds the network just built


def _normalised(raw) -> bytes:
    from .cache import normalised

    return normalised(raw)


# --- the teaching views (teach.py's routes) ------------------------------------------------------

def _view_scene(name, spec, options, grad) -> bytes:
    from app.render import teaching

    from .cache import trace_for

    return _scene_answer(teaching.build_view_scene(name, trace_for(spec), options, grad_output=grad))


def _view_animation(name, spec, options, fmt, grad) -> bytes:
    from app.render import teaching, writer
    from app.render.caps import check_cost

    from .cache import trace_for

    drawer = writer(fmt)
    scene = teaching.build_view_scene(name, trace_for(spec), options, drawer, grad_output=grad)
    check_cost(scene, fmt)
    data = drawer.write(scene, options.frame)
    return gzip.compress(data, GZIP_LEVEL, mtime=0) if fmt in TEXT_FORMATS else data


def trace_job(spec, detail: str = "full"):
    return worker_result(_trace, spec, detail)


def scene_job(spec, options):
    return worker_result(_scene, spec, options)


def animation_job(spec, options, fmt: str):
    return worker_result(_animation, spec, options, fmt)


def size_job(spec, options):
    return worker_result(_size, spec, options)


def matrix_job(spec):
    return worker_result(_matrix, spec)


def backward_job(spec, grad_output):
    return worker_result(_backward, spec, grad_output)


def network_job(raw, detail: str = "full"):
    return worker_result(_network, raw, detail)


def field_job(raw, where: dict):
    return worker_result(_field, raw, where)


def image_job(items: dict, data: bytes | None):
    return worker_result(_image, items, data)


def network_normal_job(raw):
    return worker_result(_normalised, raw)


def network_scene_job(raw, given, still=None):
    return worker_result(_network_scene, raw, given, still)


def network_normal_scene_job(raw, given, still=None):
    return worker_result(_network_normal_and_scene, raw, given, still)


def network_animation_job(raw, given, fmt: str):
    return worker_result(_network_animation, raw, given, fmt)


def network_embedding_job(raw, given):
    return worker_result(_network_embedding, raw, given)


def view_scene_job(name, spec, options, grad):
    return worker_result(_view_scene, name, spec, options, grad)


def view_animation_job(name, spec, options, fmt, grad):
    return worker_result(_view_animation, name, spec, options, fmt, grad)
