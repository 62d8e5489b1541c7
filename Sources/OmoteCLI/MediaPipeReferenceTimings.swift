import ArgumentParser
import Foundation

/// MediaPipe Face Landmarker's per-frame time as `Tools/reference/mediapipe/time-mediapipe.sh` prints it (a TSV:
/// clip, frames, tracked, p50_us, min_us, mean_us), measured on this machine just before `omote bench` runs, so
/// `bench` can print the ratio. Timings only.
struct MediaPipeReferenceTimings {
    let label: String
    let medianMicroseconds: Double

    init(contentsOfFile path: String) throws {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ValidationError("--reference-timings \(path): cannot read it; run Benchmarks/compare-mesh.sh")
        }
        let rows = text.split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }
        guard rows.count >= 2, rows[0].count >= 4, rows[0][3] == "p50_us", rows[1].count >= 4,
            let median = Double(rows[1][3]), median > 0, let frames = Int(rows[1][1])
        else {
            throw ValidationError(
                "--reference-timings \(path): not the output of Tools/reference/mediapipe/time-mediapipe.sh "
                    + "(expected a header with p50_us and one row)")
        }
        label = "VIDEO mode, \(rows[1][0]), \(frames) frames, decode excluded"
        medianMicroseconds = median
    }
}
