// The tokenizer that belongs to a model source: tokenizer.json (+ config
// files) of a Hugging Face folder, or the vocabulary embedded in a GGUF file.
// Lives beside the model loader because it joins io and tokenizer.
#pragma once

#include "io/ModelSource.h"
#include "tokenizer/Tokenizer.h"

namespace headroom::model {

// Throws headroom::Error naming the folder when it has no tokenizer.json.
tok::Tokenizer loadTokenizer(const io::ModelSource &source);

} // namespace headroom::model
