# A vnetsim image with nothing else in it: a static binary on distroless,
# running as a non-root user.
#
#   docker build --build-arg VERSION=$(git describe --tags --always) -t vnetsim .
#   docker run --rm --user "$(id -u):$(id -g)" -v "$PWD:/work" vnetsim validate topology.yaml
#
# cmd/vnetsim/ci_test.go runs this file's build command and checks that the
# result is static; GO_VERSION follows go.mod.
ARG GO_VERSION=1.26.8

FROM golang:${GO_VERSION} AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=devel
ENV CGO_ENABLED=0
RUN go build -trimpath -ldflags "-s -w -X github.com/vnetsim/vnetsim/internal/buildinfo.version=${VERSION}" -o /out/vnetsim ./cmd/vnetsim

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/vnetsim /vnetsim
USER 65532:65532
WORKDIR /work
ENTRYPOINT ["/vnetsim"]
