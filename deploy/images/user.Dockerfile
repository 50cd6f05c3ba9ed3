# syntax=docker/dockerfile:1
# A person's server on the office cluster (deploy/z2jh/values.yaml, singleuser.image): the kit
# with its apps (Voila, JupyterLab's packages), LibreOffice for printed records, the fonts the
# workbook and notices are laid out in. Debian's packages and PyPI only; nothing is fetched
# when it runs. Build from the repository's root (the office's templates/ go into the kit):
#   docker build -f deploy/images/user.Dockerfile -t registry.example.gov.cn/kit/user:0.1.0 .
# It runs as the user "kit" (uid 1000, never root) on a read-only root filesystem: it writes
# only to /tmp, the pod's emptyDir (kit.server._k8s says where each thing goes).

FROM debian:bookworm-slim AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        python3 python3-venv \
 && rm -rf /var/lib/apt/lists/*
RUN python3 -m venv /opt/kit
COPY . /src
# the kit and the server extra (the Hub's single-user sign-in, PostgreSQL's driver)
RUN /opt/kit/bin/pip install --no-cache-dir "/src[server]"

FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        python3 \
        libreoffice-calc-nogui \
        fonts-noto-cjk \
        fonts-crosextra-carlito \
        tini \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /opt/kit /opt/kit
# the home is root's: the person's server reads it and never writes it
RUN useradd --uid 1000 --user-group --no-create-home --home-dir /home/kit \
        --shell /usr/sbin/nologin kit \
 && mkdir -p /home/kit
ENV PATH=/opt/kit/bin:$PATH \
    LANG=C.UTF-8 \
    PYTHONDONTWRITEBYTECODE=1
USER 1000:1000
WORKDIR /home/kit
EXPOSE 8888
ENTRYPOINT ["tini", "--"]
CMD ["python", "-m", "kit.server", "--hub-user"]
