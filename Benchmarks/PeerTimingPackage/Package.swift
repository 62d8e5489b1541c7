// swift-tools-version: 6.1
// Omote's side of Benchmarks/compare-peers.sh: plain timings on the same frames the reference programs use.
// Its own package so the benchmark plugin (which runs every executable of Benchmarks/) does not pick it up.
import PackageDescription

let package = Package(
    name: "PeerTiming",
    dependencies: [.package(name: "Omote", path: "../..")],
    targets: [
        .executableTarget(name: "PeerTiming", dependencies: [.product(name: "Omote", package: "Omote")], path: "PeerTiming"),
    ]
)
