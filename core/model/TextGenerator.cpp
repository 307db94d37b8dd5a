#include "model/TextGenerator.h"
