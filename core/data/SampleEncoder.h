// Renders an Example with the model's chat format and tokenizes it into ids
// and labels (labels = -100 where no loss is taken). Does not truncate, pack
// or batch.
//
// Conversations are rendered by ChatFormat (chat, ShareGPT, alpaca, and
// prompt/completion when the tokenizer has a chat template); the loss covers
// the assistant spans [begin, end), i.e. each reply and the end-of-turn
// marker after it, unless trainOnPrompt. Without a chat template a
// prompt/completion pair is BOS + prompt + completion + EOS, concatenated
// without separator. Text is encoded with the tokenizer's special tokens
// (BOS when it adds one) and EOS is appended, so the model learns to stop.
//
// Mask alignment (MaskAlignment::Segments, the default): the rendered text is
// cut at the span boundaries and each piece is encoded on its own
// (encode(piece, false)), as LLaMA-Factory encodes segments, so every token
// belongs to exactly one span and the prompt is tokenized as it will be at
// inference. The ids are compared with the whole-text encoding; where they
// differ (a merge across a boundary) the segment ids are kept and
// `alignedWithWholeText` is false. For the chat formats and byte-level BPE
// tokenizers we ship, boundaries fall on special tokens or newlines and the
// two always agree. MaskAlignment::WholeText keeps the whole-text ids instead
// (what transformers' apply_chat_template returns, and TRL / axolotl train
// on): each boundary is located by encoding the text before it and matching
// that prefix against the whole encoding, and a token straddling a boundary
// is trained when any of its bytes is (return_assistant_tokens_mask's rule).
// Prefer it for SentencePiece formats whose replies follow a space
// ("[/INST] reply"), where encoding the reply alone adds a word-start marker.
//
// labels[0] is always -100: nothing precedes the first token of a sample, so
// it is never a target, also when samples are packed (it would otherwise be
// predicted from the previous sample's EOS). Labels are aligned with ids (the
// Hugging Face convention: the loss shifts them by one).
#pragma once

#include "data/Example.h"
#include "tokenizer/ChatFormat.h"
#include "tokenizer/Tokenizer.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace headroom::data {

inline constexpr int32_t kIgnoreIndex = -100;

struct TokenizedSample
{
    std::vector<int32_t> ids;
    std::vector<int32_t> labels; // same length; kIgnoreIndex where no loss
    size_t line = 0;             // where the record starts in its file
    bool alignedWithWholeText = true;

    size_t targetCount() const;
};

enum class MaskAlignment { Segments, WholeText };

struct EncodeOptions
{
    bool trainOnPrompt = false;
    MaskAlignment alignment = MaskAlignment::Segments;
    // Also encode the whole text to check the segment-wise ids (doubles the
    // tokenizer work; off only for speed; WholeText always encodes it).
    bool verifyAlignment = true;
    // A ChatFormat name (ChatFormat::names()) overriding the tokenizer's template.
    std::optional<std::string> chatFormat;
};

class SampleEncoder
{
public:
    // The chat format is resolved from the tokenizer now; an unknown or
    // missing template is an error only when a conversation needs it.
    SampleEncoder(const tok::Tokenizer &tokenizer, EncodeOptions options = {});

    bool hasChatFormat() const { return m_chat.has_value(); }
    // Throws headroom::Error (no file or line; the caller adds them).
    TokenizedSample encode(const Example &example) const;

private:
    struct Piece
    {
        std::string_view text;
        bool trained;
    };
    // `whole` is the concatenation of the pieces.
    TokenizedSample encodePieces(const std::vector<Piece> &pieces,
                                 const std::vector<int32_t> &prefix, bool appendEos,
                                 std::string_view whole) const;
    // Trained flags (1/0) for `body` = encode(whole, false) by prefix matching.
    std::vector<int32_t> wholeTextMask(const std::vector<Piece> &pieces, std::string_view whole,
                                       const std::vector<int32_t> &body) const;
    const tok::ChatFormat &chat() const;

    const tok::Tokenizer &m_tokenizer;
    EncodeOptions m_options;
    std::optional<tok::ChatFormat> m_chat;
    std::string m_chatError;
};

} // namespace headroom::data
