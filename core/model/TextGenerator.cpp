#include "model/TextGenerator.h"

#include "common/Error.h"
#include "io/ModelSource.h"
#include "lora/PeftAdapter.h"
#include "model/Generation.h"
#include "model/ModelLoader.h"
#include "model/TokenizerLoader.h"
#include "tokenizer/ChatFormat.h"
#include "tokenizer/Tokenizer.h"

namespace headroom::model {

namespace {

// Emits the decoded text as it grows: decodes every token so far (a token's
// text depends on its neighbours for byte-level and SentencePiece decoders)
// and passes on what is new, holding back a trailing incomplete UTF-8
// character (decoded as U+FFFD) until the next token completes it.
class PieceStreamer
{
public:
    PieceStreamer(const tok::Tokenizer &tokenizer,
                  const std::function<void(const std::string &)> &onPiece)
        : m_tokenizer(tokenizer), m_onPiece(onPiece)
    {}

    void add(int64_t token)
    {
        m_tokens.push_back(static_cast<int32_t>(token));
        auto current = text();
        if (!current.ends_with("\xEF\xBF\xBD"))
            emit(std::move(current));
    }
    // Passes on whatever is still held back (a character left incomplete).
    void finish() { emit(text()); }
    std::string text() const { return m_tokenizer.decode(m_tokens, true); }

private:
    void emit(std::string current)
    {
        // A decoder may rewrite earlier text (e.g. a leading space removed);
        // then nothing is emitted until the text extends what was sent.
        if (current.size() <= m_sent.size() || current.compare(0, m_sent.size(), m_sent) != 0)
            return;
        if (m_onPiece)
            m_onPiece(current.substr(m_sent.size()));
        m_sent = std::move(current);
    }

    const tok::Tokenizer &m_tokenizer;
    const std::function<void(const std::string &)> &m_onPiece;
    std::vector<int32_t> m_tokens;
    std::string m_sent;
};

} // namespace

std::vector<int64_t> chatStopIds(const tok::Tokenizer &tokenizer)
{
    std::vector<int64_t> ids;
    for (const char *token : {"<|im_end|>", "<|eot_id|>", "<|end|>", "</s>"})
        if (auto id = tokenizer.tokenToId(token))
            ids.push_back(*id);
    return ids;
}

struct TextGenerator::Impl
{
    tok::Tokenizer tokenizer;
    std::unique_ptr<CausalLM> lm;
    at::Device device = at::kCPU;
    std::optional<tok::ChatFormat> chat;
    // The adapter's modules while it is switched off (index = adaptableLinears order).
    std::vector<std::shared_ptr<lora::LoraAdapter>> parked;
    bool hasAdapter = false;
    bool adapterEnabled = false;
};

TextGenerator::TextGenerator(const std::string &modelArgument, const TextGeneratorOptions &options)
{
    const auto source = io::resolveModelSource(modelArgument);
    LoadOptions load;
    load.dtype = parseDtype(options.dtype);
    load.attention = parseAttentionKernel(options.attention);
    load.device = parseDevice(options.device);
    auto tokenizer = loadTokenizer(source);
    m_impl.reset(
        new Impl{std::move(tokenizer), loadModel(source, load), load.device, {}, {}, false, false});
    auto &impl = *m_impl;
    if (options.adapter)
        loadAdapter(*options.adapter);
    const bool explicitChat = options.prompt == PromptMode::Chat || options.chatFormat;
    if (explicitChat) {
        impl.chat = tok::ChatFormat::forTokenizer(impl.tokenizer, options.chatFormat);
    } else if (options.prompt == PromptMode::Auto && !impl.tokenizer.chatTemplate().empty()) {
        // A template in a style we do not render is answered raw rather than
        // refused: the model still continues the text.
        try {
            impl.chat = tok::ChatFormat::forTokenizer(impl.tokenizer);
        } catch (const Error &) {
        }
    }
}

TextGenerator::~TextGenerator() = default;
TextGenerator::TextGenerator(TextGenerator &&) noexcept = default;
TextGenerator &TextGenerator::operator=(TextGenerator &&) noexcept = default;

void TextGenerator::loadAdapter(const std::string &folder)
{
    auto &impl = *m_impl;
    setAdapterEnabled(true); // a parked adapter goes back before it is replaced
    lora::loadPeftAdapter(*impl.lm, folder);
    impl.hasAdapter = impl.adapterEnabled = true;
}

bool TextGenerator::hasAdapter() const
{
    return m_impl->hasAdapter;
}
bool TextGenerator::adapterEnabled() const
{
    return m_impl->adapterEnabled;
}

void TextGenerator::setAdapterEnabled(bool enabled)
{
    auto &impl = *m_impl;
    if (!impl.hasAdapter || enabled == impl.adapterEnabled)
        return;
    // Detaching the modules (rather than zeroing their scale) makes "off"
    // exactly the base model: the linears take their adapter-free path.
    auto linears = impl.lm->adaptableLinears();
    if (!enabled) {
        impl.parked.clear();
        for (auto &linear : linears) {
            impl.parked.push_back(*linear.lora);
            linear.lora->reset();
        }
    } else {
        for (std::size_t i = 0; i < linears.size() && i < impl.parked.size(); ++i)
            *linears[i].lora = impl.parked[i];
        impl.parked.clear();
    }
    impl.adapterEnabled = enabled;
}

bool TextGenerator::usesChatFormat() const
{
    return m_impl->chat.has_value();
}
std::string TextGenerator::chatFormatName() const
{
    return m_impl->chat ? m_impl->chat->name() : std::string();
}
std::string TextGenerator::deviceName() const
{
    return m_impl->device.str();
}
const ModelConfig &TextGenerator::modelConfig() const
{
    return m_impl->lm->config();
}

GenerationResult TextGenerator::run(const std::string &userMessage,
                                    const GenerationOptions &options,
                                    const std::function<void(const std::string &)> &onPiece,
                                    std::stop_token stop)
{
    auto &impl = *m_impl;
    GenerationResult result;
    std::vector<int32_t> ids;
    if (impl.chat) {
        auto rendered = impl.chat->render({{"user", userMessage}}, /*addGenerationPrompt=*/true);
        // The rendered text already carries BOS where the format wants one,
        // so special tokens are not added again (as apply_chat_template does).
        ids = impl.tokenizer.encode(rendered.text, false);
    } else {
        ids = impl.tokenizer.encode(userMessage, true);
    }
    result.promptIds.assign(ids.begin(), ids.end());

    SamplingOptions sampling;
    sampling.maxNewTokens = options.maxNewTokens;
    sampling.temperature = options.temperature;
    sampling.topP = options.topP;
    sampling.repetitionPenalty = options.repetitionPenalty;
    sampling.seed = options.seed;
    if (auto eos = impl.tokenizer.eosId())
        sampling.stopIds.push_back(*eos);
    for (auto id : impl.lm->config().eosTokenIds)
        sampling.stopIds.push_back(id);
    if (impl.chat)
        for (auto id : chatStopIds(impl.tokenizer))
            sampling.stopIds.push_back(id);

    if (stop.stop_requested()) {
        result.stopped = true;
        return result;
    }
    PieceStreamer streamer(impl.tokenizer, onPiece);
    result.tokenIds = model::generate(*impl.lm, result.promptIds, sampling, [&](int64_t token) {
        streamer.add(token);
        if (stop.stop_requested()) {
            result.stopped = true;
            return false;
        }
        return true;
    });
    streamer.finish();
    result.text = streamer.text();
    return result;
}

} // namespace headroom::model
