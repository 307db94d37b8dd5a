#include "store/RunStore.h"
