import OmoteCore

/// MediaPipe's face geometry metadata (`geometry_pipeline_metadata_landmarks.binarypb` in face_landmarker.task):
/// the canonical face mesh's vertex positions in centimetres and the Procrustes landmark weights. Read from the
/// protobuf wire format per mediapipe/modules/face_geometry/protos/geometry_pipeline_metadata.proto (input_source = 3,
/// canonical_mesh = 1, procrustes_landmark_basis = 2) and mesh_3d.proto (vertex_type = 1, vertex_buffer = 3: x, y, z,
/// u, v per vertex for VERTEX_PT); other fields (triangles, texture coordinates) are skipped.
struct GeometryPipelineMetadata {
    static let member = "geometry_pipeline_metadata_landmarks.binarypb"
    /// VERTEX_PT: position (x, y, z) then texture coordinate (u, v).
    static let floatsPerVertex = 5

    /// Canonical face vertex positions (cm), one per mesh landmark.
    let canonicalPositions: [SIMD3<Float>]
    /// Per vertex: its weight in the Procrustes basis (0 when not in the basis).
    let landmarkWeights: [Float]

    init(bytes: UnsafeRawBufferPointer, subject: String) throws(OmoteError) {
        var reader = ProtobufReader(bytes: bytes, subject: subject)
        var vertexBuffer: [Float] = []
        var vertexType: UInt64 = 0
        var inputSource: UInt64 = 0
        var basis: [(id: UInt64, weight: Float)] = []
        var sawMesh = false
        while !reader.isAtEnd {
            let (field, wireType) = try reader.readTag()
            switch (field, wireType) {
            case (1, .lengthDelimited):
                sawMesh = true
                var mesh = try reader.readLengthDelimited()
                while !mesh.isAtEnd {
                    let (meshField, meshWire) = try mesh.readTag()
                    switch (meshField, meshWire) {
                    case (1, .varint):
                        vertexType = try mesh.readVarint()
                    case (3, _):
                        try mesh.appendFloats(meshWire, to: &vertexBuffer)
                    default:
                        try mesh.skip(meshWire)
                    }
                }
            case (2, .lengthDelimited):
                var entry = try reader.readLengthDelimited()
                var id: UInt64?
                var weight: Float?
                while !entry.isAtEnd {
                    let (entryField, entryWire) = try entry.readTag()
                    switch (entryField, entryWire) {
                    case (1, .varint):
                        id = try entry.readVarint()
                    case (2, .fixed32):
                        weight = try entry.readFloat()
                    default:
                        try entry.skip(entryWire)
                    }
                }
                guard let id, let weight else {
                    throw reader.failure("procrustes basis entry \(basis.count) lacks its landmark id or weight")
                }
                basis.append((id, weight))
            case (3, .varint):
                inputSource = try reader.readVarint()
            default:
                try reader.skip(wireType)
            }
        }
        guard sawMesh, vertexType == 0 else {
            throw reader.failure(
                sawMesh
                    ? "the canonical mesh has vertex type \(vertexType), not VERTEX_PT (0)"
                    : "there is no canonical mesh (field 1)")
        }
        // 0 DEFAULT and 1 FACE_LANDMARK_PIPELINE both mean landmarks with a relative z; 2 (detection) is another path.
        guard inputSource <= 1 else {
            throw reader.failure("input source \(inputSource) is not the face landmark pipeline (0 or 1)")
        }
        guard vertexBuffer.count == MeshLandmarks.meshCount * Self.floatsPerVertex else {
            throw reader.failure(
                "the canonical mesh has \(vertexBuffer.count) vertex floats; expected "
                    + "\(MeshLandmarks.meshCount) vertices × \(Self.floatsPerVertex)")
        }
        var positions: [SIMD3<Float>] = []
        positions.reserveCapacity(MeshLandmarks.meshCount)
        for vertex in 0 ..< MeshLandmarks.meshCount {
            let base = vertex * Self.floatsPerVertex
            let position = SIMD3(vertexBuffer[base], vertexBuffer[base + 1], vertexBuffer[base + 2])
            guard position.x.isFinite, position.y.isFinite, position.z.isFinite else {
                throw reader.failure("canonical vertex \(vertex) is not finite")
            }
            positions.append(position)
        }
        var weights = [Float](repeating: 0, count: MeshLandmarks.meshCount)
        for (id, weight) in basis {
            guard id < UInt64(MeshLandmarks.meshCount) else {
                throw reader.failure(
                    "procrustes basis landmark \(id) is outside the \(MeshLandmarks.meshCount) vertices"
                )
            }
            guard weight.isFinite, weight >= 0 else {
                throw reader.failure("procrustes basis landmark \(id) has weight \(weight)")
            }
            weights[Int(id)] = weight
        }
        guard weights.contains(where: { $0 > 0 }) else {
            throw reader.failure("the procrustes landmark basis is empty")
        }
        canonicalPositions = positions
        landmarkWeights = weights
    }
}
