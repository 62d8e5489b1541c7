/// A 3×3 double matrix held in registers (no heap), row-major in a SIMD16.
struct Matrix3d {
    var storage = SIMD16<Double>()

    static var identity: Matrix3d {
        var m = Matrix3d()
        m[0, 0] = 1
        m[1, 1] = 1
        m[2, 2] = 1
        return m
    }

    subscript(row: Int, column: Int) -> Double {
        get { storage[3 * row + column] }
        set { storage[3 * row + column] = newValue }
    }

    func column(_ k: Int) -> SIMD3<Double> { SIMD3(self[0, k], self[1, k], self[2, k]) }
}

/// Eigen-decomposition of a symmetric 3×3 matrix by cyclic Jacobi rotations (Golub & Van Loan §8.5), in double:
/// eigenvalues in descending order, eigenvectors as the matching orthonormal columns. Allocates nothing.
struct SymmetricEigen3 {
    private(set) var values = SIMD3<Double>()
    /// Column k is the eigenvector of `values[k]`.
    private(set) var vectors = Matrix3d()

    init(_ matrix: Matrix3d) {
        var a = matrix
        var v = Matrix3d.identity
        var sweep = 0
        while sweep < 32 {
            let offDiagonal = a[0, 1] * a[0, 1] + a[0, 2] * a[0, 2] + a[1, 2] * a[1, 2]
            let diagonal = a[0, 0] * a[0, 0] + a[1, 1] * a[1, 1] + a[2, 2] * a[2, 2]
            if offDiagonal <= 1e-30 * diagonal || offDiagonal == 0 {
                break
            }
            Self.rotate(&a, &v, 0, 1)
            Self.rotate(&a, &v, 0, 2)
            Self.rotate(&a, &v, 1, 2)
            sweep += 1
        }
        // Three-element sort, descending.
        var order = SIMD3<Int>(0, 1, 2)
        if a[order[0], order[0]] < a[order[1], order[1]] {
            order = SIMD3(order[1], order[0], order[2])
        }
        if a[order[1], order[1]] < a[order[2], order[2]] {
            order = SIMD3(order[0], order[2], order[1])
        }
        if a[order[0], order[0]] < a[order[1], order[1]] {
            order = SIMD3(order[1], order[0], order[2])
        }
        for k in 0 ..< 3 {
            values[k] = a[order[k], order[k]]
            for row in 0 ..< 3 {
                vectors[row, k] = v[row, order[k]]
            }
        }
    }

    /// One Jacobi rotation zeroing a[p, q]; v accumulates the rotations.
    private static func rotate(_ a: inout Matrix3d, _ v: inout Matrix3d, _ p: Int, _ q: Int) {
        guard a[p, q] != 0 else { return }
        let theta = (a[q, q] - a[p, p]) / (2 * a[p, q])
        let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
        let c = 1 / (t * t + 1).squareRoot()
        let s = t * c
        for k in 0 ..< 3 {
            let akp = a[k, p]
            let akq = a[k, q]
            a[k, p] = c * akp - s * akq
            a[k, q] = s * akp + c * akq
        }
        for k in 0 ..< 3 {
            let apk = a[p, k]
            let aqk = a[q, k]
            a[p, k] = c * apk - s * aqk
            a[q, k] = s * apk + c * aqk
        }
        for k in 0 ..< 3 {
            let vkp = v[k, p]
            let vkq = v[k, q]
            v[k, p] = c * vkp - s * vkq
            v[k, q] = s * vkp + c * vkq
        }
    }
}
