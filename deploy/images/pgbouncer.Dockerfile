# syntax=docker/dockerfile:1
# PgBouncer from Debian's package, between people's kernels and PostgreSQL (deploy/k8s/
# pgbouncer.yaml): transaction pooling, about 20 server connections for hundreds of kernels.
#   docker build -f deploy/images/pgbouncer.Dockerfile -t registry.example.gov.cn/kit/pgbouncer:1 deploy/images
FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends pgbouncer tini \
 && rm -rf /var/lib/apt/lists/*
# Debian's package makes the user postgres (uid 101 or so): run as a fixed uid instead
USER 70:70
EXPOSE 6432
ENTRYPOINT ["tini", "--"]
CMD ["pgbouncer", "/etc/pgbouncer/pgbouncer.ini"]
