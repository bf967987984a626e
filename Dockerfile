# syntax=docker/dockerfile:1
#
# Chorus in a container: a Rust builder stage, then a small Debian runtime with one non-root user.
#
#   docker build -t chorus .
#   docker volume create chorus-data
#   docker volume create chorus-key
#   docker run -d --name chorus -p 127.0.0.1:8080:8080 \
#       -v chorus-data:/data -v chorus-key:/keys chorus
#   docker logs chorus            # the first-run links (demo, first organiser's password)
#   docker exec chorus chorus codes issue demo --count 50 > cards.txt
#
# The store lives in the /data volume; the master key in /keys, a SEPARATE volume, so a backup or
# copy of the data volume never carries its own key (docs/operations.md, "The key"). For sealed
# mode (no key on disk at all) leave /keys out and pass CHORUS_PASSPHRASE instead — see
# docs/operations.md for what that means for restarts.
#
# Put a TLS reverse proxy (deploy/Caddyfile, deploy/nginx.conf) or Tor (deploy/torrc) in front;
# publish the port on 127.0.0.1 only, as above. Both a proxy and Tor: point Tor at the proxy, not
# at this port (docs/operations.md, "Which way in needs what").

ARG RUST_VERSION=1.95
ARG DEBIAN_RELEASE=trixie

# ---- build -----------------------------------------------------------------------------------
FROM rust:${RUST_VERSION}-slim-${DEBIAN_RELEASE} AS build
WORKDIR /src
# jemalloc, the server's allocator (src/main.rs), is built from C sources with make.
RUN apt-get update \
 && apt-get install -y --no-install-recommends make \
 && rm -rf /var/lib/apt/lists/*
# Dependencies first, so a source change does not rebuild them: a stub crate with the real
# manifest and lock file (build.rs needs i18n/ to exist).
COPY Cargo.toml Cargo.lock build.rs ./
COPY i18n ./i18n
RUN mkdir -p src benches \
 && echo 'fn main() {}' > src/main.rs \
 && touch src/lib.rs \
 && echo 'fn main() {}' > benches/release.rs \
 && cargo build --release --locked \
 && rm -rf src benches
# The real sources. Templates, the stylesheet, translations and the demo survey are embedded in
# the binary at build time.
COPY src ./src
COPY templates ./templates
COPY static ./static
COPY surveys ./surveys
COPY benches ./benches
RUN touch src/main.rs src/lib.rs \
 && cargo build --release --locked \
 && install -m 0755 target/release/chorus /usr/local/bin/chorus

# ---- run -------------------------------------------------------------------------------------
FROM debian:${DEBIAN_RELEASE}-slim
# No packages beyond the base image: Chorus needs only libc (no TLS, no CA store: it serves plain
# HTTP behind a proxy and makes no outgoing connections).
RUN groupadd --system --gid 10001 chorus \
 && useradd --system --uid 10001 --gid chorus --home-dir /nonexistent --no-create-home \
        --shell /usr/sbin/nologin chorus \
 && mkdir -p /data /keys /app \
 && chown chorus:chorus /data /keys \
 && chmod 0700 /data /keys
COPY --from=build /usr/local/bin/chorus /usr/local/bin/chorus

# A working directory the process cannot write to, without a chorus.toml in it. To use a settings
# file, mount it read-only and point CHORUS_CONFIG at it (e.g. -v ./chorus.toml:/etc/chorus.toml:ro
# -e CHORUS_CONFIG=/etc/chorus.toml); `public_url` belongs there when a proxy is in front.
WORKDIR /app
ENV CHORUS_BIND=0.0.0.0:8080 \
    CHORUS_DATA_DIR=/data \
    CHORUS_KEY_FILE=/keys/chorus.key \
    CHORUS_LOG=info
VOLUME ["/data", "/keys"]
EXPOSE 8080
USER chorus:chorus
# SIGTERM (docker stop) lets Chorus finish in-flight requests and flush before it exits.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/chorus"]
CMD ["serve"]
