# Vision's container image: `vision run` on Debian 12 (bookworm) with Debian's ffmpeg.
#   docker build -t vision:dev .
#   docker run --rm -p 8080:8080 -v "$PWD/models:/models:ro" -v "$PWD/vision.yaml:/etc/vision/vision.yaml:ro" vision:dev
# Models are not in the image: mount a folder holding yolox_nano.onnx (and ppocr/ for plates) at /models.
# The arguments after the image name replace the default `run ...`, e.g. `... vision:dev users add --config ...`.
# Microsoft ships no Debian images for .NET 10, so the app is published self-contained (its own runtime) onto
# debian:bookworm-slim instead of an aspnet runtime image.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props ./
COPY models/*.yaml models/
COPY src/ src/
RUN dotnet publish src/Pipeline/Vision.Pipeline.csproj -c Release -r linux-x64 --self-contained true -nologo -o /out

FROM debian:bookworm-slim AS runtime
# The same packages as scripts/install-deps.sh (ffmpeg, OpenCV's libgtk-3-0, CJK fonts for photo labels, tzdata),
# plus what a self-contained .NET app needs from the system: ICU, OpenSSL and CA certificates.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ffmpeg \
      libgtk-3-0 \
      fonts-noto-cjk \
      tzdata \
      ca-certificates \
      libicu72 \
      libssl3 \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 vision \
 && useradd --system --uid 10001 --gid vision --home-dir /var/lib/vision --shell /usr/sbin/nologin vision \
 && mkdir -p /var/lib/vision /models /etc/vision \
 && chown vision:vision /var/lib/vision
COPY --from=build /out /opt/vision
ENV VISION_MODELS=/models \
    PATH=/opt/vision:$PATH \
    XDG_CACHE_HOME=/tmp/.cache
# The spool (evidence.directory) and the recording rings live here; mount a volume on it.
WORKDIR /var/lib/vision
USER 10001:10001
# Console, /healthz, /readyz and /metrics on one port.
EXPOSE 8080
ENTRYPOINT ["/opt/vision/vision"]
CMD ["run", "--config", "/etc/vision/vision.yaml", "--http", "http://0.0.0.0:8080"]
