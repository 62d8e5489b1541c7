// The target's features are macros in include/CTargetFeatures.h; SwiftPM needs one source file per C target.
#include "CTargetFeatures.h"
