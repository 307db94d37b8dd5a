// Rendering, segment-wise tokenization and loss masks; see SampleEncoder.h.
#include "data/SampleEncoder.h"

#include "common/Error.h"

#include <algorithm>

namespace headroom::data {

size_t TokenizedSample::targetCount() const
{
    return static_cast<size_t>(
        std::count_if(labels.begin(), labels.end(), [](int32_t l) { return l != kIgnoreIndex; }));
}

SampleEncoder::SampleEncoder(const tok::Tokenizer &tokenizer, EncodeOptions options)
    : m_tokenizer(tokenizer), m_options(std::move(options))
{
    const bool named = m_options.chatFormat && !m_options.chatFormat->empty();
    if (!named && tokenizer.chatTemplate().empty()) {
        std::string names;
        for (const std::string &n : tok::ChatFormat::names())
            names += (names.empty() ? "" : ", ") + n;
        m_chatError = "the tokenizer has no chat template; pick a chat format (" + names + ")";
        return;
    }
    try {
        m_chat = tok::ChatFormat::forTokenizer(tokenizer, m_options.chatFormat);
    } catch (const Error &e) {
        m_chatError = e.what();
    }
}

const tok::ChatFormat &SampleEncoder::chat() const
{
    if (!m_chat)
        throw Error(m_chatError);
    return *m_chat;
}

std::vector<int32_t> SampleEncoder::wholeTextMask(const std::vector<Piece> &pieces,
                                                  std::string_view whole,
                                                  const std::vector<int32_t> &body) const
{
    // Token index of each piece boundary in `body`, and whether the token
    // there straddles the boundary.
    struct Boundary
    {
        size_t token = 0;
        bool straddles = false;
    };
    std::vector<Boundary> bounds{{0, false}};
    size_t at = 0;
    for (size_t i = 0; i + 1 < pieces.size(); ++i) {
        at += pieces[i].text.size();
        const std::vector<int32_t> before = m_tokenizer.encode(whole.substr(0, at), false);
        size_t k = 0;
        while (k < before.size() && k < body.size() && before[k] == body[k])
            ++k;
        bounds.push_back({k, k < before.size()});
    }
    bounds.push_back({body.size(), false});
    std::vector<int32_t> trained(body.size(), 0);
    for (size_t i = 0; i < pieces.size(); ++i) {
        if (!pieces[i].trained || pieces[i].text.empty())
            continue;
        const size_t lo = bounds[i].token;
        const size_t hi =
            std::min(body.size(), bounds[i + 1].token + (bounds[i + 1].straddles ? 1 : 0));
        for (size_t t = lo; t < hi; ++t)
            trained[t] = 1;
    }
    return trained;
}

TokenizedSample SampleEncoder::encodePieces(const std::vector<Piece> &pieces,
                                            const std::vector<int32_t> &prefix, bool appendEos,
                                            std::string_view whole) const
{
    TokenizedSample s;
    const bool all = m_options.trainOnPrompt;
    s.ids = prefix;
    s.labels.assign(prefix.size(), all ? 0 : kIgnoreIndex);
    for (const Piece &piece : pieces) {
        if (piece.text.empty())
            continue;
        const std::vector<int32_t> ids = m_tokenizer.encode(piece.text, false);
        s.ids.insert(s.ids.end(), ids.begin(), ids.end());
        s.labels.insert(s.labels.end(), ids.size(), piece.trained || all ? 0 : kIgnoreIndex);
    }
    const bool wholeText = m_options.alignment == MaskAlignment::WholeText;
    if (m_options.verifyAlignment || wholeText) {
        const std::vector<int32_t> body = m_tokenizer.encode(whole, false);
        s.alignedWithWholeText =
            body.size() + prefix.size() == s.ids.size() &&
            std::equal(body.begin(), body.end(),
                       s.ids.begin() + static_cast<std::ptrdiff_t>(prefix.size()));
        if (wholeText && !s.alignedWithWholeText) {
            const std::vector<int32_t> trained = wholeTextMask(pieces, whole, body);
            s.ids.resize(prefix.size());
            s.labels.resize(prefix.size());
            s.ids.insert(s.ids.end(), body.begin(), body.end());
            for (int32_t t : trained)
                s.labels.push_back(t || all ? 0 : kIgnoreIndex);
        }
    }
    if (appendEos) {
        const std::optional<int32_t> eos = m_tokenizer.eosId();
        if (eos && (s.ids.empty() || s.ids.back() != *eos)) {
            s.ids.push_back(*eos);
            s.labels.push_back(0);
        }
    }
    for (size_t i = 0; i < s.ids.size(); ++i)
        if (s.labels[i] != kIgnoreIndex)
            s.labels[i] = s.ids[i];
    if (!s.labels.empty())
        s.labels[0] = kIgnoreIndex;
    return s;
}

TokenizedSample SampleEncoder::encode(const Example &example) const
{
    TokenizedSample out;
    std::vector<Piece> pieces;
    const bool completionAsChat = example.kind == Example::Kind::Completion && m_chat.has_value();
    if (example.kind == Example::Kind::Conversation || completionAsChat) {
        std::vector<tok::ChatMessage> messages = example.messages;
        if (completionAsChat)
            messages = {{"user", example.prompt}, {"assistant", example.completion}};
        const tok::RenderedChat rendered = chat().render(messages, false);
        const std::string_view text = rendered.text;
        size_t at = 0;
        for (const tok::AssistantSpan &span : rendered.assistant) {
            pieces.push_back({text.substr(at, span.begin - at), false});
            pieces.push_back({text.substr(span.begin, span.end - span.begin), true});
            at = span.end;
        }
        pieces.push_back({text.substr(at), false});
        // The rendered text carries its own BOS where the template writes one.
        out = encodePieces(pieces, {}, false, text);
    } else if (example.kind == Example::Kind::Completion) {
        pieces = {{example.prompt, false}, {example.completion, true}};
        const std::string whole = example.prompt + example.completion;
        out = encodePieces(pieces, m_tokenizer.prefixIds(), true, whole);
    } else {
        // One piece: encode(text, true) = prefix + encode(text, false) for the
        // post-processors we support; keep any suffix it adds too.
        const std::vector<int32_t> withSpecials = m_tokenizer.encode(example.text, true);
        out.ids = withSpecials;
        const std::optional<int32_t> eos = m_tokenizer.eosId();
        if (eos && (out.ids.empty() || out.ids.back() != *eos))
            out.ids.push_back(*eos);
        out.labels = out.ids;
        if (!out.labels.empty())
            out.labels[0] = kIgnoreIndex;
    }
    out.line = example.line;
    return out;
}

} // namespace headroom::data
