# syntax=docker/dockerfile:1
# dfslim's own image.
#   docker build -t dfslim .
#   docker run --rm -i dfslim lint - < Dockerfile
#   docker run --rm -v "$PWD:/work" dfslim lint .
# dfslim is pure Python: the build stage installs it and its three dependencies into a
# virtual environment, and the image ships that environment on the same slim base, run
# by an unprivileged user. Build with another Python base with --build-arg PYTHON_IMAGE.
ARG PYTHON_IMAGE=python:3.12-alpine

FROM ${PYTHON_IMAGE} AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY dfslim ./dfslim
COPY rules ./rules
# the base's pip installs into a bare environment: no pip or setuptools in the image
RUN python -m venv --without-pip /opt/dfslim \
    && python -m pip --python /opt/dfslim/bin/python install --no-cache-dir --disable-pip-version-check .

FROM ${PYTHON_IMAGE}
COPY --from=build /opt/dfslim /opt/dfslim
ENV PATH=/opt/dfslim/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1
USER 10001:10001
WORKDIR /work
ENTRYPOINT ["dfslim"]
CMD ["lint", "."]
