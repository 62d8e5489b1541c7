/// The TFLite builtin operators these networks use, with their schema numbers (tensorflow/lite/schema/schema.fbs).
enum TFLiteOperatorCode: Int32, CaseIterable {
    case add = 0
    case concatenation = 2
    case conv2D = 3
    case depthwiseConv2D = 4
    case dequantize = 6
    case logistic = 14
    case maxPool2D = 17
    case mul = 18
    case relu = 19
    case reshape = 22
    case pad = 34
    case transpose = 39
    case mean = 40
    case sub = 41
    case div = 42
    case stridedSlice = 45
    case prelu = 54
    case neg = 59
    case sum = 74
    case sqrt = 75
    case rsqrt = 76
    case squaredDifference = 99
}

/// Schema enums used in operator options.
enum TFLitePadding: UInt8 {
    case same = 0
    case valid = 1
}

enum TFLiteActivation: UInt8 {
    case none = 0
    case relu = 1
    case reluMinus1To1 = 2
    case relu6 = 3
}

enum TFLiteTensorType: UInt8 {
    case float32 = 0
    case float16 = 1
    case int32 = 2
}
