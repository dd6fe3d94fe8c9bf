#
# The commerce API sandbox as a service container.
#
#   docker build -t commerce-api-sandbox .
#   docker run --rm -p 8080:8080 commerce-api-sandbox
#
# Configured by the same SANDBOX_* variables as `sandbox serve`. Own data is mounted:
#   -v "$PWD/my-fixture.yaml:/fixtures/my-fixture.yaml:ro" -e SANDBOX_FIXTURES=/fixtures/my-fixture.yaml
#   -v "$PWD/scenarios:/scenarios:ro"   (scenario files, see the README)
#   -v sandbox-state:/state -e SANDBOX_STATE_FILE=/state/state.json   (state kept across restarts)
# Stop it with SIGTERM (`docker stop`): it shuts down gracefully and exits 0.
#
# Build arguments: BASE, any Debian-based image with python, pip and useradd (CI builds on a
# debootstrap of bookworm); VERSION, SOURCE and REVISION fill the OCI labels.
# No `# syntax=` line: the builder's own Dockerfile frontend reads `RUN --mount` (BuildKit),
# and nothing is fetched from a registry but the base.

ARG BASE=python:3.11-slim

# -- builder: the project's wheel and its dependencies' wheels ------------------------------
FROM ${BASE} AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PIP_ROOT_USER_ACTION=ignore
WORKDIR /src
# sandbox/bundled/{fixtures,scenarios} link to the top-level folders: copy both.
COPY pyproject.toml README.md ./
COPY fixtures ./fixtures
COPY scenarios ./scenarios
COPY sandbox ./sandbox
RUN python -m pip wheel --wheel-dir /wheels .

# -- the image: the wheels installed, nothing else ------------------------------------------
FROM ${BASE}

# Unbuffered stdout: the startup banner (where it listens, the keys) reaches `docker logs`
# at once, not when a block buffer fills.
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore

# One layer: the wheels (bind-mounted from the builder, so no layer keeps them) installed,
# then compiled to bytecode but for Faker (an uncompiled Python starts the server in about
# 0.45 s instead of 0.2 s; Faker is imported only when a generated product is first read, and
# its bytecode is 8.5 MB of the layer). A user and a group, both 10001; /state is theirs, so a
# named volume mounted there starts out writable for them.
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \
    python -m pip install --no-cache-dir --no-compile --no-index --find-links=/wheels \
       /wheels/commerce_api_sandbox-*.whl \
    && python -m compileall -q -j 0 -x '/faker/' \
       "$(python -c 'import pathlib, sandbox; print(pathlib.Path(sandbox.__file__).parents[1])')" \
    && groupadd --gid 10001 sandbox \
    && useradd --uid 10001 --gid 10001 --no-log-init --create-home --home-dir /home/sandbox \
       --shell /usr/sbin/nologin sandbox \
    && mkdir -p /fixtures /scenarios /state \
    && chown 10001:10001 /state

# After the install, so that a new version or revision reuses its layer.
ARG VERSION=0.1.0
ARG SOURCE=""
ARG REVISION=""
LABEL org.opencontainers.image.title="commerce-api-sandbox" \
      org.opencontainers.image.description="A high-fidelity, stateful sandbox of the purchasing-agent commerce API v1" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="MIT"

# Numeric, so that Kubernetes' runAsNonRoot can verify it.
USER 10001:10001
WORKDIR /home/sandbox

ENV SANDBOX_HOST=0.0.0.0 SANDBOX_PORT=8080
EXPOSE 8080

# No curl in a slim image: Python asks /__sandbox/health itself.
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/__sandbox/health' % os.environ.get('SANDBOX_PORT', '8080'), timeout=2)"]

# Exec form: `sandbox` is PID 1 and receives SIGTERM itself.
CMD ["sandbox", "serve"]
