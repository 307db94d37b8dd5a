// Chooses the tokenizer reader by source kind.
#include "model/TokenizerLoader.h"

#include "common/Error.h"
#include "io/GgufFile.h"
#include "io/GgufToHf.h"
#include "io/HfModelFolder.h"

namespace headroom::model {

tok::Tokenizer loadTokenizer(const io::ModelSource &source)
{
    // GGUF: pre-tokenized as llama.cpp does (the original tokenizer's way,
    // e.g. SmolLM2 isolates digits), not as transformers' GGUF conversion.
    if (source.kind == io::ModelSource::Kind::Gguf)
        return tok::Tokenizer::fromGguf(io::vocabFromGguf(io::GgufFile::open(source.path)));
    auto folder = io::HfModelFolder::open(source.path);
    if (!folder.hasTokenizer())
        throw Error(source.path.string() +
                    ": no tokenizer.json (Headroom reads fast-tokenizer files; "
                    "save one with AutoTokenizer.from_pretrained(...).save_pretrained(...))");
    return tok::Tokenizer::fromFolder(source.path);
}

} // namespace headroom::model
