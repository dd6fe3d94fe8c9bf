# syntax=docker/dockerfile:1
#
# The commerce API sandbox as a service container.
#
#   docker build -t commerce-api-sandbox .
#   docker run --rm -p 8080:8080 commerce-api-sandbox
#
# Configured by the same SANDBOX_* variables as `sandbox serve`. Own data is mounted:
#   -v "$PWD/my-fixture.yaml:/fixtures/my-fixture.yaml:ro" -e SANDBOX_FIXTURES=/fixtures/my-fixture.yaml
#   -v "$PWD/scenarios:/scenarios:ro"   (scenario files, see docs/integration.md)
# Stop it with SIGTERM (`docker stop`): it shuts down gracefully and exits 0.

# -- builder: the project's wheel and its dependencies' wheels ------------------------------
FROM python:3.11-slim AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
# sandbox/bundled/{fixtures,scenarios} link to the top-level folders: copy both.
COPY pyproject.toml README.md ./
COPY fixtures ./fixtures
COPY scenarios ./scenarios
COPY sandbox ./sandbox
RUN pip wheel --wheel-dir /wheels .

# -- the image: the wheels installed, nothing else ------------------------------------------
FROM python:3.11-slim

LABEL org.opencontainers.image.title="commerce-api-sandbox" \
      org.opencontainers.image.description="A high-fidelity, stateful sandbox of the purchasing-agent commerce API v1" \
      org.opencontainers.image.licenses="MIT"

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1

# The wheels are bind-mounted from the builder, so no layer of the image keeps them.
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \
    pip install --no-cache-dir --no-index --find-links=/wheels /wheels/commerce_api_sandbox-*.whl \
    && useradd --system --uid 10001 --user-group --create-home --home-dir /home/sandbox \
       --shell /usr/sbin/nologin sandbox \
    && mkdir -p /fixtures /scenarios

# A numeric user, so that Kubernetes' runAsNonRoot can verify it.
USER 10001:10001
WORKDIR /home/sandbox

ENV SANDBOX_HOST=0.0.0.0 SANDBOX_PORT=8080
EXPOSE 8080

# No curl in a slim image: Python asks /__sandbox/health itself.
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/__sandbox/health' % os.environ.get('SANDBOX_PORT', '8080'), timeout=2)"]

# Exec form: `sandbox` is PID 1 and receives SIGTERM itself.
CMD ["sandbox", "serve"]
