#include "model/ModelInspector.h"
