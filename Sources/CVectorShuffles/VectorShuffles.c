// The shuffles are static inline in include/VectorShuffles.h; SwiftPM needs one source file per C target.
#include "VectorShuffles.h"
