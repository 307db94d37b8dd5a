// The encode/decode pipeline; see Tokenizer.h. Loading lives in
// TokenizerFiles.cpp (Hugging Face folders) and GgufTokenizer.cpp.
#include "tokenizer/Tokenizer.h"

#include "tokenizer/Utf8.h"

namespace headroom::tok {

Tokenizer::Tokenizer(std::shared_ptr<const Parts> parts) : m_parts(std::move(parts)) {}

std::vector<int32_t> Tokenizer::encode(std::string_view input, bool addSpecialTokens) const
{
    const Parts &p = *m_parts;
    const std::string text = isValidUtf8(input) ? std::string(input) : toValidUtf8Lossy(input);
    std::vector<int32_t> ids;
    ids.reserve(text.size() / 3 + 4);

    std::vector<Segment> rawSegments;
    p.added.split({text, std::nullopt, true}, false, rawSegments);
    std::vector<Segment> segments;
    std::vector<Piece> pieces;
    for (const Segment &raw : rawSegments) {
        if (raw.id) {
            ids.push_back(*raw.id);
            continue;
        }
        Segment normalized{p.normalizer.apply(raw.text), std::nullopt, raw.atStart};
        segments.clear();
        if (p.added.hasNormalized())
            p.added.split(normalized, true, segments);
        else if (!normalized.text.empty())
            segments.push_back(std::move(normalized));
        for (Segment &segment : segments) {
            if (segment.id) {
                ids.push_back(*segment.id);
                continue;
            }
            pieces.clear();
            pieces.push_back({std::move(segment.text), segment.atStart});
            p.preTokenizer.apply(pieces);
            for (const Piece &piece : pieces)
                p.model->tokenize(piece.text, ids);
        }
    }
    return p.postProcessor.process(std::move(ids), addSpecialTokens);
}

std::string Tokenizer::decode(const std::vector<int32_t> &ids, bool skipSpecialTokens) const
{
    const Parts &p = *m_parts;
    std::vector<std::string> tokens;
    tokens.reserve(ids.size());
    for (int32_t id : ids) {
        if (const AddedToken *added = p.added.byId(id)) {
            if (!(skipSpecialTokens && added->special))
                tokens.push_back(added->text);
        } else if (const std::string *token = p.model->idToToken(id)) {
            // A model token whose text equals a special added token counts as
            // special too (tokenizers checks by content).
            const AddedToken *same = skipSpecialTokens ? p.added.byContent(*token) : nullptr;
            if (!(same && same->special))
                tokens.push_back(*token);
        }
    }
    return p.decoder.decode(std::move(tokens));
}

std::optional<int32_t> Tokenizer::tokenToId(std::string_view token) const
{
    if (const AddedToken *added = m_parts->added.byContent(token))
        return added->id;
    return m_parts->model->tokenToId(token);
}

std::optional<std::string> Tokenizer::idToToken(int32_t id) const
{
    if (const AddedToken *added = m_parts->added.byId(id))
        return added->text;
    if (const std::string *token = m_parts->model->idToToken(id))
        return *token;
    return std::nullopt;
}

bool Tokenizer::isSpecial(int32_t id) const
{
    const AddedToken *added = m_parts->added.byId(id);
    return added && added->special;
}

size_t Tokenizer::vocabSize() const
{
    size_t size = m_parts->model->size();
    for (const AddedToken &t : m_parts->added.tokens())
        size = std::max(size, static_cast<size_t>(t.id) + 1);
    return size;
}

std::string Tokenizer::chatTemplate() const
{
    for (const NamedTemplate &t : m_parts->chatTemplates)
        if (t.name == "default")
            return t.source;
    return m_parts->chatTemplates.empty() ? std::string() : m_parts->chatTemplates.front().source;
}

} // namespace headroom::tok
