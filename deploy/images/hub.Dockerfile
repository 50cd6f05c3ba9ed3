# syntax=docker/dockerfile:1
# The office's Hub on the cluster (deploy/z2jh/values.yaml, hub.image and proxy.chp.image):
# JupyterHub with KubeSpawner and the idle culler, configurable-http-proxy from npm (the proxy's
# pod runs this image too), and the kit for the services the Hub runs in its pod: the signing
# service (kit-signer), which renders what it signs with LibreOffice, and the company portal
# (kit-portal). Debian's packages, PyPI and npm only. Build from the
# repository's root:
#   docker build -f deploy/images/hub.Dockerfile -t registry.example.gov.cn/kit/hub:0.1.0 .
# The chart mounts its own jupyterhub_config.py and runs `jupyterhub` as uid 1000.
# configurable-http-proxy 4.6 runs on Debian 12's Node.js 18 (5.x wants Node.js 20).

FROM debian:bookworm-slim AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        python3 python3-venv \
 && rm -rf /var/lib/apt/lists/*
RUN python3 -m venv /opt/kit
COPY . /src
# the kit, the server extra (JupyterHub, the culler, PostgreSQL's driver) and the k8s extra
# (KubeSpawner, pycurl, the LDAP sign-in)
RUN /opt/kit/bin/pip install --no-cache-dir "/src[server,k8s]"

FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        python3 \
        nodejs npm \
        libreoffice-calc-nogui \
        fonts-noto-cjk \
        fonts-crosextra-carlito \
        tini \
        ca-certificates \
 && npm install -g --omit=dev configurable-http-proxy@4.6.3 \
 && npm cache clean --force \
 && apt-get purge -y npm && apt-get autoremove -y \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /opt/kit /opt/kit
RUN useradd --uid 1000 --user-group --home-dir /home/jovyan --create-home \
        --shell /usr/sbin/nologin jovyan \
 && mkdir -p /srv/jupyterhub && chown 1000:1000 /srv/jupyterhub
ENV PATH=/opt/kit/bin:$PATH \
    LANG=C.UTF-8
USER 1000:1000
WORKDIR /srv/jupyterhub
EXPOSE 8081
ENTRYPOINT ["tini", "--"]
CMD ["jupyterhub", "--config", "/usr/local/etc/jupyterhub/jupyterhub_config.py"]
