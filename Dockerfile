# convplay: the web app on port 8000 (runtime dependencies only; tests are not shipped).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1

# a CJK font, for figure labels in Chinese (lang=zh)
RUN apt-get update && apt-get install -y --no-install-recommends fonts-wqy-microhei && rm -rf /var/lib/apt/lists/*

WORKDIR /srv/convplay
COPY pyproject.toml README.md ./
COPY app ./app
COPY static ./static
COPY templates ./templates
# a regular install: the wheel carries static/ and templates/ inside the package
RUN pip install . && useradd --create-home --uid 10001 convplay

USER convplay
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import urllib.request, sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"]
# set CONVPLAY_PUBLIC_URL (or pass --public-url) to the address users reach: oEmbed and embed links name it
CMD ["convplay", "serve", "--host", "0.0.0.0", "--port", "8000"]
