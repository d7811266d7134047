# syntax=docker/dockerfile:1
# fundwatch: one static binary on a distroless base, running as non-root,
# with its embedded store and keys under the /data volume.

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/fundwatch ./cmd/fundwatch \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/fundwatch /fundwatch
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
ENV FUNDWATCH_ADDR=0.0.0.0:8080 \
    FUNDWATCH_DATA=/data \
    FUNDWATCH_LOG_FORMAT=json
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 CMD ["/fundwatch", "healthcheck"]
ENTRYPOINT ["/fundwatch"]
CMD ["serve"]
